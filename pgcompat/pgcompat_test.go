package pgcompat

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// The OIDs derived from names in Go (oid.go) and in SQL
// (pgcompat.name_oid) must agree: the gateway and tests compute them on
// the Go side.
func TestNameOIDs(t *testing.T) {
	c := newTestConn(t)
	for _, tc := range []struct {
		sql  string
		want uint32
	}{
		{"pgcompat.relation_oid('public', 'orders')", RelationOID("public", "orders")},
		{"pgcompat.relation_oid('sales', 'events')", RelationOID("sales", "events")},
		{"pgcompat.namespace_oid('sales')", NamespaceOID("sales")},
		{"pgcompat.namespace_oid('public')", NamespaceOID("public")},
		{"pgcompat.role_oid('ana@example.com')", RoleOID("ana@example.com")},
		{"pgcompat.role_oid('agnes')", RoleOID(OwnerRole)},
	} {
		got := query(t, c, "SELECT "+tc.sql)[0][0]
		if got != fmt.Sprint(tc.want) {
			t.Errorf("%s = %s, Go says %d", tc.sql, got, tc.want)
		}
		if tc.want != OIDNamespacePublic && tc.want != OIDOwner && (tc.want < FirstNameOID || tc.want >= 1<<31) {
			t.Errorf("%s = %d outside the OID range", tc.sql, tc.want)
		}
	}
	if got := query(t, c, "SELECT oid FROM pgcompat.pg_class WHERE relname = 'orders'")[0][0]; got != fmt.Sprint(RelationOID("public", "orders")) {
		t.Errorf("pg_class.oid of orders = %s", got)
	}
}

// The catalog lists exactly the sandbox's tables: the session's registry
// facts for a table the sandbox does not hold (salaries) never appear.
func TestCatalogListsTheSandbox(t *testing.T) {
	c := newTestConn(t)
	cases := []struct {
		sql  string
		want string
	}{
		{"SELECT string_agg(n.nspname || '.' || c.relname, ',' ORDER BY n.nspname, c.relname) FROM pgcompat.pg_class c JOIN pgcompat.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')",
			"public.orders,sales.events"},
		{"SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pgcompat.pg_namespace", "information_schema,pg_catalog,pg_toast,public,sales"},
		{"SELECT string_agg(description, ',' ORDER BY objsubid) FROM pgcompat.pg_description", "Customer orders,Order total"},
		{"SELECT count(*) FROM pgcompat.pg_class WHERE relname = 'salaries'", "0"},
		{"SELECT string_agg(table_schema || '.' || table_name || ':' || table_type, ',' ORDER BY table_schema, table_name) FROM pgcompat.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
			"public.orders:BASE TABLE,sales.events:BASE TABLE"},
		// Never analyzed, as PostgreSQL says of a fresh table; sizes come
		// from the registry through pg_relation_size and friends.
		{"SELECT reltuples || '/' || relpages FROM pgcompat.pg_class WHERE relname = 'orders'", "-1.0/0"},
		// DuckDB's engine settings never show.
		{"SELECT count(*) FROM pgcompat.pg_settings WHERE name IN ('memory_limit', 'threads', 'allowed_paths')", "0"},
		{"SELECT count(*) FROM pgcompat.pg_views WHERE schemaname NOT IN ('pg_catalog', 'information_schema')", "0"},
		{"SELECT count(*) FROM pgcompat.pg_database", "1"},
		{"SELECT datname FROM pgcompat.pg_database", "agnes"},
		{"SELECT string_agg(rolname, ',' ORDER BY oid) FROM pgcompat.pg_roles", "agnes,ana@example.com"},
	}
	for _, tc := range cases {
		if got := query(t, c, tc.sql)[0][0]; got != tc.want {
			t.Errorf("%s\n got %s\nwant %s", tc.sql, got, tc.want)
		}
	}
}

// Every DuckDB column type is described with the PostgreSQL type the wire
// sends its values as (wire/types.go), in pg_attribute and
// information_schema.columns alike.
func TestColumnTypes(t *testing.T) {
	c := newTestConn(t)
	rows := query(t, c, `SELECT a.attname, a.atttypid, a.atttypmod, a.attndims, i.data_type, i.udt_name,
			coalesce(CAST(i.numeric_precision AS VARCHAR), ''), pgcompat.format_type(a.atttypid, a.atttypmod)
		FROM pgcompat.pg_attribute a
		JOIN pgcompat.columns i ON i.table_name = 'orders' AND i.column_name = a.attname
		WHERE a.attrelid = pgcompat.relation_oid('public', 'orders') ORDER BY a.attnum`)
	want := []string{
		"id 20 -1 0 bigint int8 64 bigint",
		"customer 25 -1 0 text text  text",
		"amount 1700 786438 0 numeric numeric 12 numeric(12,2)",
		"created_at 1114 -1 0 timestamp without time zone timestamp  timestamp without time zone",
		"tags 1007 -1 1 ARRAY _int4  integer[]",
		"meta 114 -1 0 json json  json",
		"paid 16 -1 0 boolean bool  boolean",
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d columns: %v", len(rows), rows)
	}
	for i, r := range rows {
		if got := strings.Join(r, " "); got != want[i] {
			t.Errorf("column %d\n got %s\nwant %s", i, got, want[i])
		}
	}
}

// The DuckDB → PostgreSQL type mapping in SQL covers every type the wire
// maps (wire/types.go duckToPG and logicalType.pg).
func TestDuckTypeMapping(t *testing.T) {
	c := newTestConn(t)
	cases := map[string]string{
		"BOOLEAN": "16 -1", "TINYINT": "21 -1", "SMALLINT": "21 -1", "UTINYINT": "23 -1", "USMALLINT": "23 -1",
		"INTEGER": "23 -1", "UINTEGER": "20 -1", "BIGINT": "20 -1", "UBIGINT": "1700 -1", "HUGEINT": "1700 -1",
		"UHUGEINT": "1700 -1", "BIGNUM": "1700 -1", "DECIMAL(18,3)": "1700 1179655", "FLOAT": "700 -1",
		"DOUBLE": "701 -1", "VARCHAR": "25 -1", "JSON": "114 -1", "BLOB": "17 -1", "BIT": "1562 -1",
		"DATE": "1082 -1", "TIME": "1083 -1", "TIME WITH TIME ZONE": "1266 -1", "TIMESTAMP": "1114 -1",
		"TIMESTAMP_S": "1114 0", "TIMESTAMP_MS": "1114 3", "TIMESTAMP_NS": "1114 -1",
		"TIMESTAMP WITH TIME ZONE": "1184 -1", "INTERVAL": "1186 -1", "UUID": "2950 -1",
		"STRUCT(a INTEGER)": "114 -1", "MAP(VARCHAR, INTEGER)": "114 -1", "ENUM('a', 'b')": "25 -1",
		"UNION(a INTEGER, b VARCHAR)": "25 -1",
	}
	for typ, want := range cases {
		q := fmt.Sprintf("SELECT pgcompat.duck_base_type_oid(%s) || ' ' || pgcompat.duck_base_typmod(%s)", quoteLiteral(typ), quoteLiteral(typ))
		if got := query(t, c, q)[0][0]; got != want {
			t.Errorf("%s: got %s, want %s", typ, got, want)
		}
	}
	for typ, want := range map[string]string{"INTEGER[]": "1007", "INTEGER[][]": "1007", "VARCHAR[3]": "1009",
		"STRUCT(a INTEGER)[]": "199", "DECIMAL(10,2)[]": "1231", "UUID[]": "2951"} {
		q := fmt.Sprintf(`SELECT t.typarray FROM pgcompat.pg_type t WHERE t.oid = pgcompat.duck_base_type_oid(pgcompat.duck_elem_type(%s))`, quoteLiteral(typ))
		if got := query(t, c, q)[0][0]; got != want {
			t.Errorf("%s: got %s, want %s", typ, got, want)
		}
	}
}

// PostgreSQL functions as clients call them.
func TestFunctions(t *testing.T) {
	c := newTestConn(t)
	orders := fmt.Sprint(RelationOID("public", "orders"))
	cases := []struct{ sql, want string }{
		{"pgcompat.format_type(23, -1)", "integer"},
		{"pgcompat.format_type(1043, 36)", "character varying(32)"},
		{"pgcompat.format_type(1042, NULL)", "character"},
		{"pgcompat.format_type(1042, -1)", "bpchar"},
		{"pgcompat.format_type(1700, 786438)", "numeric(12,2)"},
		{"pgcompat.format_type(1114, 3)", "timestamp(3) without time zone"},
		{"pgcompat.format_type(1231, 786438)", "numeric(12,2)[]"},
		{"pgcompat.format_type(18, NULL)", `"char"`},
		{"pgcompat.format_type(13226, NULL)", "information_schema.sql_identifier"},
		{"pgcompat.format_type(0, NULL)", "-"},
		{"pgcompat.format_type(424242, NULL)", "???"},
		{"pgcompat.regclass_oid('pg_class')", "1259"},
		{"pgcompat.regclass_oid('pg_catalog.pg_type')", "1247"},
		{"pgcompat.regclass_oid('orders')", orders},
		{"pgcompat.regclass_oid('public.orders')", orders},
		{"pgcompat.regclass_oid('" + orders + "')", orders},
		{"pgcompat.regclass_name(" + orders + ")", "orders"},
		{"pgcompat.regclass_name(pgcompat.relation_oid('sales', 'events'))", "sales.events"},
		{"pgcompat.regclass_name(1259)", "pg_class"},
		{"pgcompat.regclass_name(13295)", "information_schema.columns"},
		{"pgcompat.regclass_name(7)", "7"},
		{"coalesce(CAST(pgcompat.to_regclass('nope') AS VARCHAR), 'null')", "null"},
		{"pgcompat.regtype_oid('integer')", "23"},
		{"pgcompat.regtype_oid('pg_catalog.int8')", "20"},
		{"pgcompat.regtype_oid('character varying(20)')", "1043"},
		{"pgcompat.regtype_oid('text[]')", "1009"},
		{"pgcompat.regtype_oid('timestamp with time zone')", "1184"},
		{"pgcompat.regtype_name(1043)", "character varying"},
		{"pgcompat.regproc_oid('pg_catalog.array_in')", "750"},
		{"pgcompat.regproc_oid('array_recv')", "2400"},
		{"pgcompat.regproc_name(0)", "-"},
		{"pgcompat.regproc_name(2400)", "array_recv"},
		{"pgcompat.regnamespace_oid('public')", "2200"},
		{"pgcompat.regnamespace_name(11)", "pg_catalog"},
		{"pgcompat.regrole_name(10)", "agnes"},
		{"pgcompat.quote_ident('orders')", "orders"},
		{"pgcompat.quote_ident('Orders')", `"Orders"`},
		{"pgcompat.quote_ident('select')", `"select"`},
		{"pgcompat.quote_ident('a\"b')", `"a""b"`},
		{"pgcompat.quote_literal('it''s')", "'it''s'"},
		{"pgcompat.quote_literal(42)", "'42'"},
		{"pgcompat.quote_nullable(NULL)", "NULL"},
		{"array_to_string(pgcompat.parse_ident('Public.\"My Table\"'), '|')", "public|My Table"},
		{"pgcompat.pg_get_userbyid(10)", "agnes"},
		{"pgcompat.pg_get_userbyid(pgcompat.role_oid('ana@example.com'))", "ana@example.com"},
		{"pgcompat.pg_get_userbyid(12)", "unknown (OID=12)"},
		{"pgcompat.pg_encoding_to_char(6)", "UTF8"},
		{"pgcompat.pg_backend_pid()", "4242"},
		{"pgcompat.current_setting('TimeZone')", "UTC"},
		{"pgcompat.current_setting('application_name')", "psql"},
		{"array_to_string(pgcompat.current_schemas(true), ',')", "pg_catalog,public"},
		{"array_to_string(pgcompat.current_schemas(false), ',')", "public"},
		{"pgcompat.current_schema()", "public"},
		{"pgcompat.current_database()", "agnes"},
		{"pgcompat.session_user_name()", "ana@example.com"},
		{"pgcompat.version()", "PostgreSQL 16.4 (Agnes test) on " + platform() + ", 64-bit"},
		{"pgcompat.pg_table_is_visible(" + orders + ")", "true"},
		{"pgcompat.pg_table_is_visible(pgcompat.relation_oid('sales', 'events'))", "false"},
		{"pgcompat.pg_type_is_visible(23)", "true"},
		{"pgcompat.has_table_privilege('orders', 'SELECT')", "true"},
		{"pgcompat.has_table_privilege('ana@example.com', " + orders + ", 'select, insert')", "true"},
		{"pgcompat.has_table_privilege('orders', 'UPDATE')", "false"},
		{"pgcompat.has_table_privilege(12345, 'SELECT')", "false"},
		{"pgcompat.has_schema_privilege('sales', 'USAGE')", "true"},
		{"pgcompat.has_schema_privilege('public', 'CREATE')", "false"},
		{"pgcompat.has_database_privilege('agnes', 'CONNECT')", "true"},
		{"pgcompat.has_column_privilege('orders', 'id', 'SELECT')", "true"},
		{"pgcompat.pg_has_role('ana@example.com', 'MEMBER')", "true"},
		{"pgcompat.obj_description(" + orders + ", 'pg_class')", "Customer orders"},
		{"pgcompat.obj_description(" + orders + ")", "Customer orders"},
		{"pgcompat.col_description(" + orders + ", 3)", "Order total"},
		{"coalesce(pgcompat.col_description(" + orders + ", 1), 'none')", "none"},
		{"pgcompat.pg_relation_size(" + orders + ")", "16384"},
		{"pgcompat.pg_total_relation_size('orders')", "16384"},
		{"pgcompat.pg_database_size('agnes')", "17384"},
		{"pgcompat.array_upper([1, 2, 3], 1)", "3"},
		{"coalesce(CAST(pgcompat.array_upper(CAST([] AS INTEGER[]), 1) AS VARCHAR), 'null')", "null"},
		{"pgcompat.array_lower([1, 2, 3], 1)", "1"},
		{"pgcompat.array_length([1, 2], 1)", "2"},
		{"pgcompat.array_dims([1, 2])", "[1:2]"},
		{"array_to_string(pgcompat.array_remove([1, 2, 1], 1), ',')", "2"},
		{"(SELECT string_agg(k.n || ':' || k.x, ',') FROM (SELECT pgcompat._pg_expandarray([10, 20]) AS k))", "1:10,2:20"},
		{"pgcompat.pg_get_function_arguments(2332)", "regclass, text"},
		{"pgcompat.pg_get_function_result(2332)", "bigint"},
		{"coalesce(pgcompat.pg_get_viewdef(" + orders + "), 'null')", "null"},
		{"pgcompat.pg_get_expr('x', 1)", "x"},
		{"(SELECT count(*) FROM pgcompat.pg_get_keywords())", "460"},
	}
	for _, tc := range cases {
		rows, err := tryQuery(c, "SELECT CAST("+tc.sql+" AS VARCHAR)")
		if err != nil {
			t.Errorf("%s: %v", tc.sql, err)
			continue
		}
		if got := rows[0][0]; got != tc.want {
			t.Errorf("%s = %s, want %s", tc.sql, got, tc.want)
		}
	}
	// A reg* cast of a name that does not exist fails as in PostgreSQL.
	for _, sql := range []string{"pgcompat.regclass_oid('salaries')", "pgcompat.regtype_oid('nosuchtype')",
		"pgcompat.regproc_oid('nosuchfunction')", "pgcompat.regnamespace_oid('nope')"} {
		if _, err := tryQuery(c, "SELECT "+sql); err == nil || !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("%s: %v", sql, err)
		}
	}
}

// A macro argument naming a column of the caller binds to the caller's
// column, not to a same-named column of the catalog the macro reads.
func TestMacroArgumentsBindToTheCaller(t *testing.T) {
	c := newTestConn(t)
	got := query(t, c, `SELECT count(*) FROM (SELECT oid FROM pgcompat.pg_class) x WHERE pgcompat.pg_table_is_visible(oid)`)
	want := query(t, c, `SELECT count(*) FROM pgcompat.pg_class c JOIN pgcompat.pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname IN ('pg_catalog', 'public')`)
	if got[0][0] != want[0][0] {
		t.Errorf("pg_table_is_visible(oid) is true for %s relations, want %s", got[0][0], want[0][0])
	}
	rows := query(t, c, `SELECT pgcompat.regclass_name(oid) FROM pgcompat.pg_class WHERE relname IN ('orders', 'pg_type') ORDER BY 1`)
	if len(rows) != 2 || rows[0][0] != "orders" || rows[1][0] != "pg_type" {
		t.Errorf("regclass_name(oid): %v", rows)
	}
}

func TestRelationsAndTypes(t *testing.T) {
	rel := Relations()
	for _, name := range []string{"pg_catalog.pg_class", "pg_catalog.pg_type", "pg_catalog.pg_stat_activity",
		"information_schema.columns", "information_schema.key_column_usage"} {
		if rel[name] == "" {
			t.Errorf("%s is not served", name)
		}
	}
	if rel["information_schema.columns"] != "pgcompat.columns" {
		t.Errorf("information_schema.columns served as %s", rel["information_schema.columns"])
	}
	for _, tc := range []struct {
		relations []string
		column    string
		want      uint32
		ok        bool
	}{
		{[]string{"pg_catalog.pg_class"}, "oid", 26, true},
		{[]string{"pg_catalog.pg_class"}, "relname", 19, true},
		{[]string{"pg_catalog.pg_class"}, "relkind", 18, true},
		{[]string{"pg_catalog.pg_class"}, "relnatts", 0, false}, // smallint is what DuckDB's SMALLINT is sent as
		{[]string{"pg_catalog.pg_type"}, "typinput", 26, true},
		{[]string{"pg_catalog.pg_am", "pg_catalog.pg_namespace"}, "nspname", 19, true},
		{[]string{"information_schema.columns"}, "table_name", 19, true},
		{[]string{"information_schema.columns"}, "data_type", 1043, true},
		{[]string{"information_schema.columns"}, "ordinal_position", 0, false},
		{[]string{"pg_catalog.pg_proc"}, "proargtypes", 1028, true},
		{[]string{"pg_catalog.pg_class"}, "no_such_column", 0, false},
	} {
		got, ok := ColumnOID(tc.relations, tc.column)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ColumnOID(%v, %s) = %d %t, want %d %t", tc.relations, tc.column, got, ok, tc.want, tc.ok)
		}
	}
	for name, want := range map[string]uint32{"int4": 23, "integer": 23, "pg_catalog.text": 25, "regclass": 2205,
		"character varying": 1043, "text[]": 1009, "name[]": 1003, "\"char\"": 18, "double precision": 701} {
		if got, ok := TypeOID(name); !ok || got != want {
			t.Errorf("TypeOID(%s) = %d %t, want %d", name, got, ok, want)
		}
	}
	if _, ok := TypeOID("no_such_type"); ok {
		t.Error("TypeOID of an unknown type")
	}
	for fn, want := range map[string]string{"current_user": "name", "to_regclass": "regclass", "pg_get_userbyid": "name"} {
		if got, _ := ResultType(fn); got != want {
			t.Errorf("ResultType(%s) = %s, want %s", fn, got, want)
		}
	}
}

// Every function the planner rewrites to the compatibility schema exists
// there: calling each with NULL arguments binds.
func TestServedFunctionsExist(t *testing.T) {
	c := newTestConn(t)
	rows := query(t, c, `SELECT function_name, list(DISTINCT len(parameters)), any_value(function_type)
		FROM duckdb_functions() WHERE schema_name = 'pgcompat' GROUP BY 1`)
	have := map[string]bool{}
	for _, r := range rows {
		have[r[0]] = true
	}
	for name, target := range Functions() {
		schema, fn, ok := strings.Cut(target, ".")
		if !ok {
			continue // renamed to a DuckDB built-in
		}
		if schema != Schema || !have[fn] {
			t.Errorf("%s is rewritten to %s, which does not exist", name, target)
		}
	}
	for _, target := range SessionFunctions() {
		if _, fn, _ := strings.Cut(target, "."); !have[fn] {
			t.Errorf("session function %s does not exist", target)
		}
	}
	for _, m := range Casts() {
		for _, target := range []string{m.OID, m.Name} {
			if _, fn, _ := strings.Cut(target, "."); !have[fn] {
				t.Errorf("cast function %s does not exist", target)
			}
		}
	}
}

// The statements are the same for every call (sandboxes share them) and
// reveal nothing per principal.
func TestSQLIsConstant(t *testing.T) {
	a, b := SQL(testOptions), SQL(testOptions)
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Fatal("SQL differs between calls")
	}
	all := strings.Join(a, "\n")
	for _, s := range []string{"ana@example.com", "read_parquet"} {
		if strings.Contains(all, s) {
			t.Errorf("catalog SQL contains %q", s)
		}
	}
}

func TestConstOID(t *testing.T) {
	cases := []struct {
		typ, name string
		want      uint32
		ok        bool
	}{
		{"regclass", "pg_class", 1259, true},
		{"regclass", "pg_catalog.pg_type", 1247, true},
		{"regclass", `"pg_catalog"."pg_namespace"`, 2615, true},
		{"regclass", "information_schema.tables", served["information_schema.tables"].oid, true},
		{"regclass", "orders", 0, false}, // a user's table: the catalog decides
		{"regclass", "public.pg_class", 0, false},
		{"regclass", `"PG_CLASS"`, 0, false},
		{"regproc", "pg_catalog.array_in", 750, true},
		{"regproc", "array_recv", 2400, true},
		{"regproc", "no_such_function", 0, false},
		{"regtype", "int4", 23, true},
		{"regtype", "pg_catalog.text", 25, true},
		{"regtype", "character varying", 1043, true},
		{"regtype", "numeric(10,2)", 0, false},
		{"regnamespace", "pg_catalog", 11, true},
		{"regnamespace", "sales", 0, false},
		{"regrole", "agnes", 0, false},
		{"regclass", "a.b.c", 0, false},
	}
	for _, tc := range cases {
		got, ok := ConstOID(tc.typ, tc.name)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ConstOID(%s, %s) = %d %t, want %d %t", tc.typ, tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

// A principal without readable tables still gets a working catalog.
func TestSessionWithoutTables(t *testing.T) {
	c := newTestConn(t)
	for _, q := range SessionSQL(Session{User: "empty@example.com", Settings: map[string]string{}}) {
		if err := c.Exec(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	cases := []struct{ sql, want string }{
		{"SELECT count(*) FROM pgcompat.pg_description", "0"},
		{"SELECT pgcompat.session_user_name()", "empty@example.com"},
		{"SELECT array_to_string(pgcompat.current_schemas(true), ',')", "pg_catalog,public"},
		{"SELECT pgcompat.pg_database_size('agnes')", "0"},
	}
	for _, tc := range cases {
		if got := query(t, c, tc.sql)[0][0]; got != tc.want {
			t.Errorf("%s = %s, want %s", tc.sql, got, tc.want)
		}
	}
}
