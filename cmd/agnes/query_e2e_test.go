package main

import (
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestRemoteQueryAndDiscovery runs queries through the gateway and the
// discovery commands before and after a pull.
func TestRemoteQueryAndDiscovery(t *testing.T) {
	s := startLiveServer(t)
	token := s.analyst("rex@example.com", "orders", "products")
	ws := t.TempDir()

	// --remote: same formats as local, answers from the gateway.
	cases := []struct {
		name, format, sql, want string
	}{
		{"csv", "csv", "SELECT count(*) AS n FROM orders", "n\n100000\n"},
		{"table", "table", "SELECT count(*) AS n FROM orders WHERE status = 'completed'", ""},
		{"json", "json", "SELECT id, amount, status, amount > 0 AS positive FROM orders WHERE id <= 2 ORDER BY id", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.mustRun(token, "query", "--remote", "-f", c.format, c.sql)
			switch c.name {
			case "csv":
				if r.stdout != c.want {
					t.Fatalf("got %q, want %q", r.stdout, c.want)
				}
			case "table":
				want := s.reference(c.sql, "orders")
				lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
				if len(lines) != 2 || strings.TrimSpace(lines[0]) != "n" || lines[1]+"\n" != strings.SplitN(want, "\n", 2)[1] {
					t.Fatalf("table output %q, reference %q", r.stdout, want)
				}
			case "json":
				var rows []map[string]any
				dec := json.NewDecoder(strings.NewReader(r.stdout))
				dec.UseNumber()
				if err := dec.Decode(&rows); err != nil {
					t.Fatalf("not JSON: %v\n%s", err, r.stdout)
				}
				want := s.reference("SELECT id, amount, status FROM orders WHERE id <= 2 ORDER BY id", "orders")
				got := "id,amount,status\n"
				for _, row := range rows {
					got += row["id"].(json.Number).String() + "," + row["amount"].(json.Number).String() + "," + row["status"].(string) + "\n"
					if row["positive"] != true {
						t.Fatalf("boolean column: %#v", row["positive"])
					}
				}
				if got != want {
					t.Fatalf("json rows %s, reference %s", got, want)
				}
			}
		})
	}

	// Errors show SQLSTATE and message on one line.
	for _, c := range []struct{ sql, state, text string }{
		{"SELECT * FROM customers", "42P01", "not granted"},
		{"SELEC 1", "42601", "syntax"},
	} {
		r := s.analystRun(token, "query", "--remote", c.sql)
		if r.code != 1 || !strings.Contains(r.stderr, "SQLSTATE "+c.state) || !strings.Contains(r.stderr, c.text) || strings.Count(r.stderr, "\n") != 1 {
			t.Fatalf("%s: %+v", c.sql, r)
		}
	}

	// Standard output is capped at 1000 rows unless --limit says otherwise.
	r := s.mustRun(token, "query", "--remote", "-f", "csv", "SELECT id FROM orders ORDER BY id")
	if n := strings.Count(r.stdout, "\n"); n != 1001 || !strings.Contains(r.stderr, "first 1000 rows") {
		t.Fatalf("default cap: %d lines, stderr %q", n, r.stderr)
	}
	r = s.mustRun(token, "query", "--remote", "-f", "csv", "--limit", "3", "SELECT id FROM orders ORDER BY id")
	if r.stdout != "id\n1\n2\n3\n" || r.stderr != "" {
		t.Fatalf("--limit 3: %+v", r)
	}

	// Parquet from the gateway keeps the column types.
	out := filepath.Join(t.TempDir(), "sample.parquet")
	s.mustRun(token, "query", "--remote", "-f", "parquet", "-o", out,
		"SELECT id, amount, status, created_at FROM orders WHERE id <= 10 ORDER BY id")
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	var types string
	if err := db.QueryRow("SELECT count(*), (SELECT string_agg(column_type, ',' ORDER BY column_name) FROM (DESCRIBE SELECT * FROM read_parquet("+
		sqlString(out)+"))) FROM read_parquet("+sqlString(out)+")").Scan(&n, &types); err != nil {
		t.Fatal(err)
	}
	if n != 10 || !strings.HasPrefix(types, "DECIMAL(12,2),TIMESTAMP,BIGINT,VARCHAR") {
		t.Fatalf("remote parquet: %d rows, types %s", n, types)
	}

	// Before a pull, catalog, schema and describe ask the server; describe
	// takes its rows from the gateway.
	r = s.mustRun(token, "catalog", "--workspace", ws)
	if !strings.Contains(r.stdout, "orders") || !strings.Contains(r.stdout, "products") || strings.Contains(r.stdout, "customers") {
		t.Fatalf("catalog from the server:\n%s", r.stdout)
	}
	r = s.mustRun(token, "schema", "--workspace", ws, "products")
	if !strings.Contains(r.stdout, "price") || !strings.Contains(r.stdout, "DECIMAL(10,2)") {
		t.Fatalf("schema from the server:\n%s", r.stdout)
	}
	remoteDescribe := s.mustRun(token, "describe", "--workspace", ws, "products", "-n", "2")
	if !strings.Contains(remoteDescribe.stdout, "not pulled") || strings.Count(remoteDescribe.stdout, "\n") < 10 {
		t.Fatalf("describe from the server:\n%s", remoteDescribe.stdout)
	}
	if r := s.analystRun(token, "describe", "--workspace", ws, "customers"); r.code != 1 || !strings.Contains(r.stderr, "agnes catalog") {
		t.Fatalf("describe of an ungranted table: %+v", r)
	}

	// After a pull they work from the workspace, and describe shows the
	// same rows from the local copy.
	s.mustRun(token, "pull", "--workspace", ws, "--quiet")
	localDescribe := s.mustRun(token, "describe", "--workspace", ws, "products", "-n", "2")
	if strings.Replace(localDescribe.stdout, ", pulled", ", not pulled", 1) != remoteDescribe.stdout {
		t.Fatalf("describe local vs remote:\n%s\n---\n%s", localDescribe.stdout, remoteDescribe.stdout)
	}
	var sample struct {
		Table  string           `json:"table"`
		Pulled bool             `json:"pulled"`
		Sample []map[string]any `json:"sample"`
	}
	r = s.mustRun(token, "describe", "--workspace", ws, "orders", "-n", "3", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &sample); err != nil || sample.Table != "orders" || !sample.Pulled || len(sample.Sample) != 3 {
		t.Fatalf("describe --json: %v %s", err, r.stdout)
	}
	var entries []catalogEntry
	r = s.mustRun(token, "catalog", "--workspace", ws, "--json")
	if err := json.Unmarshal([]byte(r.stdout), &entries); err != nil || len(entries) != 2 || !entries[0].Pulled || entries[0].MD5 == "" {
		t.Fatalf("catalog --json after a pull: %v %s", err, r.stdout)
	}
	r = s.mustRun(token, "disk-info", "--workspace", ws, "--json")
	var du diskUsage
	if err := json.Unmarshal([]byte(r.stdout), &du); err != nil || len(du.Tables) != 2 || du.TablesBytes != fileSize(mustLocation(t, s, "orders"))+fileSize(mustLocation(t, s, "products")) ||
		du.DuckDBBytes <= 0 || du.TotalBytes < du.TablesBytes+du.DuckDBBytes {
		t.Fatalf("disk-info: %v %+v", err, du)
	}
}
