package pgcompat

// Dynamic relations are views over what the sandbox holds. The sandbox has
// exactly the caller's granted tables (views in schema main and one DuckDB
// schema per other PostgreSQL schema), so these views list exactly what
// the caller may read. Their rows are shaped like PostgreSQL's: PostgreSQL
// OIDs and type names, "public" for DuckDB's main.

// helperViews list the sandbox's tables and columns; the served relations
// are built on them. The first two are tables: the sandbox's tables are
// fixed once it is built (SQL runs after its views exist).
var helperViews = []string{
	`CREATE TABLE pgcompat.user_relations AS
	SELECT r.nspname, r.relname, pgcompat.relation_oid(r.nspname, r.relname) AS oid,
		pgcompat.namespace_oid(r.nspname) AS nspoid, r.relnatts
	FROM (
		SELECT pgcompat.pg_schema(schema_name) AS nspname, view_name AS relname, CAST(column_count AS SMALLINT) AS relnatts
		FROM duckdb_views()
		WHERE database_name = current_database() AND NOT internal AND NOT temporary AND schema_name <> 'pgcompat'
		UNION ALL
		SELECT pgcompat.pg_schema(schema_name), table_name, CAST(column_count AS SMALLINT)
		FROM duckdb_tables()
		WHERE database_name = current_database() AND NOT internal AND NOT temporary AND schema_name <> 'pgcompat'
	) AS r`,
	`CREATE TABLE pgcompat.user_columns AS
	SELECT pgcompat.relation_oid(pgcompat.pg_schema(c.schema_name), c.table_name) AS attrelid,
		c.column_name AS attname, CAST(c.column_index AS SMALLINT) AS attnum,
		CASE WHEN pgcompat.duck_elem_type(c.data_type) <> c.data_type THEN coalesce(t.typarray, 1009)
			ELSE pgcompat.duck_base_type_oid(c.data_type) END AS atttypid,
		CAST(pgcompat.duck_base_typmod(pgcompat.duck_elem_type(c.data_type)) AS INTEGER) AS atttypmod,
		NOT c.is_nullable AS attnotnull
	FROM duckdb_columns() AS c
	LEFT JOIN pgcompat.pg_type AS t ON t.oid = pgcompat.duck_base_type_oid(pgcompat.duck_elem_type(c.data_type))
	WHERE c.database_name = current_database() AND NOT c.internal AND c.schema_name <> 'pgcompat'`,
	`CREATE VIEW pgcompat.session_table_rows AS
	SELECT t.nsp, t.rel, t.description, t.row_count, t.byte_size
	FROM (SELECT unnest(pgcompat.session_tables(), recursive := true)) AS t`,
	`CREATE VIEW pgcompat.session_column_rows AS
	SELECT c.nsp, c.rel, c.att, c.description
	FROM (SELECT unnest(pgcompat.session_columns(), recursive := true)) AS c`,
}

// materialized are the dynamic relations that depend on the sandbox alone
// (not on the session): computed once when the sandbox is built, so
// queries read a table instead of re-deriving the rows every time.
var materialized = setOf(
	"pg_catalog.pg_class", "pg_catalog.pg_namespace", "pg_catalog.pg_attribute", "pg_catalog.pg_database", "pg_catalog.pg_tables",
	"pg_catalog.pg_views", "information_schema.information_schema_catalog_name", "information_schema.schemata",
	"information_schema.tables", "information_schema.views", "information_schema.columns",
	"information_schema.character_sets",
)

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// dynamicRelations are the served relations computed from the sandbox and
// the session.
var dynamicRelations = map[string]string{
	"pg_catalog.pg_namespace": `
	SELECT n.oid, n.nspname, 10 AS nspowner, NULL AS nspacl FROM (
		SELECT 11 AS oid, 'pg_catalog' AS nspname
		UNION ALL SELECT 99, 'pg_toast'
		UNION ALL SELECT 2200, 'public'
		UNION ALL SELECT 13207, 'information_schema'
		UNION ALL SELECT DISTINCT nspoid, nspname FROM pgcompat.user_relations
			WHERE nspname NOT IN ('pg_catalog', 'pg_toast', 'public', 'information_schema')
	) AS n`,

	"pg_catalog.pg_class": `
	SELECT r.oid, r.relname, r.relnamespace, 0 AS reltype, 0 AS reloftype, 10 AS relowner,
		CASE WHEN r.relkind = 'r' THEN 2 ELSE 0 END AS relam,
		CASE WHEN r.relkind = 'r' THEN r.oid ELSE 0 END AS relfilenode, 0 AS reltablespace,
		0 AS relpages, -1 AS reltuples, 0 AS relallvisible, 0 AS reltoastrelid, false AS relhasindex,
		false AS relisshared, 'p' AS relpersistence, r.relkind, r.relnatts, 0 AS relchecks,
		false AS relhasrules, false AS relhastriggers, false AS relhassubclass, false AS relrowsecurity,
		false AS relforcerowsecurity, true AS relispopulated,
		CASE WHEN r.relkind = 'r' THEN 'd' ELSE 'n' END AS relreplident, false AS relispartition,
		0 AS relrewrite, 0 AS relfrozenxid, 0 AS relminmxid, NULL AS relacl, NULL AS reloptions,
		NULL AS relpartbound
	FROM (
		SELECT u.oid, u.relname, u.nspoid AS relnamespace, 'r' AS relkind, u.relnatts
		FROM pgcompat.user_relations AS u
		UNION ALL
		SELECT oid, relname, pgcompat.namespace_oid(nspname), relkind, relnatts
		FROM pgcompat.catalog_relations
	) AS r`,

	"pg_catalog.pg_attribute": `
	SELECT a.attrelid, a.attname, a.atttypid, -1 AS attstattarget, t.typlen AS attlen, a.attnum,
		CASE WHEN t.typcategory = 'A' THEN 1 ELSE 0 END AS attndims, -1 AS attcacheoff, a.atttypmod,
		t.typbyval AS attbyval, t.typalign AS attalign, t.typstorage AS attstorage, '' AS attcompression,
		a.attnotnull, false AS atthasdef, false AS atthasmissing, '' AS attidentity, '' AS attgenerated,
		false AS attisdropped, true AS attislocal, 0 AS attinhcount, coalesce(t.typcollation, 0) AS attcollation,
		NULL AS attacl, NULL AS attoptions, NULL AS attfdwoptions, NULL AS attmissingval
	FROM (
		SELECT attrelid, attname, atttypid, attnum, atttypmod, attnotnull FROM pgcompat.user_columns
		UNION ALL
		SELECT attrelid, attname, atttypid, attnum, -1, true FROM pgcompat.catalog_attributes
	) AS a
	LEFT JOIN pgcompat.pg_type AS t ON t.oid = a.atttypid`,

	// Registry descriptions of the readable tables and their columns.
	"pg_catalog.pg_description": `
	SELECT u.oid AS objoid, 1259 AS classoid, 0 AS objsubid, s.description
	FROM pgcompat.session_table_rows AS s
	JOIN pgcompat.user_relations AS u ON u.nspname = s.nsp AND u.relname = s.rel
	WHERE s.description IS NOT NULL
	UNION ALL
	SELECT a.attrelid, 1259, a.attnum, c.description
	FROM pgcompat.session_column_rows AS c
	JOIN pgcompat.user_columns AS a ON a.attrelid = pgcompat.relation_oid(c.nsp, c.rel) AND a.attname = c.att
	WHERE c.description IS NOT NULL`,

	"pg_catalog.pg_database": `
	SELECT 16384 AS oid, pgcompat.database_name() AS datname, 10 AS datdba, 6 AS encoding,
		'c' AS datlocprovider, false AS datistemplate, true AS datallowconn, -1 AS datconnlimit,
		0 AS datfrozenxid, 1 AS datminmxid, 1663 AS dattablespace, 'en_US.UTF-8' AS datcollate,
		'en_US.UTF-8' AS datctype, NULL AS daticulocale, NULL AS daticurules, NULL AS datcollversion,
		NULL AS datacl`,

	// The owner role of every object, and the session's own login role.
	"pg_catalog.pg_roles": `
	SELECT '` + OwnerRole + `' AS rolname, false AS rolsuper, true AS rolinherit, false AS rolcreaterole,
		false AS rolcreatedb, false AS rolcanlogin, false AS rolreplication, -1 AS rolconnlimit,
		'********' AS rolpassword, NULL AS rolvaliduntil, false AS rolbypassrls, NULL AS rolconfig, 10 AS oid
	UNION ALL
	SELECT pgcompat.session_user_name(), false, true, false, false, true, false, -1, '********', NULL, false,
		NULL, pgcompat.session_user_oid()
	WHERE pgcompat.session_user_name() <> '` + OwnerRole + `'`,

	"pg_catalog.pg_user": `
	SELECT pgcompat.session_user_name() AS usename, pgcompat.session_user_oid() AS usesysid,
		false AS usecreatedb, false AS usesuper, false AS userepl, false AS usebypassrls,
		'********' AS passwd, NULL AS valuntil, NULL AS useconfig
	WHERE pgcompat.session_user_name() <> '` + OwnerRole + `'`,

	// Client-visible session parameters only: never DuckDB's settings.
	"pg_catalog.pg_settings": `
	SELECT d.name, coalesce(pgcompat.setting(d.name), d.boot_val) AS setting, d.unit, d.category,
		d.short_desc, d.extra_desc, d.context, d.vartype,
		CASE WHEN pgcompat.setting(d.name) IS NULL OR pgcompat.setting(d.name) = d.boot_val THEN 'default'
			ELSE 'session' END AS source,
		d.min_val, d.max_val, d.enumvals, d.boot_val, d.boot_val AS reset_val, NULL AS sourcefile,
		NULL AS sourceline, false AS pending_restart
	FROM pgcompat.setting_definitions AS d`,

	"pg_catalog.pg_tables": `
	SELECT n.nspname AS schemaname, c.relname AS tablename, pgcompat.pg_get_userbyid(c.relowner) AS tableowner,
		NULL AS tablespace, c.relhasindex AS hasindexes, c.relhasrules AS hasrules,
		c.relhastriggers AS hastriggers, c.relrowsecurity AS rowsecurity
	FROM pgcompat.pg_class AS c JOIN pgcompat.pg_namespace AS n ON n.oid = c.relnamespace
	WHERE c.relkind IN ('r', 'p')`,

	// PostgreSQL's own system views, without their definitions. Agnes
	// serves no views of its own, and the sandbox's view definitions
	// (which name server files) are never shown.
	"pg_catalog.pg_views": `
	SELECT n.nspname AS schemaname, c.relname AS viewname, pgcompat.pg_get_userbyid(c.relowner) AS viewowner,
		NULL AS definition
	FROM pgcompat.pg_class AS c JOIN pgcompat.pg_namespace AS n ON n.oid = c.relnamespace
	WHERE c.relkind = 'v'`,
}
