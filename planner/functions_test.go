package planner

import (
	"database/sql"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// Every function DuckDB knows must be classified in functions.go, so that a
// DuckDB upgrade cannot make a new function reachable without review. The
// test asks a real DuckDB.
func TestFunctionsClassified(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT DISTINCT function_name, function_type FROM duckdb_functions() ORDER BY 1, 2")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	pragmas := setOf(pragmaFunctions...)
	n := 0
	var unclassified []string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			t.Fatal(err)
		}
		n++
		folded := foldName(name)
		pol, known := functionPolicies[folded]
		switch typ {
		case "scalar", "aggregate", "macro":
			if !known || !pol.expr && pol.reason == "" {
				unclassified = append(unclassified, name+" ("+typ+")")
			}
		case "table", "table_macro":
			if !known || !pol.from && pol.reason == "" {
				unclassified = append(unclassified, name+" ("+typ+")")
			}
		case "pragma":
			if !pragmas[name] {
				unclassified = append(unclassified, name+" (pragma)")
			}
		default:
			unclassified = append(unclassified, name+" (unknown type "+typ+")")
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 500 {
		t.Fatalf("DuckDB listed only %d functions", n)
	}
	if len(unclassified) > 0 {
		t.Errorf("%d DuckDB functions are not classified in functions.go; decide for each whether it is allowed (and where) or denied (and why):\n  %s",
			len(unclassified), strings.Join(unclassified, "\n  "))
	}
}

// The lists in functions.go hold folded names, as the planner looks them
// up (DuckDB's formatReadableSize is listed as formatreadablesize).
func TestFunctionListsAreFolded(t *testing.T) {
	for name := range functionPolicies {
		if foldName(name) != name {
			t.Errorf("%s is not folded; list it as %s", name, foldName(name))
		}
	}
}

// Denied functions are refused in both positions with the reason.
func TestDeniedFunctionsRefusedEverywhere(t *testing.T) {
	for reason, names := range deniedFunctions {
		for _, name := range names {
			pol := functionPolicies[name]
			for _, inFrom := range []bool{false, true} {
				if inFrom && pol.from || !inFrom && pol.expr {
					continue
				}
				e := checkFunction(&functionRef{name: name, parts: 1, inFrom: inFrom})
				if e == nil || e.Code != "42501" || !strings.Contains(e.Message, reason) {
					t.Errorf("%s (in FROM: %t): %v", name, inFrom, e)
				}
			}
		}
	}
}
