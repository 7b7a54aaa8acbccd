package server

import (
	"math"
	"sort"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/keboola/agnes/pgerr"
	"github.com/keboola/agnes/wire"
)

// SCROLL cursors (psycopg2's scrollable named cursors, cursor.scroll())
// move both ways, so their rows are kept: DECLARE … SCROLL CURSOR reads the
// whole result into memory (copied out of DuckDB's buffers, up to
// maxScrollBytes), and FETCH/MOVE in every direction — NEXT, PRIOR, FIRST,
// LAST, ABSOLUTE n, RELATIVE n, FORWARD/BACKWARD n|ALL — work on positions
// as in PostgreSQL: 0 is before the first row, n+1 after the last.

// maxScrollBytes bounds the rows one SCROLL cursor keeps.
const maxScrollBytes = 256 << 20

// scrollRows are a SCROLL cursor's rows and its position.
type scrollRows struct {
	batches []arrow.RecordBatch
	starts  []int64 // position (1-based) of each batch's first row
	total   int64
	pos     int64
}

// materialize reads the rest of the cursor's stream for scrolling.
func (c *cursor) materialize() error {
	if err := c.detach(); err != nil {
		return err
	}
	s := &scrollRows{}
	var size int64
	for _, b := range c.buffered {
		for _, col := range b.Columns() {
			for _, buf := range col.Data().Buffers() {
				if buf != nil {
					size += int64(buf.Len())
				}
			}
		}
		if size > maxScrollBytes {
			return pgerr.New(pgerr.ProgramLimitExceeded, "the result of SCROLL cursor %q exceeds %d MB", c.name, maxScrollBytes>>20).
				WithHint("Declare the cursor NO SCROLL and fetch forward; its rows are then streamed.")
		}
		if b.NumRows() == 0 {
			continue
		}
		s.starts = append(s.starts, s.total+1)
		s.batches = append(s.batches, b)
		s.total += b.NumRows()
	}
	c.buffered = nil
	c.scroll = s
	return nil
}

// locate returns the batch and the row in it of position p (1..total).
func (s *scrollRows) locate(p int64) (int, int64) {
	i := sort.Search(len(s.starts), func(i int) bool { return s.starts[i] > p }) - 1
	return i, p - s.starts[i]
}

// move applies one FETCH/MOVE to the position and returns the positions
// of the rows it passes over, in the order they are returned.
func (s *scrollRows) move(direction string, count int64, all bool) []int64 {
	n := s.total
	var rows []int64
	onRow := func(p int64) {
		s.pos = p
		if p >= 1 && p <= n {
			rows = append(rows, p)
		}
	}
	step := func(forward bool, k int64) {
		for ; k > 0; k-- {
			if forward {
				if s.pos > n {
					return
				}
				s.pos++
			} else {
				if s.pos < 1 {
					return
				}
				s.pos--
			}
			if s.pos >= 1 && s.pos <= n {
				rows = append(rows, s.pos)
			}
		}
	}
	switch direction {
	case "forward", "backward":
		k := count
		if all {
			k = math.MaxInt64
		}
		forward := direction == "forward"
		if k < 0 {
			forward, k = !forward, -k
		}
		if k == 0 && !all {
			onRow(s.pos) // FORWARD 0 / BACKWARD 0 re-read the current row
			break
		}
		step(forward, k)
	case "absolute":
		t := count
		if t < 0 {
			t = n + 1 + t
		}
		onRow(min(max(t, 0), n+1))
	case "relative":
		onRow(min(max(s.pos+count, 0), n+1))
	}
	return rows
}

// scrollResult sends the rows of one FETCH from a SCROLL cursor.
type scrollResult struct {
	cursorRows
	rows []int64
	next int
}

func (r *scrollResult) Err() error { return nil }

// Next returns the next run of rows that are adjacent and ascending in one
// batch as one slice; rows fetched backward come one per slice.
func (r *scrollResult) Next() arrow.RecordBatch {
	r.releaseSlice()
	if r.next >= len(r.rows) {
		return nil
	}
	s := r.cur.scroll
	b, off := s.locate(r.rows[r.next])
	end := r.next + 1
	for end < len(r.rows) && r.rows[end] == r.rows[end-1]+1 {
		if nb, _ := s.locate(r.rows[end]); nb != b {
			break
		}
		end++
	}
	k := int64(end - r.next)
	r.next = end
	r.slice = s.batches[b].NewSlice(off, off+k)
	return r.slice
}

// fetchScroll runs FETCH or MOVE on a SCROLL cursor.
func fetchScroll(cur *cursor, verb, direction string, count int64, all bool) wire.Result {
	rows := cur.scroll.move(direction, count, all)
	if verb == "move" {
		return &cmdResult{tag: "MOVE " + strconv.Itoa(len(rows))}
	}
	return &scrollResult{cursorRows: cursorRows{cur: cur}, rows: rows}
}

func (s *scrollRows) release() {
	for _, b := range s.batches {
		b.Release()
	}
	s.batches, s.starts, s.total = nil, nil, 0
}
