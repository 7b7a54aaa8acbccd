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
