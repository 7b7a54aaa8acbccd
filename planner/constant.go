package planner

import (
	"strconv"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// A constant query (SELECT 1, SELECT 'ok' AS status, SELECT true) is what
// connection pools and drivers send to check a connection: HikariCP's and
// pgjdbc's validation query, SQLAlchemy's pool_pre_ping, Grafana's and
// Metabase's health checks. Its one row is known at plan time, so the
// gateway answers it without the engine; the plan lists the values.

// Constant is one column of a constant query's single row.
type Constant struct {
	Name string
	// Type is int4, int8, text or bool, as PostgreSQL types the literal.
	Type  string
	Null  bool
	Value string // PostgreSQL's text form
}

// constantRow returns the row of a rewritten SELECT made only of literal
// targets, or nil when the statement is anything else.
func constantRow(node *pg_query.Node) []Constant {
	s := node.GetSelectStmt()
	if s == nil || s.Op != pg_query.SetOperation_SETOP_NONE || len(s.TargetList) == 0 ||
		len(s.FromClause) > 0 || s.WhereClause != nil || len(s.GroupClause) > 0 || s.HavingClause != nil ||
		len(s.WindowClause) > 0 || len(s.ValuesLists) > 0 || len(s.SortClause) > 0 || s.LimitCount != nil ||
		s.LimitOffset != nil || len(s.LockingClause) > 0 || s.WithClause != nil || len(s.DistinctClause) > 0 ||
		s.IntoClause != nil {
		return nil
	}
	row := make([]Constant, 0, len(s.TargetList))
	for _, t := range s.TargetList {
		rt := t.GetResTarget()
		if rt == nil || rt.Name == "" || len(rt.Indirection) > 0 {
			return nil
		}
		c, ok := literal(rt.Val)
		if !ok {
			return nil
		}
		c.Name = rt.Name
		row = append(row, c)
	}
	return row
}

// literal types a constant as PostgreSQL does in a result column: an
// integer that fits int4 is int4, a larger one int8; a string is text; a
// bare NULL has been cast to text by the naming pass. Anything else
// (numeric, other casts, expressions) is left to the engine.
func literal(n *pg_query.Node) (Constant, bool) {
	if tc := n.GetTypeCast(); tc != nil {
		c := tc.Arg.GetAConst()
		if c == nil || !c.Isnull || len(tc.TypeName.ArrayBounds) > 0 || baseTypeName(tc.TypeName) != "text" {
			return Constant{}, false
		}
		return Constant{Type: "text", Null: true}, true
	}
	c := n.GetAConst()
	if c == nil || c.Isnull {
		return Constant{}, false
	}
	switch v := c.Val.(type) {
	case *pg_query.A_Const_Ival:
		return Constant{Type: "int4", Value: strconv.FormatInt(int64(v.Ival.Ival), 10)}, true
	case *pg_query.A_Const_Fval:
		// The grammar keeps integers beyond int4 as text; PostgreSQL types
		// them int8 when they fit, numeric otherwise.
		if i, err := strconv.ParseInt(v.Fval.Fval, 10, 64); err == nil {
			return Constant{Type: "int8", Value: strconv.FormatInt(i, 10)}, true
		}
	case *pg_query.A_Const_Sval:
		return Constant{Type: "text", Value: v.Sval.Sval}, true
	case *pg_query.A_Const_Boolval:
		if v.Boolval.Boolval {
			return Constant{Type: "bool", Value: "t"}, true
		}
		return Constant{Type: "bool", Value: "f"}, true
	}
	return Constant{}, false
}
