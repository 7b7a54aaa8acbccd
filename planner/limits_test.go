package planner

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"github.com/pganalyze/pg_query_go/v6/parser"

	"github.com/keboola/agnes/pgerr"
)

// probeEnv makes the test binary run one probe and exit instead of running
// tests: a crash in the C parser then kills only that child process, and the
// parent test sees it as a failure.
const probeEnv = "AGNES_PLANNER_PROBE"

func TestMain(m *testing.M) {
	if spec := os.Getenv(probeEnv); spec != "" {
		os.Exit(runProbe(spec))
	}
	// Every SELECT the planner prints with the Go printer is compared with
	// the C deparser's text (not while benchmarking, which would time the
	// comparison too), and printer panics are not hidden.
	flag.Parse()
	if bench := flag.Lookup("test.bench"); bench == nil || bench.Value.String() == "" {
		checkPrinted = comparePrinted
	}
	rethrowPrintPanics = true
	os.Exit(m.Run())
}

// nestingShapes generate statements whose parse tree is n levels deep.
var nestingShapes = map[string]func(n int) string{
	"plus":     func(n int) string { return "SELECT 1" + strings.Repeat("+1", n) },
	"concat":   func(n int) string { return "SELECT 'a'" + strings.Repeat("||'a'", n) },
	"cast":     func(n int) string { return "SELECT 1" + strings.Repeat("::int", n) },
	"jsonop":   func(n int) string { return "SELECT '{}'::json" + strings.Repeat("->'a'", n) },
	"collate":  func(n int) string { return "SELECT 'a'" + strings.Repeat(` COLLATE "C"`, n) },
	"timezone": func(n int) string { return "SELECT now()" + strings.Repeat(" AT TIME ZONE 'UTC'", n) },
	"isnull":   func(n int) string { return "SELECT 1" + strings.Repeat(" IS NOT NULL = true", n) },
	"not":      func(n int) string { return "SELECT " + strings.Repeat("NOT ", n) + "true" },
	"minus":    func(n int) string { return "SELECT " + strings.Repeat("- ", n) + "1" },
	"parens":   func(n int) string { return "SELECT " + strings.Repeat("(", n) + "1" + strings.Repeat(")", n) },
	"func":     func(n int) string { return "SELECT " + strings.Repeat("abs(", n) + "1" + strings.Repeat(")", n) },
	"array":    func(n int) string { return "SELECT " + strings.Repeat("ARRAY[", n) + "1" + strings.Repeat("]", n) },
	"row":      func(n int) string { return "SELECT " + strings.Repeat("ROW(", n) + "1" + strings.Repeat(")", n) },
	"case": func(n int) string {
		return "SELECT " + strings.Repeat("CASE WHEN ", n) + "true" + strings.Repeat(" THEN 1 END", n)
	},
	"subquery": func(n int) string { return strings.Repeat("SELECT (", n) + "SELECT 1" + strings.Repeat(")", n) },
	"fromsub": func(n int) string {
		return strings.Repeat("SELECT * FROM (", n) + "SELECT 1" + strings.Repeat(") s", n)
	},
	"cte": func(n int) string {
		return strings.Repeat("WITH a AS (", n) + "SELECT 1" + strings.Repeat(") SELECT * FROM a", n)
	},
	"union": func(n int) string { return "SELECT 1" + strings.Repeat(" UNION SELECT 1", n) },
	"join":  func(n int) string { return "SELECT 1 FROM orders" + strings.Repeat(" JOIN orders ON true", n) },
	// Wide, not deep: must be accepted at any size that fits the length limit.
	"or":     func(n int) string { return "SELECT 1 FROM orders WHERE " + strings.Repeat("id = 1 OR ", n) + "true" },
	"inlist": func(n int) string { return "SELECT 1 IN (1" + strings.Repeat(",1", n) + ")" },
}

// runProbe plans (or, for measuring, just parses and deparses) one
// generated statement per size and prints the outcome of each.
func runProbe(spec string) int {
	// The server parses on goroutines whose threads have fixed-size stacks;
	// pin this goroutine to the main thread (whose stack can grow) so the
	// probe runs on another one, as in production.
	runtime.LockOSThread()
	done := make(chan int)
	go func() { done <- probeSizes(spec) }()
	return <-done
}

func probeSizes(spec string) int {
	// spec: shape:mode:n1,n2,...
	parts := strings.SplitN(spec, ":", 3)
	gen := nestingShapes[parts[0]]
	for _, s := range strings.Split(parts[2], ",") {
		n, _ := strconv.Atoi(s)
		sql := gen(n)
		switch parts[1] {
		case "plan":
			_, err := PlanQuery(sql, testOptions())
			code := "ok"
			if err != nil {
				pe, ok := err.(*pgerr.Error)
				if !ok {
					fmt.Printf("%d not-a-pgerr %v\n", n, err)
					continue
				}
				code = pe.Code
			}
			fmt.Printf("%d %s\n", n, code)
		case "cparse": // the C parser and its protobuf output only
			if _, err := parser.ParseToProtobuf(sql); err != nil {
				fmt.Printf("%d error\n", n)
			} else {
				fmt.Printf("%d ok\n", n)
			}
		case "parse", "deparse": // the Go tree, then (deparse) back to SQL
			tree, err := pg_query.Parse(sql)
			if err == nil && parts[1] == "deparse" {
				_, err = pg_query.Deparse(tree)
			}
			if err != nil {
				fmt.Printf("%d error\n", n)
			} else {
				fmt.Printf("%d ok\n", n)
			}
		}
	}
	return 0
}

// probe runs runProbe in a child process and returns its lines, or the
// crash.
func probe(t *testing.T, shape, mode string, sizes []int) (map[int]string, error) {
	t.Helper()
	strs := make([]string, len(sizes))
	for i, n := range sizes {
		strs[i] = strconv.Itoa(n)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s:%s:%s", probeEnv, shape, mode, strings.Join(strs, ",")))
	out, err := cmd.CombinedOutput()
	got := map[int]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var n int
		var res string
		if _, scanErr := fmt.Sscanf(line, "%d %s", &n, &res); scanErr == nil {
			got[n] = res
		}
	}
	if err != nil {
		last := string(out)
		if len(last) > 300 {
			last = last[:300]
		}
		return got, fmt.Errorf("child process failed (%v) after %d sizes: %s", err, len(got), last)
	}
	return got, nil
}

// No input crashes the server. Each shape is planned at sizes from harmless
// to far past the depth that crashed pg_query (doc.go), in a child process:
// small sizes are accepted, large ones refused with 54001, nothing crashes.
func TestNestingLimitsKeepTheProcessAlive(t *testing.T) {
	sizes := []int{50, 400, 1000, 2500, 4400, 10000, 30000, 100000}
	for shape, gen := range nestingShapes {
		t.Run(shape, func(t *testing.T) {
			t.Parallel()
			got, err := probe(t, shape, "plan", sizes)
			if err != nil {
				t.Fatal(err)
			}
			wide := shape == "or" || shape == "inlist"
			for _, n := range sizes {
				res, ok := got[n]
				tooLong := len(gen(n)) > DefaultMaxLength
				switch {
				case !ok:
					t.Errorf("size %d: no result", n)
				case strings.HasPrefix(res, "not-a-pgerr"):
					t.Errorf("size %d: error is not a *pgerr.Error", n)
				case n <= 50 && res != "ok":
					t.Errorf("size %d: %s, want accepted", n, res)
				case tooLong:
					if res != pgerr.ProgramLimitExceeded {
						t.Errorf("size %d is longer than the limit: %s, want %s", n, res, pgerr.ProgramLimitExceeded)
					}
				case wide && res != "ok":
					t.Errorf("size %d of a wide statement: %s, want accepted", n, res)
				case !wide && n >= 4400 && res != pgerr.StatementTooComplex:
					t.Errorf("size %d: %s, want %s", n, res, pgerr.StatementTooComplex)
				case res != "ok" && res != pgerr.StatementTooComplex:
					t.Errorf("size %d: unexpected %s", n, res)
				}
			}
		})
	}
}

// TestMeasureParserCrashDepth measures, per shape and without the
// planner's limits: the size at which the C parser crashes, the size from
// which Go refuses to decode the tree, and the size at which deparsing a
// decodable tree crashes. It is slow and only runs on request:
//
//	AGNES_MEASURE_PARSER_LIMITS=1 go test -tags duckdb_arrow -run TestMeasureParserCrashDepth -v ./planner/
//
// The numbers are recorded in doc.go; re-measure after upgrading
// pg_query_go and keep maxEstimatedNesting and DefaultMaxDepth well below.
func TestMeasureParserCrashDepth(t *testing.T) {
	if os.Getenv("AGNES_MEASURE_PARSER_LIMITS") == "" {
		t.Skip("set AGNES_MEASURE_PARSER_LIMITS=1 to measure")
	}
	const top = 1 << 19
	// first returns the smallest size in [lo, hi) at which bad holds
	// (assumed monotonic there), or hi.
	first := func(shape, mode string, lo, hi int, bad func(res string, crashed bool) bool) int {
		test := func(n int) bool {
			got, err := probe(t, shape, mode, []int{n})
			return bad(got[n], err != nil)
		}
		if !test(hi - 1) {
			return hi
		}
		for hi-lo > 1 {
			mid := (lo + hi) / 2
			if test(mid) {
				hi = mid
			} else {
				lo = mid
			}
		}
		return hi
	}
	crashed := func(_ string, crashed bool) bool { return crashed }
	failed := func(res string, crashed bool) bool { return crashed || res != "ok" }
	for _, shape := range []string{"plus", "cast", "not", "parens", "func", "case", "subquery", "union", "join"} {
		cCrash := first(shape, "cparse", 1, top, crashed)
		decode := first(shape, "parse", 1, min(cCrash, top), failed)
		deparseCrash := first(shape, "deparse", 1, decode, crashed)
		show := func(n, none int) string {
			if n >= none {
				return "none"
			}
			return strconv.Itoa(n)
		}
		t.Logf("%-9s C parser crashes at %6s; parser or Go decoder refuses from %6s; deparse crashes at %6s",
			shape, show(cCrash, top), show(decode, top), show(deparseCrash, decode))
	}
}

func TestInputLimits(t *testing.T) {
	cases := []struct {
		name string
		sql  string
		opt  Options
		code string
	}{
		{"too long", "SELECT 1 " + strings.Repeat(" ", DefaultMaxLength), testOptions(), pgerr.ProgramLimitExceeded},
		{"configured length", "SELECT 12345", Options{Resolver: ordersOnly(), MaxLength: 10}, pgerr.ProgramLimitExceeded},
		{"invalid UTF-8", "SELECT '\xff'", testOptions(), pgerr.CharacterNotInRepertoire},
		{"NUL cuts nothing short", "SELECT 1\x00; DROP TABLE orders", testOptions(), pgerr.CharacterNotInRepertoire},
		{"too many statements", strings.Repeat("SELECT 1;", DefaultMaxStatements+1), testOptions(), pgerr.ProgramLimitExceeded},
		{"configured depth", "SELECT abs(abs(abs(abs(abs(abs(1))))))", Options{Resolver: ordersOnly(), MaxDepth: 10}, pgerr.StatementTooComplex},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if e := planError(t, tc.sql, tc.opt); e.Code != tc.code {
				t.Errorf("code %s (%s), want %s", e.Code, e.Message, tc.code)
			}
		})
	}
	// At the limits, still accepted.
	planOne(t, "SELECT 1"+strings.Repeat(" ", DefaultMaxLength-len("SELECT 1")), testOptions())
	if plans, err := PlanQuery(strings.Repeat("SELECT 1;", DefaultMaxStatements), testOptions()); err != nil || len(plans) != DefaultMaxStatements {
		t.Errorf("%d statements: %d plans, %v", DefaultMaxStatements, len(plans), err)
	}
}

func TestNestingEstimates(t *testing.T) {
	cases := []struct {
		sql         string
		rough, scan int
	}{
		{"SELECT 1", 0, 0},
		{"SELECT 1+1+1", 2, 2},
		// Brackets count as a level on top of the chain around them.
		{"SELECT (1+(1+1))", 4, 4},
		// Operators in strings and comments count only roughly.
		{"SELECT '+++' -- +++\n", 8, 0},
		// OR, AND and commas end a chain; JOINs do not.
		{"SELECT a=1 OR b=2 OR c=3", 5, 1},
		{"SELECT f(1+1, 1+1)", 3, 2},
		{"SELECT 1 FROM a JOIN b ON x=1 JOIN c ON y=1", 4, 4},
		{"SELECT CASE WHEN a=1 THEN b+1 ELSE c END", 3, 2},
	}
	for _, tc := range cases {
		if got := roughNesting(tc.sql); got != tc.rough {
			t.Errorf("roughNesting(%q) = %d, want %d", tc.sql, got, tc.rough)
		}
		got, err := scannedNesting(tc.sql)
		if err != nil || got != tc.scan {
			t.Errorf("scannedNesting(%q) = %d, %v, want %d", tc.sql, got, err, tc.scan)
		}
	}
}
