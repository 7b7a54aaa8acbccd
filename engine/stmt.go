package engine

import (
	"context"
	"slices"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"
)

// Stmt is one statement prepared on a Conn: parsed, bound and planned once,
// then run any number of times with different parameters (the extended
// protocol's Parse once, Bind/Execute many). Its methods are serialized
// with the Conn's.
//
// DuckDB plans a parameterized statement again at every run when the
// values could change the plan (a parameter compared with a scanned
// column, which DuckDB pushes into the scan); reuse then saves the parsing
// only. A Stmt is prepared again by itself when the session changed how
// names resolve (SET search_path, DDL, SET VARIABLE).
//
// A Stmt run while a result of the Conn (its own earlier run included) is
// still being read runs on another DuckDB connection of the Conn, where it
// is prepared once more (see Conn).
type Stmt struct {
	conn   *Conn
	sql    string
	kind   duckdb.StmtType
	preps  []*prepared // at most one per DuckDB connection of the Conn
	closed bool
}

// Describe returns the statement's parameter types ($1..$n; nil for an
// unknown type) and result columns (nil when it returns no rows), like
// Conn.Describe.
func (s *Stmt) Describe() (params []duckdb.TypeInfo, cols []Column, err error) {
	c := s.conn
	c.mu.Lock()
	defer c.mu.Unlock()
	if s.closed || c.closed {
		return nil, nil, errConnClosed
	}
	for _, p := range s.preps {
		if p.gen == c.gen && !p.broken {
			params, cols = p.describe()
			return params, cols, nil
		}
	}
	p, err := s.on(context.Background(), true)
	if err != nil {
		return nil, nil, err
	}
	params, cols = p.describe()
	return params, cols, nil
}

// Query runs the statement with args and streams its result, like
// Conn.Query. A result of an earlier run still being read stays readable.
func (s *Stmt) Query(ctx context.Context, args ...any) (array.RecordReader, error) {
	if err := ctx.Err(); err != nil {
		return nil, TranslateError(err)
	}
	c := s.conn
	c.mu.Lock()
	defer c.mu.Unlock()
	p, err := s.on(ctx, runsAnywhere[s.kind])
	if err != nil {
		return nil, err
	}
	return c.query(ctx, p, args)
}

// Exec runs the statement with args and discards its rows.
func (s *Stmt) Exec(ctx context.Context, args ...any) error {
	if err := ctx.Err(); err != nil {
		return TranslateError(err)
	}
	c := s.conn
	c.mu.Lock()
	defer c.mu.Unlock()
	p, err := s.on(ctx, runsAnywhere[s.kind])
	if err != nil {
		return err
	}
	return c.exec(ctx, p, args)
}

// Close releases the prepared statement. Results it returned stay readable.
func (s *Stmt) Close() error {
	c := s.conn
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.stmts, s)
	s.destroy()
	return nil
}

// on returns the statement prepared on the connection it is to run on
// next (chosen as by Conn.choose), preparing it there if needed. The
// caller holds the Conn's mutex.
func (s *Stmt) on(ctx context.Context, anywhere bool) (*prepared, error) {
	c := s.conn
	if s.closed || c.closed {
		return nil, errConnClosed
	}
	dc, err := c.choose(ctx, anywhere)
	if err != nil {
		return nil, err
	}
	if i := slices.IndexFunc(s.preps, func(p *prepared) bool { return p.dc == dc }); i >= 0 {
		p := s.preps[i]
		if err := c.refresh(p); err != nil {
			return nil, err
		}
		return p, nil
	}
	p, err := c.prepare(dc, s.sql)
	if err != nil {
		return nil, err
	}
	s.preps = append(s.preps, p)
	return p, nil
}

// forget destroys the statement's preparation on dc, which is going away.
func (s *Stmt) forget(dc *duckConn) {
	s.preps = slices.DeleteFunc(s.preps, func(p *prepared) bool {
		if p.dc == dc {
			p.destroy()
			return true
		}
		return false
	})
}

// destroy releases the DuckDB handles; the Conn's mutex is held.
func (s *Stmt) destroy() {
	if s.closed {
		return
	}
	s.closed = true
	for _, p := range s.preps {
		p.destroy()
	}
	s.preps = nil
}
