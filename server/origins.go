package server

import (
	"strings"

	"github.com/keboola/agnes/pgcompat"
	"github.com/keboola/agnes/planner"
	"github.com/keboola/agnes/wire"
)

// columnOrigins tells, for the result columns named names of plan p, which
// table column each is a plain reference to: the pg_class OID of the
// table (as the compatibility catalog numbers it) and the column's
// position. Drivers put them in their result metadata (pgjdbc's
// getBaseTableName and isNullable, Npgsql's GetSchemaTable) and look them
// up in pg_attribute. A reference counts when it names a table of the
// statement's own FROM clause (joins included) by its alias, or is
// unqualified and only one of those tables has the column; SELECT * is
// resolved for a single table. Nil when no column has an origin.
func (s *session) columnOrigins(p *planner.Plan, names []string) []wire.Origin {
	if s.res == nil {
		return nil
	}
	out := make([]wire.Origin, len(names))
	found := false
	set := func(i int, t planner.Table, column string) bool {
		if a := s.res.attnum(t, column); a > 0 {
			out[i] = wire.Origin{TableOID: pgcompat.RelationOID(pgSchema(t.Schema), t.Name), AttNum: a}
			found = true
			return true
		}
		return false
	}
	switch {
	case p.Targets == nil && p.Source != nil:
		// SELECT *: exactly the table's columns, in order.
		cols := s.res.columns[p.Source.ID]
		if len(names) != len(cols) {
			return nil
		}
		for i, n := range names {
			if !strings.EqualFold(n, cols[i]) {
				return nil
			}
			set(i, *p.Source, n)
		}
	case len(p.Targets) == len(names) && len(p.Sources) > 0:
		for i, t := range p.Targets {
			if t.Column == "" || t.Type != "" || t.Function != "" {
				continue
			}
			var match *planner.Source
			candidates := 0
			for j := range p.Sources {
				src := &p.Sources[j]
				if t.Qualifier != "" {
					if src.Name == t.Qualifier {
						match, candidates = src, 1
						break
					}
					continue
				}
				if s.res.attnum(src.Table, t.Column) > 0 {
					match = src
					candidates++
				}
			}
			if candidates == 1 {
				set(i, match.Table, t.Column)
			}
		}
	}
	if !found {
		return nil
	}
	return out
}

// attnum is the position (from 1) of column in table t, 0 when it has no
// such column.
func (r *resolver) attnum(t planner.Table, column string) int16 {
	for i, c := range r.columns[t.ID] {
		if strings.EqualFold(c, column) {
			return int16(i + 1)
		}
	}
	return 0
}

// hasSources reports whether p reads tables whose columns can be origins;
// the per-statement origin lookup is skipped otherwise.
func hasSources(p *planner.Plan) bool { return p.Source != nil || len(p.Sources) > 0 }
