package planner

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// biQueries are ~20 statements BI tools and drivers send (testdata/clients):
// catalog browsing, metadata, typed and parameterised queries.
func biQueries(b *testing.B) []string {
	var out []string
	for _, s := range clientStatements(b) {
		upper := strings.ToUpper(s)
		if !strings.HasPrefix(upper, "SELECT") && !strings.HasPrefix(upper, "WITH") {
			continue
		}
		if _, err := PlanQuery(s, testOptions()); err == nil { // the permission-error probes are refused
			out = append(out, s)
		}
	}
	// Spread over the corpus rather than taking one client's statements.
	step := max(1, len(out)/20)
	var picked []string
	for i := 0; i < len(out) && len(picked) < 20; i += step {
		picked = append(picked, out[i])
	}
	return picked
}

// BenchmarkPlanQuery plans BI statements one per operation (ns/op is per
// statement) and reports the median and 90th percentile per statement:
// "cold" plans every statement from scratch, "cached" with a PlanCache (the
// steady state of a gateway whose clients repeat their statements).
func BenchmarkPlanQuery(b *testing.B) {
	queries := biQueries(b)
	b.Run("cold", func(b *testing.B) { benchmarkPlan(b, queries, testOptions()) })
	cached := testOptions()
	cached.Cache = NewPlanCache(0)
	b.Run("cached", func(b *testing.B) { benchmarkPlan(b, queries, cached) })
}

func benchmarkPlan(b *testing.B, queries []string, opt Options) {
	durations := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q := queries[i%len(queries)]
		start := time.Now()
		if _, err := PlanQuery(q, opt); err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(durations)
	b.ReportMetric(float64(durations[len(durations)/2].Nanoseconds())/1e3, "p50-µs/stmt")
	b.ReportMetric(float64(durations[len(durations)*9/10].Nanoseconds())/1e3, "p90-µs/stmt")
}

// BenchmarkPlanStages splits a cold plan of each BI statement into its
// stages and reports each stage's median per statement: parse (pg_query),
// analyse + authorise + rewrite of the tree, and printing the rewritten
// tree back to SQL with its verification (deparse).
func BenchmarkPlanStages(b *testing.B) {
	queries := biQueries(b)
	opt := testOptions()
	var parseT, treeT, deparseT, totalT []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q := queries[i%len(queries)]
		start := time.Now()
		stmts, err := parse(q, &opt)
		if err != nil || len(stmts) != 1 || stmts[0].node.GetSelectStmt() == nil {
			continue
		}
		parsed := time.Now()
		p := &planner{opt: &opt, sql: q, version: stmts[0].version}
		node := stmts[0].node
		a, err := analyzeQuery(node, opt.maxDepth())
		if err != nil {
			b.Fatal(err)
		}
		g, err := p.authorize(a)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := p.rewrite(node, a, g); err != nil {
			b.Fatal(err)
		}
		rewritten := time.Now()
		// rewrite ends by deparsing and verifying: time that part again on
		// the rewritten tree to separate it.
		sql, err := deparse(p.version, node)
		if err != nil {
			b.Fatal(err)
		}
		if err := verifyDeparsed(sql, nodeType(node)); err != nil {
			b.Fatal(err)
		}
		printed := time.Since(rewritten)
		parseT = append(parseT, parsed.Sub(start))
		deparseT = append(deparseT, printed)
		treeT = append(treeT, rewritten.Sub(parsed)-printed)
		totalT = append(totalT, rewritten.Sub(start))
	}
	b.StopTimer()
	med := func(d []time.Duration) float64 {
		if len(d) == 0 {
			return 0
		}
		slices.Sort(d)
		return float64(d[len(d)/2].Nanoseconds()) / 1e3
	}
	b.ReportMetric(med(parseT), "parse-p50-µs")
	b.ReportMetric(med(treeT), "analyse+authorise+rewrite-p50-µs")
	b.ReportMetric(med(deparseT), "deparse+verify-p50-µs")
	b.ReportMetric(med(totalT), "total-p50-µs")
}
