package planner

import (
	"container/list"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// PlanCache remembers the plans of recent query strings. Planning a
// statement costs three passes through the C parser (parse, deparse, and
// the re-parse that verifies the deparsed SQL); BI tools and drivers send
// the same statements over and over, so a cached plan is reused when the
// same text is planned again with the same options and the resolver gives
// the same answers to every lookup the plan was built from.
//
// The resolver is asked again on every hit, so a revoked grant or a dropped
// table takes effect at once: a different answer to any lookup means the
// string is planned from scratch. Only accepted strings are cached.
//
// A cache must be shared only by calls with the same CatalogRewrite, Compat
// and SandboxName (one cache per gateway); search path, database and limits are
// part of the key. It is safe for concurrent use.
type PlanCache struct {
	mu      sync.Mutex
	max     int
	entries map[cacheKey]*list.Element
	order   *list.List // front = most recently used
}

// DefaultPlanCacheSize is a reasonable number of cached query strings.
const DefaultPlanCacheSize = 4096

// maxCachedLength keeps very long strings out of the cache.
const maxCachedLength = 64 << 10

type cacheKey struct {
	sql     string
	options string
}

type cacheEntry struct {
	key     cacheKey
	plans   []*Plan
	lookups []lookupRecord
}

// lookupRecord is one resolver call and its answer.
type lookupRecord struct {
	schema, name string
	table        Table
	found        bool
}

// NewPlanCache returns a cache holding up to size query strings (0 means
// DefaultPlanCacheSize).
func NewPlanCache(size int) *PlanCache {
	if size <= 0 {
		size = DefaultPlanCacheSize
	}
	return &PlanCache{max: size, entries: map[cacheKey]*list.Element{}, order: list.New()}
}

// Len is the number of cached query strings.
func (c *PlanCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

func optionsKey(opt *Options) string {
	var b strings.Builder
	for _, s := range opt.SearchPath {
		b.WriteString(s)
		b.WriteByte(0)
	}
	b.WriteByte(1)
	b.WriteString(opt.Database)
	for _, n := range []int{opt.maxLength(), opt.maxDepth(), opt.maxStatements()} {
		b.WriteByte(1)
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}

// get returns copies of the cached plans for sql when every recorded lookup
// still gets the same answer.
func (c *PlanCache) get(sql string, opt *Options) ([]*Plan, bool) {
	if len(sql) > maxCachedLength {
		return nil, false
	}
	key := cacheKey{sql, optionsKey(opt)}
	c.mu.Lock()
	el, ok := c.entries[key]
	if ok {
		c.order.MoveToFront(el)
	}
	c.mu.Unlock()
	if !ok {
		return nil, false
	}
	e := el.Value.(*cacheEntry)
	for _, l := range e.lookups {
		var t Table
		found := false
		if opt.Resolver != nil {
			t, found = opt.Resolver.Lookup(l.schema, l.name)
			found = found && t.Name != ""
		}
		if found != l.found || found && t != l.table {
			return nil, false
		}
	}
	out := make([]*Plan, len(e.plans))
	for i, p := range e.plans {
		out[i] = p.clone()
	}
	return out, true
}

func (c *PlanCache) put(sql string, opt *Options, plans []*Plan, lookups []lookupRecord) {
	if len(sql) > maxCachedLength {
		return
	}
	key := cacheKey{sql, optionsKey(opt)}
	stored := make([]*Plan, len(plans))
	for i, p := range plans {
		stored[i] = p.clone()
	}
	e := &cacheEntry{key: key, plans: stored, lookups: slices.Clone(lookups)}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		el.Value = e
		c.order.MoveToFront(el)
		return
	}
	c.entries[key] = c.order.PushFront(e)
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.entries, last.Value.(*cacheEntry).key)
	}
}

// clone is a deep copy of a plan.
func (p *Plan) clone() *Plan {
	if p == nil {
		return nil
	}
	c := *p
	c.Tables = slices.Clone(p.Tables)
	c.Catalog = slices.Clone(p.Catalog)
	c.Functions = slices.Clone(p.Functions)
	c.Targets = slices.Clone(p.Targets)
	c.Constants = slices.Clone(p.Constants)
	c.Sources = slices.Clone(p.Sources)
	if p.Source != nil {
		t := *p.Source
		c.Source = &t
	}
	c.Explain = p.Explain.clone()
	if p.Session != nil {
		s := *p.Session
		s.Inner = p.Session.Inner.clone()
		s.ParamTypes = slices.Clone(s.ParamTypes)
		s.Params = slices.Clone(s.Params)
		s.ParamNull = slices.Clone(s.ParamNull)
		if s.ReadOnly != nil {
			v := *s.ReadOnly
			s.ReadOnly = &v
		}
		if s.Deferrable != nil {
			v := *s.Deferrable
			s.Deferrable = &v
		}
		c.Session = &s
	}
	if p.Copy != nil {
		cp := *p.Copy
		cp.ForceQuote = slices.Clone(cp.ForceQuote)
		c.Copy = &cp
	}
	return &c
}
