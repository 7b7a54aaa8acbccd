package engine

import (
	bindings "github.com/duckdb/duckdb-go-bindings"
	"github.com/duckdb/duckdb-go/v2"
)

// prepared is one statement prepared on one DuckDB connection of a Conn.
// DuckDB keeps prepared statements per connection, so a text run on several
// connections of a Conn is prepared on each (the connections' caches, a
// Stmt's list). Its fields are guarded by the Conn's mutex.
type prepared struct {
	dc     *duckConn
	sql    string
	handle bindings.PreparedStatement
	kind   duckdb.StmtType
	params []param  // $1..$n as DuckDB typed them when preparing
	cols   []Column // result columns as DuckDB typed them when preparing; nil without rows
	gen    uint64   // the Conn's session generation when prepared
	closed bool
	broken bool // a bind failed: DuckDB keeps the error on the handle until it is prepared again
	cached bool // owned by its connection's statement cache, not by a caller
}

// param is one parameter as DuckDB typed it when preparing. (DuckDB
// re-types a statement's parameters each time it plans it again with bound
// values, so the handle's types cannot be read later.)
type param struct {
	t            bindings.Type        // TypeInvalid when DuckDB could not infer it
	info         duckdb.TypeInfo      // for Describe
	width, scale uint8                // of a DECIMAL
	elem         bindings.LogicalType // element type of a LIST or ARRAY, owned
}

// destroy releases the DuckDB handles.
func (s *prepared) destroy() {
	if s.closed {
		return
	}
	s.closed = true
	bindings.DestroyPrepare(&s.handle)
	s.dropParams()
}

// dropParams releases the parameters' logical types.
func (s *prepared) dropParams() {
	for i := range s.params {
		if s.params[i].elem.Ptr != nil {
			bindings.DestroyLogicalType(&s.params[i].elem)
		}
	}
	s.params = nil
}

// inspect records the parameter and column types DuckDB inferred while
// preparing.
func (s *prepared) inspect() {
	s.params = make([]param, bindings.NParams(s.handle))
	for i := range s.params {
		p := &s.params[i]
		lt := bindings.ParamLogicalType(s.handle, bindings.IdxT(i+1))
		if lt.Ptr == nil {
			p.t = bindings.TypeInvalid
			continue
		}
		p.t = bindings.GetTypeId(lt)
		p.info = typeInfoOf(lt)
		switch p.t {
		case bindings.TypeDecimal:
			p.width, p.scale = bindings.DecimalWidth(lt), bindings.DecimalScale(lt)
		case bindings.TypeList:
			p.elem = bindings.ListTypeChildType(lt)
		case bindings.TypeArray:
			p.elem = bindings.ArrayTypeChildType(lt)
		}
		bindings.DestroyLogicalType(&lt)
	}
	cols := make([]Column, bindings.PreparedStatementColumnCount(s.handle))
	for i := range cols {
		cols[i].Name = bindings.PreparedStatementColumnName(s.handle, bindings.IdxT(i))
		lt := bindings.PreparedStatementColumnLogicalType(s.handle, bindings.IdxT(i))
		cols[i].Type = typeInfoOf(lt) // nil while unresolved (SELECT $1)
		bindings.DestroyLogicalType(&lt)
	}
	if returnsRows(s.kind, cols) {
		s.cols = cols
	}
}

// describe reports parameter and column types (copies: callers may keep
// them).
func (s *prepared) describe() ([]duckdb.TypeInfo, []Column) {
	var params []duckdb.TypeInfo
	if len(s.params) > 0 {
		params = make([]duckdb.TypeInfo, len(s.params))
		for i, p := range s.params {
			params[i] = p.info
		}
	}
	var cols []Column
	if s.cols != nil {
		cols = append([]Column(nil), s.cols...)
	}
	return params, cols
}

// returnsRows tells statements that produce a result set from those whose
// DuckDB result is only a status ("Count" of changed rows, "Success").
func returnsRows(kind duckdb.StmtType, cols []Column) bool {
	switch kind {
	case duckdb.STATEMENT_TYPE_SELECT, duckdb.STATEMENT_TYPE_EXPLAIN, duckdb.STATEMENT_TYPE_CALL,
		duckdb.STATEMENT_TYPE_RELATION, duckdb.STATEMENT_TYPE_EXECUTE, duckdb.STATEMENT_TYPE_LOGICAL_PLAN,
		duckdb.STATEMENT_TYPE_PRAGMA:
		return len(cols) > 0 && !(len(cols) == 1 && cols[0].Name == "Success")
	case duckdb.STATEMENT_TYPE_INSERT, duckdb.STATEMENT_TYPE_UPDATE, duckdb.STATEMENT_TYPE_DELETE:
		// Without RETURNING, DuckDB's only column is the changed-row count.
		return len(cols) > 0 && !(len(cols) == 1 && cols[0].Name == "Count")
	}
	return false
}
