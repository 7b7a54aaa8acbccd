package planner

import (
	"strings"
	"testing"

	"github.com/keboola/agnes/pgerr"
)

// registryResolver answers from a fixed registry filtered by a grant set,
// the way the gateway's resolver does: an ungranted table is simply not
// returned.
type registryResolver struct {
	registry []Table
	granted  map[string]bool // table IDs
}

func (r registryResolver) Lookup(schema, name string) (Table, bool) {
	if schema == "" {
		schema = "public"
	}
	for _, t := range r.registry {
		if strings.EqualFold(t.Schema, schema) && strings.EqualFold(t.Name, name) && r.granted[t.ID] {
			return t, true
		}
	}
	return Table{}, false
}

var (
	ordersTable    = Table{ID: "t_orders", Schema: "public", Name: "orders", QueryMode: "local"}
	customersTable = Table{ID: "t_customers", Schema: "public", Name: "customers", QueryMode: "local"}
	productsTable  = Table{ID: "t_products", Schema: "public", Name: "products", QueryMode: "local"}
	eventsTable    = Table{ID: "t_events", Schema: "sales", Name: "events", QueryMode: "remote"}
	testRegistry   = []Table{ordersTable, customersTable, productsTable, eventsTable}
)

// ordersOnly may read orders and nothing else; the registry also holds
// customers and products.
func ordersOnly() Resolver {
	return registryResolver{registry: testRegistry, granted: map[string]bool{"t_orders": true}}
}

// ordersAndEvents may read orders and the remote sales.events.
func ordersAndEvents() Resolver {
	return registryResolver{registry: testRegistry, granted: map[string]bool{"t_orders": true, "t_events": true}}
}

func testOptions() Options {
	return Options{Resolver: ordersOnly()}
}

// planOne plans a single-statement string that must be accepted.
func planOne(t *testing.T, sql string, opt Options) *Plan {
	t.Helper()
	plans, err := PlanQuery(sql, opt)
	if err != nil {
		t.Fatalf("PlanQuery(%q) failed: %v", sql, err)
	}
	if len(plans) != 1 {
		t.Fatalf("PlanQuery(%q) gave %d plans, want 1", sql, len(plans))
	}
	return plans[0]
}

// planError plans a string that must be refused and returns the error.
func planError(t *testing.T, sql string, opt Options) *pgerr.Error {
	t.Helper()
	plans, err := PlanQuery(sql, opt)
	if err == nil {
		var got []string
		for _, p := range plans {
			got = append(got, p.String())
		}
		t.Fatalf("PlanQuery(%q) accepted it:\n%s", sql, strings.Join(got, "\n"))
	}
	if plans != nil {
		t.Fatalf("PlanQuery(%q) returned plans with the error %v", sql, err)
	}
	pe, ok := err.(*pgerr.Error)
	if !ok {
		t.Fatalf("PlanQuery(%q) error %T %v is not a *pgerr.Error", sql, err, err)
	}
	return pe
}

// executedSQL is the SQL DuckDB would run for a plan, whatever its kind.
func executedSQL(p *Plan) string {
	switch {
	case p.Explain != nil:
		return p.Explain.SQL
	case p.Session != nil && p.Session.Inner != nil:
		return p.Session.Inner.SQL
	}
	return p.SQL
}

// clientStatements are the statements real drivers sent (testdata/clients,
// captured from a PostgreSQL server log), with the log's comment lines
// removed.
func clientStatements(t testing.TB) []string {
	t.Helper()
	return corpusFiles(t, "clients")
}
