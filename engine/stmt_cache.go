package engine

import "container/list"

// stmtCacheSize is how many prepared statements a Conn keeps, per DuckDB
// connection, for texts it may see again. Clients repeat a handful of statements (their own
// parameterized queries, the driver's catalog probes); preparing one costs
// about 100 µs of parsing and planning, running a prepared one a fraction.
const stmtCacheSize = 32

// stmtCache keeps the most recently used prepared statements of one DuckDB
// connection of a Conn by SQL text. It is guarded by the Conn's mutex.
type stmtCache struct {
	size  int
	order *list.List // of *prepared, most recently used first
	bySQL map[string]*list.Element
}

func (sc *stmtCache) init(size int) {
	sc.size = size
	sc.order = list.New()
	sc.bySQL = make(map[string]*list.Element, size)
}

// get returns the statement prepared for sql, nil when there is none.
func (sc *stmtCache) get(sql string) *prepared {
	e := sc.bySQL[sql]
	if e == nil {
		return nil
	}
	sc.order.MoveToFront(e)
	return e.Value.(*prepared)
}

// put adds s, destroying the least recently used statement when full.
func (sc *stmtCache) put(sql string, s *prepared) {
	if e := sc.bySQL[sql]; e != nil {
		old := e.Value.(*prepared)
		if old != s {
			old.destroy()
		}
		e.Value = s
		sc.order.MoveToFront(e)
		return
	}
	sc.bySQL[sql] = sc.order.PushFront(s)
	for sc.order.Len() > sc.size {
		last := sc.order.Back()
		old := sc.order.Remove(last).(*prepared)
		delete(sc.bySQL, old.sql)
		old.destroy()
	}
}

// clear destroys every cached statement.
func (sc *stmtCache) clear() {
	for e := sc.order.Front(); e != nil; e = e.Next() {
		e.Value.(*prepared).destroy()
	}
	sc.order.Init()
	clear(sc.bySQL)
}
