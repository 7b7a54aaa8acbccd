package connectors

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/keboola/agnes/catalog"
)

// DemoSource is the source folder and source type of the demo extract.
const DemoSource = "demo"

// demoTable is one table of the demo extract: how to build it in the
// generator's in-memory DuckDB and what _meta says about it.
type demoTable struct {
	name        string
	rows        int64
	description string
	create      string
}

// The demo tables, built in dependency order (orders read products and
// customers). Values come from hash() and modulo arithmetic over range(),
// never random(), so every run writes byte-identical parquet files with the
// same DuckDB version; ids are dense from 1, so every customer_id and
// product_id of an order exists.
var demoTables = []demoTable{
	{
		name:        "products",
		rows:        1_000,
		description: "Demo product catalog: one row per product with its category and list price.",
		create: `CREATE TABLE products AS
WITH p AS (SELECT range + 1 AS id, pick(range + 1, 'p.noun', 10) AS noun FROM range(1000))
SELECT
	id::BIGINT AS id,
	['Classic', 'Smart', 'Compact', 'Premium', 'Eco', 'Ultra', 'Portable', 'Pro'][1 + pick(id, 'p.adj', 8)]
		|| ' ' || ['Lamp', 'Chair', 'Backpack', 'Kettle', 'Headphones', 'Monitor', 'Desk', 'Bottle', 'Jacket', 'Speaker'][1 + noun]
		|| ' ' || id AS name,
	['Home', 'Furniture', 'Outdoor', 'Kitchen', 'Electronics', 'Electronics', 'Furniture', 'Outdoor', 'Apparel', 'Electronics'][1 + noun] AS category,
	((499 + pick(id, 'p.price', 49500))::DECIMAL(10, 0) * 0.01)::DECIMAL(10, 2) AS price,
	TIMESTAMP '2020-01-01 00:00:00' + to_seconds(pick(id, 'p.created', 365 * 86400)) AS created_at
FROM p
ORDER BY id`,
	},
	{
		name:        "customers",
		rows:        10_000,
		description: "Demo customers: name, e-mail, country, market segment and sign-up time.",
		create: `CREATE TABLE customers AS
WITH c AS (
	SELECT range + 1 AS id,
		['Alice', 'Bob', 'Carla', 'David', 'Eva', 'Filip', 'Grace', 'Hugo', 'Ines', 'Jan',
		 'Karin', 'Liam', 'Marta', 'Noah', 'Olga', 'Petr', 'Quinn', 'Rosa', 'Sam', 'Tereza'][1 + pick(range + 1, 'c.first', 20)] AS first,
		['Novak', 'Smith', 'Garcia', 'Muller', 'Rossi', 'Tanaka', 'Silva', 'Dubois', 'Kowalski', 'Jensen',
		 'Brown', 'Lopez', 'Svoboda', 'Nguyen', 'Khan', 'Meyer', 'Costa', 'Ivanova', 'Horvat', 'Wilson'][1 + pick(range + 1, 'c.last', 20)] AS last
	FROM range(10000)
)
SELECT
	id::BIGINT AS id,
	first || ' ' || last AS name,
	lower(first) || '.' || lower(last) || '.' || id || '@example.com' AS email,
	['US', 'US', 'US', 'CA', 'MX', 'BR', 'GB', 'DE', 'DE', 'FR', 'CZ', 'NL', 'JP', 'AU', 'IN', 'SG'][1 + pick(id, 'c.country', 16)] AS country,
	CASE WHEN pick(id, 'c.segment', 10) < 6 THEN 'consumer'
	     WHEN pick(id, 'c.segment', 10) < 9 THEN 'smb'
	     ELSE 'enterprise' END AS segment,
	TIMESTAMP '2021-01-01 00:00:00' + to_seconds(pick(id, 'c.created', 2 * 365 * 86400)) AS created_at
FROM c
ORDER BY id`,
	},
	{
		name:        "orders",
		rows:        100_000,
		description: "Demo orders 2023-2025: customer, product, amount (price x quantity), status and sales region of the customer's country.",
		create: `CREATE TABLE orders AS
WITH o AS (
	SELECT range + 1 AS id,
		1 + pick(range + 1, 'o.customer', 10000) AS customer_id,
		1 + pick(range + 1, 'o.product', 1000) AS product_id,
		1 + pick(range + 1, 'o.quantity', 5) AS quantity,
		pick(range + 1, 'o.status', 100) AS status_roll
	FROM range(100000)
)
SELECT
	o.id::BIGINT AS id,
	o.customer_id::BIGINT AS customer_id,
	o.product_id::BIGINT AS product_id,
	(p.price * o.quantity)::DECIMAL(12, 2) AS amount,
	CASE WHEN status_roll < 70 THEN 'completed'
	     WHEN status_roll < 82 THEN 'shipped'
	     WHEN status_roll < 90 THEN 'pending'
	     WHEN status_roll < 96 THEN 'cancelled'
	     ELSE 'refunded' END AS status,
	TIMESTAMP '2023-01-01 00:00:00' + to_seconds(pick(o.id, 'o.created', 3 * 365 * 86400)) AS created_at,
	CASE WHEN c.country IN ('US', 'CA', 'MX') THEN 'north_america'
	     WHEN c.country = 'BR' THEN 'latin_america'
	     WHEN c.country IN ('GB', 'DE', 'FR', 'CZ', 'NL') THEN 'emea'
	     ELSE 'apac' END AS region
FROM o
JOIN products p ON p.id = o.product_id
JOIN customers c ON c.id = o.customer_id
ORDER BY o.id`,
	},
}

// GenerateDemo creates the demo extract, <dataDir>/extracts/demo, following
// the extract contract: parquet files data/{products,customers,orders}.parquet,
// then extract.duckdb with _meta, _source (type "demo") and one view per
// table, renamed into place last so a scan never sees a half-built extract.
// If a complete demo extract (every table present, readable and of the
// expected size) already exists, it does nothing.
func GenerateDemo(ctx context.Context, dataDir string) error {
	dir, err := filepath.Abs(filepath.Join(dataDir, ExtractsDir, DemoSource))
	if err != nil {
		return fmt.Errorf("generate demo: %w", err)
	}
	if demoComplete(ctx, dir) {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("generate demo: %w", err)
	}
	if err := writeDemo(ctx, dir); err != nil {
		return fmt.Errorf("generate demo in %s: %w", dir, err)
	}
	return nil
}

// demoComplete reports whether dir already holds a good demo extract.
func demoComplete(ctx context.Context, dir string) bool {
	if _, err := os.Stat(filepath.Join(dir, ExtractFile)); err != nil {
		return false
	}
	e := ScanExtract(ctx, dir, nil)
	if e.Err != nil || len(e.Tables) != len(demoTables) {
		return false
	}
	want := map[string]int64{}
	for _, t := range demoTables {
		want[t.name] = t.rows
	}
	for _, t := range e.Tables {
		if t.Status != StatusOK || t.RowCount != want[t.ID] || t.SourceType != DemoSource {
			return false
		}
	}
	return true
}

func writeDemo(ctx context.Context, dir string) (err error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	// One connection, so the macro and tables are visible to every
	// statement, and one thread, so the parquet layout cannot depend on the
	// machine's core count.
	db.SetMaxOpenConns(1)
	for _, q := range []string{
		"SET threads = 1",
		"SET autoinstall_known_extensions = false",
		"SET autoload_known_extensions = false",
		"CREATE MACRO pick(k, salt, n) AS (hash(k, salt) % n)::BIGINT",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}

	extractedAt := time.Now().UTC().Truncate(time.Microsecond)
	spec := ExtractSpec{SourceType: DemoSource}
	for _, t := range demoTables {
		if _, err := db.ExecContext(ctx, t.create); err != nil {
			return fmt.Errorf("build %s: %w", t.name, err)
		}
		path := filepath.Join(dir, DataDir, t.name+".parquet")
		if err := WriteParquetAtomic(ctx, db, "SELECT * FROM "+t.name+" ORDER BY id", path); err != nil {
			return err
		}
		st, err := os.Stat(path)
		if err != nil {
			return err
		}
		spec.Tables = append(spec.Tables, MetaRow{
			TableName:   t.name,
			Description: t.description,
			Rows:        t.rows,
			SizeBytes:   st.Size(),
			ExtractedAt: extractedAt,
			QueryMode:   catalog.ModeLocal,
		})
	}
	return WriteExtractDB(ctx, dir, spec)
}
