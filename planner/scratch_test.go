package planner

import (
	"database/sql"
	"fmt"
	"os"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

func TestScratchFuncs(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query("SELECT DISTINCT function_name, function_type, schema_name FROM duckdb_functions() ORDER BY 1,2")
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.Create("/tmp/duckfuncs.txt")
	for rows.Next() {
		var n, ty, s string
		rows.Scan(&n, &ty, &s)
		fmt.Fprintf(f, "%s\t%s\t%s\n", n, ty, s)
	}
	f.Close()
}
