package planner

import (
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
)

// countingResolver counts lookups and can change its answers.
type countingResolver struct {
	mu      sync.Mutex
	tables  map[string]Table // "schema.name"
	lookups atomic.Int64
}

func (r *countingResolver) Lookup(schema, name string) (Table, bool) {
	r.lookups.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.tables[foldName(schema)+"."+foldName(name)]
	return t, ok
}

func (r *countingResolver) set(key string, t *Table) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if t == nil {
		delete(r.tables, key)
	} else {
		r.tables[key] = *t
	}
}

func TestPlanCacheReusesAndRechecks(t *testing.T) {
	res := &countingResolver{tables: map[string]Table{"public.orders": ordersTable}}
	cache := NewPlanCache(0)
	opt := Options{Resolver: res, Cache: cache}
	const sql = "SELECT o.id FROM orders o JOIN pg_class c ON true WHERE o.id = $1; SET application_name = 'x'"

	first, err := PlanQuery(sql, opt)
	if err != nil {
		t.Fatal(err)
	}
	if cache.Len() != 1 {
		t.Fatalf("cache holds %d strings", cache.Len())
	}
	uncached, err := PlanQuery(sql, Options{Resolver: res})
	if err != nil || !reflect.DeepEqual(first, uncached) {
		t.Fatalf("cached plans differ from uncached ones: %v", err)
	}
	before := res.lookups.Load()
	second, err := PlanQuery(sql, opt)
	if err != nil || !reflect.DeepEqual(first, second) {
		t.Fatalf("hit gave different plans: %v", err)
	}
	if res.lookups.Load() == before {
		t.Error("a hit did not ask the resolver again")
	}

	// Callers get copies: changing one does not change the cache.
	second[0].Tables[0].Name = "changed"
	second[0].SQL = "changed"
	second[1].Session.Value = "changed"
	third, _ := PlanQuery(sql, opt)
	if !reflect.DeepEqual(first, third) {
		t.Error("mutating a returned plan changed the cached one")
	}

	// A changed answer (the table became remote) plans again.
	remote := ordersTable
	remote.QueryMode = "remote"
	res.set("public.orders", &remote)
	p, err := PlanQuery(sql, opt)
	if err != nil || p[0].Route != RouteHybrid {
		t.Fatalf("after the table changed: %v %v", p, err)
	}

	// A revoked grant takes effect at once.
	res.set("public.orders", nil)
	if e := planError(t, sql, opt); e.Code != "42P01" {
		t.Errorf("after revoking: %s", e.Code)
	}

	// Refusals are not cached; a grant takes effect at once too.
	res.set("public.orders", &ordersTable)
	if _, err := PlanQuery(sql, opt); err != nil {
		t.Errorf("after granting again: %v", err)
	}
}

func TestPlanCacheKeyedBySearchPath(t *testing.T) {
	cache := NewPlanCache(0)
	p1 := planOne(t, "SELECT * FROM events", Options{Resolver: ordersAndEvents(), SearchPath: []string{"sales"}, Cache: cache})
	if p1.SQL != "SELECT * FROM sales.events" {
		t.Fatalf("SQL %s", p1.SQL)
	}
	if e := planError(t, "SELECT * FROM events", Options{Resolver: ordersAndEvents(), Cache: cache}); e.Code != "42P01" {
		t.Errorf("with the default search path: %s", e.Code)
	}
}

func TestPlanCacheEvictsLeastRecentlyUsed(t *testing.T) {
	cache := NewPlanCache(2)
	opt := Options{Resolver: ordersOnly(), Cache: cache}
	for _, sql := range []string{"SELECT 1", "SELECT 2", "SELECT 1", "SELECT 3"} {
		planOne(t, sql, opt)
	}
	if cache.Len() != 2 {
		t.Fatalf("cache holds %d", cache.Len())
	}
	cache.mu.Lock()
	_, has1 := cache.entries[cacheKey{"SELECT 1", optionsKey(&opt)}]
	_, has2 := cache.entries[cacheKey{"SELECT 2", optionsKey(&opt)}]
	cache.mu.Unlock()
	if !has1 || has2 {
		t.Errorf("kept SELECT 1: %t, kept SELECT 2: %t; want the least recently used (2) evicted", has1, has2)
	}
}

func TestPlanCacheConcurrentUse(t *testing.T) {
	cache := NewPlanCache(8)
	opt := Options{Resolver: ordersOnly(), Cache: cache}
	queries := []string{"SELECT * FROM orders", "SELECT count(*) FROM orders", "SELECT 1", "SHOW search_path",
		"SELECT relname FROM pg_class", "SELECT * FROM orders WHERE id = $1"}
	want := map[string]string{}
	for _, q := range queries {
		want[q] = planOne(t, q, Options{Resolver: ordersOnly()}).String()
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				q := queries[(g+i)%len(queries)]
				plans, err := PlanQuery(q, opt)
				if err != nil || len(plans) != 1 || plans[0].String() != want[q] {
					errs <- q
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for q := range errs {
		t.Errorf("concurrent plan of %q differed", q)
	}
}
