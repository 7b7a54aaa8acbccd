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
// getTableName and isNullable, Npgsql's GetSchemaTable) and look them up
// in pg_attribute. Nil when the statement does not read exactly one table
// or no column is such a reference.
func (s *session) columnOrigins(p *planner.Plan, names []string) []wire.Origin {
	if p.Source == nil || s.res == nil {
		return nil
	}
	cols := s.res.columns[p.Source.ID]
	if len(cols) == 0 {
		return nil
	}
	attnum := func(name string) int16 {
		for i, c := range cols {
			if strings.EqualFold(c, name) {
				return int16(i + 1)
			}
		}
		return 0
	}
	oid := pgcompat.RelationOID(pgSchema(p.Source.Schema), p.Source.Name)
	out := make([]wire.Origin, len(names))
	found := false
	set := func(i int, column string) {
		if a := attnum(column); a > 0 {
			out[i] = wire.Origin{TableOID: oid, AttNum: a}
			found = true
		}
	}
	switch {
	case p.Targets == nil:
		// SELECT *: exactly the table's columns, in order.
		if len(names) != len(cols) {
			return nil
		}
		for i, n := range names {
			if !strings.EqualFold(n, cols[i]) {
				return nil
			}
			set(i, n)
		}
	case len(p.Targets) == len(names):
		for i, t := range p.Targets {
			if t.Column != "" && t.Type == "" && t.Function == "" {
				set(i, t.Column)
			}
		}
	}
	if !found {
		return nil
	}
	return out
}
