package connectors

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/keboola/agnes/catalog"
)

func scanOne(t *testing.T, dataDir string) Extract {
	t.Helper()
	exts, err := ScanExtracts(context.Background(), dataDir)
	if err != nil {
		t.Fatalf("ScanExtracts: %v", err)
	}
	if len(exts) != 1 {
		t.Fatalf("ScanExtracts returned %d extracts, want 1: %+v", len(exts), exts)
	}
	return exts[0]
}

func TestGenerateDemoRoundTrip(t *testing.T) {
	ctx := context.Background()
	dataDir := t.TempDir()
	if err := GenerateDemo(ctx, dataDir); err != nil {
		t.Fatalf("GenerateDemo: %v", err)
	}
	e := scanOne(t, dataDir)
	if e.Err != nil {
		t.Fatalf("demo extract broken: %v", e.Err)
	}
	if e.Source != DemoSource || len(e.Skipped) != 0 || len(e.Remote) != 0 {
		t.Fatalf("extract = %+v", e)
	}

	wantCols := map[string][]catalog.Column{
		"orders": {
			{Name: "id", Type: "BIGINT"}, {Name: "customer_id", Type: "BIGINT"}, {Name: "product_id", Type: "BIGINT"},
			{Name: "amount", Type: "DECIMAL(12,2)"}, {Name: "status", Type: "VARCHAR"},
			{Name: "created_at", Type: "TIMESTAMP"}, {Name: "region", Type: "VARCHAR"},
		},
		"customers": {
			{Name: "id", Type: "BIGINT"}, {Name: "name", Type: "VARCHAR"}, {Name: "email", Type: "VARCHAR"},
			{Name: "country", Type: "VARCHAR"}, {Name: "segment", Type: "VARCHAR"}, {Name: "created_at", Type: "TIMESTAMP"},
		},
		"products": {
			{Name: "id", Type: "BIGINT"}, {Name: "name", Type: "VARCHAR"}, {Name: "category", Type: "VARCHAR"},
			{Name: "price", Type: "DECIMAL(10,2)"}, {Name: "created_at", Type: "TIMESTAMP"},
		},
	}
	wantRows := map[string]int64{"orders": 100_000, "customers": 10_000, "products": 1_000}

	var ids []string
	for _, tb := range e.Tables {
		ids = append(ids, tb.ID)
		t.Run(tb.ID, func(t *testing.T) {
			wantLoc := filepath.Join(e.Dir, DataDir, tb.ID+".parquet")
			if real, err := filepath.EvalSymlinks(wantLoc); err == nil {
				wantLoc = real
			}
			if tb.Status != StatusOK || tb.Name != tb.ID || tb.Schema != "public" || tb.SourceType != "demo" ||
				tb.QueryMode != catalog.ModeLocal || tb.Location != wantLoc || tb.Description == "" {
				t.Errorf("table = %+v", tb)
			}
			if tb.RowCount != wantRows[tb.ID] {
				t.Errorf("RowCount = %d, want %d", tb.RowCount, wantRows[tb.ID])
			}
			if !reflect.DeepEqual(tb.Columns, wantCols[tb.ID]) {
				t.Errorf("Columns = %v, want %v", tb.Columns, wantCols[tb.ID])
			}
			sums, err := FileDigests(tb.Location)
			if err != nil {
				t.Fatal(err)
			}
			st, err := os.Stat(tb.Location)
			if err != nil {
				t.Fatal(err)
			}
			if tb.MD5 != sums.MD5 || tb.SHA256 != sums.SHA256 || tb.SizeBytes != st.Size() {
				t.Errorf("MD5/SHA256/size = %s/%s/%d, file has %s/%s/%d", tb.MD5, tb.SHA256, tb.SizeBytes, sums.MD5, sums.SHA256, st.Size())
			}
			if fp := e.Fingerprints[tb.Location]; fp.Digests != sums || fp.Size != st.Size() || !fp.ModTime.Equal(st.ModTime()) {
				t.Errorf("fingerprint = %+v", fp)
			}
			if tb.UpdatedAt.IsZero() || time.Since(tb.UpdatedAt) > time.Hour || time.Until(tb.UpdatedAt) > time.Minute {
				t.Errorf("UpdatedAt = %v, want the generation time", tb.UpdatedAt)
			}
		})
	}
	if want := []string{"customers", "orders", "products"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("table ids = %v, want %v", ids, want)
	}
}

func TestGenerateDemoDeterministic(t *testing.T) {
	ctx := context.Background()
	sums := make([]map[string]string, 2)
	for i := range sums {
		dataDir := t.TempDir()
		if err := GenerateDemo(ctx, dataDir); err != nil {
			t.Fatalf("GenerateDemo #%d: %v", i, err)
		}
		sums[i] = map[string]string{}
		for _, name := range []string{"orders", "customers", "products"} {
			d, err := FileDigests(filepath.Join(dataDir, ExtractsDir, DemoSource, DataDir, name+".parquet"))
			if err != nil {
				t.Fatal(err)
			}
			sums[i][name] = d.MD5
		}
	}
	if !reflect.DeepEqual(sums[0], sums[1]) {
		t.Fatalf("two generations differ: %v vs %v", sums[0], sums[1])
	}
}

// The demo data must be consistent enough for joins in examples to work.
func TestGenerateDemoReferentialIntegrity(t *testing.T) {
	ctx := context.Background()
	dataDir := t.TempDir()
	if err := GenerateDemo(ctx, dataDir); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dataDir, ExtractsDir, DemoSource, DataDir)
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pq := func(name string) string {
		return "read_parquet(" + sqlString(filepath.Join(data, name+".parquet")) + ")"
	}

	checks := []struct {
		name, query string
		want        int64
	}{
		{"orphan customer ids", "SELECT count(*) FROM " + pq("orders") + " o ANTI JOIN " + pq("customers") + " c ON c.id = o.customer_id", 0},
		{"orphan product ids", "SELECT count(*) FROM " + pq("orders") + " o ANTI JOIN " + pq("products") + " p ON p.id = o.product_id", 0},
		{"duplicate order ids", "SELECT count(*) - count(DISTINCT id) FROM " + pq("orders"), 0},
		{"amount not a multiple of price", "SELECT count(*) FROM " + pq("orders") + " o JOIN " + pq("products") + " p ON p.id = o.product_id WHERE o.amount % p.price <> 0 OR o.amount < p.price", 0},
		{"null values", "SELECT count(*) FROM " + pq("orders") + " WHERE id IS NULL OR customer_id IS NULL OR product_id IS NULL OR amount IS NULL OR status IS NULL OR created_at IS NULL OR region IS NULL", 0},
		{"orders before customer sign-up", "SELECT count(*) FROM " + pq("orders") + " o JOIN " + pq("customers") + " c ON c.id = o.customer_id WHERE o.created_at < c.created_at", 0},
		{"distinct statuses", "SELECT count(DISTINCT status) FROM " + pq("orders"), 5},
		{"distinct regions", "SELECT count(DISTINCT region) FROM " + pq("orders"), 4},
		{"distinct segments", "SELECT count(DISTINCT segment) FROM " + pq("customers"), 3},
		{"customers with orders", "SELECT (count(DISTINCT customer_id) > 9000)::BIGINT FROM " + pq("orders"), 1},
	}
	for _, c := range checks {
		var got int64
		if err := db.QueryRowContext(ctx, c.query).Scan(&got); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, got, c.want)
		}
	}
}

func TestGenerateDemoKeepsCompleteExtractAndRepairsBrokenOne(t *testing.T) {
	ctx := context.Background()
	dataDir := t.TempDir()
	if err := GenerateDemo(ctx, dataDir); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(dataDir, ExtractsDir, DemoSource)
	dbFile := filepath.Join(dir, ExtractFile)
	orders := filepath.Join(dir, DataDir, "orders.parquet")
	// Old timestamps make any rewrite visible without waiting for the clock.
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	for _, p := range []string{dbFile, orders} {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	if err := GenerateDemo(ctx, dataDir); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dbFile, orders} {
		if st, err := os.Stat(p); err != nil || !st.ModTime().Equal(old) {
			t.Fatalf("%s was rewritten although the demo extract was complete (%v)", p, err)
		}
	}

	if err := os.Remove(orders); err != nil {
		t.Fatal(err)
	}
	if e := scanOne(t, dataDir); e.Err != nil || tableByID(e, "orders").Status == StatusOK {
		t.Fatalf("removing orders.parquet went unnoticed: %+v", e)
	}
	if err := GenerateDemo(ctx, dataDir); err != nil {
		t.Fatal(err)
	}
	e := scanOne(t, dataDir)
	if o := tableByID(e, "orders"); e.Err != nil || o.Status != StatusOK || o.RowCount != 100_000 {
		t.Fatalf("demo not repaired: %+v", e)
	}
	assertNoTempFiles(t, dir)
}

func tableByID(e Extract, id string) catalog.Table {
	for _, t := range e.Tables {
		if t.ID == id {
			return t
		}
	}
	return catalog.Table{}
}

// assertNoTempFiles fails if an atomic write left a hidden temp file or a
// DuckDB write-ahead log anywhere under dir.
func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if path != dir && (name[0] == '.' || filepath.Ext(name) == ".tmp" || filepath.Ext(name) == ".wal") {
			t.Errorf("leftover file %s", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
