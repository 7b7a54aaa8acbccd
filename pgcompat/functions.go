package pgcompat

import "strings"

// The macros below are PostgreSQL functions as clients call them. The
// planner rewrites a call of an overridden function (Functions) to its
// macro, so pg_catalog.format_type(…) and format_type(…) both reach
// pgcompat.format_type. Helper macros (names not in Functions) are used by
// the views and by other macros only.
//
// DuckDB macros are untyped and expanded where they are called: a macro
// argument may be a number or a string (pgcompat.regclass_oid accepts
// both), and a scalar subquery in a macro is planned with the query around
// it.

// baseMacros need no catalog view; the views use them.
func baseMacros(o Options) []string {
	return []string{
		`CREATE MACRO pgcompat.database_name() AS ` + quoteLiteral(o.database()),
		`CREATE MACRO pgcompat.version() AS ` + quoteLiteral(o.versionString()),
		`CREATE MACRO pgcompat.setting(name) AS coalesce(getvariable('` + varSettings + `'), CAST(MAP([], []) AS ` + settingsType + `))[lower(name)]`,
		`CREATE MACRO pgcompat.session() AS from_json(coalesce(CAST(getvariable('` + varSession + `') AS VARCHAR), '{}'), '` + sessionJSONType + `')`,
		`CREATE MACRO pgcompat.session_user_name() AS coalesce(pgcompat.session().usr, '` + OwnerRole + `')`,
		`CREATE MACRO pgcompat.session_tables() AS coalesce(pgcompat.session().tables, CAST([] AS ` + tablesType + `))`,
		`CREATE MACRO pgcompat.session_schemas() AS list_distinct(['pg_catalog', 'public', 'information_schema'] ||
			coalesce(pgcompat.session().schemas, CAST([] AS VARCHAR[])))`,
		`CREATE MACRO pgcompat.session_columns() AS coalesce(pgcompat.session().columns, CAST([] AS ` + columnsType + `))`,
		`CREATE MACRO pgcompat.pg_backend_pid() AS coalesce(pgcompat.session().pid, 0)`,
		// OIDs from names; see oid.go.
		`CREATE MACRO pgcompat.name_oid(k) AS CAST(16384 + md5_number_upper(k) % 2000000000 AS BIGINT)`,
		`CREATE MACRO pgcompat.relation_oid(nsp, rel) AS pgcompat.name_oid('relation ' || nsp || chr(31) || rel)`,
		`CREATE MACRO pgcompat.namespace_oid(nsp) AS CASE nsp WHEN 'pg_catalog' THEN 11 WHEN 'public' THEN 2200
			WHEN 'information_schema' THEN 13207 WHEN 'pg_toast' THEN 99 ELSE pgcompat.name_oid('namespace ' || nsp) END`,
		`CREATE MACRO pgcompat.role_oid(r) AS CASE WHEN r = '` + OwnerRole + `' THEN 10 ELSE pgcompat.name_oid('role ' || r) END`,
		`CREATE MACRO pgcompat.session_user_oid() AS pgcompat.role_oid(pgcompat.session_user_name())`,
		// DuckDB's main schema is PostgreSQL's public.
		`CREATE MACRO pgcompat.pg_schema(s) AS CASE WHEN s = 'main' THEN 'public' ELSE s END`,
		// The PostgreSQL type of a DuckDB column type, as the wire sends it
		// (wire/types.go): arrays are handled by the caller.
		`CREATE MACRO pgcompat.duck_base_type_oid(t) AS CASE
			WHEN t = 'BOOLEAN' THEN 16
			WHEN t IN ('TINYINT', 'SMALLINT') THEN 21
			WHEN t IN ('UTINYINT', 'USMALLINT', 'INTEGER') THEN 23
			WHEN t IN ('UINTEGER', 'BIGINT') THEN 20
			WHEN t IN ('UBIGINT', 'HUGEINT', 'UHUGEINT', 'BIGNUM', 'VARINT') OR starts_with(t, 'DECIMAL') THEN 1700
			WHEN t = 'FLOAT' THEN 700
			WHEN t = 'DOUBLE' THEN 701
			WHEN t = 'JSON' THEN 114
			WHEN t = 'BLOB' THEN 17
			WHEN t = 'BIT' THEN 1562
			WHEN t = 'DATE' THEN 1082
			WHEN t = 'TIME' THEN 1083
			WHEN t = 'TIME WITH TIME ZONE' THEN 1266
			WHEN t IN ('TIMESTAMP', 'TIMESTAMP_S', 'TIMESTAMP_MS', 'TIMESTAMP_NS') THEN 1114
			WHEN t = 'TIMESTAMP WITH TIME ZONE' THEN 1184
			WHEN t = 'INTERVAL' THEN 1186
			WHEN t = 'UUID' THEN 2950
			WHEN starts_with(t, 'STRUCT(') OR starts_with(t, 'MAP(') THEN 114
			ELSE 25 END`,
		`CREATE MACRO pgcompat.duck_base_typmod(t) AS CASE
			WHEN starts_with(t, 'DECIMAL(') THEN CAST(regexp_extract(t, 'DECIMAL\((\d+),', 1) AS INTEGER) * 65536
				+ CAST(regexp_extract(t, ',(\d+)\)', 1) AS INTEGER) + 4
			WHEN t = 'TIMESTAMP_S' THEN 0
			WHEN t = 'TIMESTAMP_MS' THEN 3
			ELSE -1 END`,
		`CREATE MACRO pgcompat.duck_elem_type(t) AS regexp_replace(t, '(\[\d*\])+$', '')`,
		// Identifiers and literals.
		`CREATE MACRO pgcompat.quote_ident(s) AS CASE
			WHEN s IS NULL THEN NULL
			WHEN regexp_full_match(CAST(s AS VARCHAR), '[a-z_][a-z0-9_]*')
				AND NOT EXISTS (SELECT 1 FROM (SELECT CAST(s AS VARCHAR) AS pgc_w) AS pgc_arg
					JOIN pgcompat.keywords AS pgc_k ON pgc_k.word = pgc_arg.pgc_w AND pgc_k.catcode <> 'U')
				THEN CAST(s AS VARCHAR)
			ELSE '"' || replace(CAST(s AS VARCHAR), '"', '""') || '"' END`,
		`CREATE MACRO pgcompat.quote_literal(s) AS CASE
			WHEN s IS NULL THEN NULL
			WHEN contains(CAST(s AS VARCHAR), '\') THEN 'E''' || replace(replace(CAST(s AS VARCHAR), '\', '\\'), '''', '''''') || ''''
			ELSE '''' || replace(CAST(s AS VARCHAR), '''', '''''') || '''' END`,
		`CREATE MACRO pgcompat.quote_nullable(s) AS coalesce(pgcompat.quote_literal(s), 'NULL')`,
		`CREATE MACRO pgcompat.parse_ident(s) AS ` + parseIdentSQL + `, (s, strict) AS ` + parseIdentSQL,
		// Search path: the session's search_path setting, "$user" replaced.
		`CREATE MACRO pgcompat.search_path() AS list_transform(
			list_filter(string_split(coalesce(pgcompat.setting('search_path'), '"$user", public'), ','), pgc_p -> trim(pgc_p) <> ''),
			pgc_p -> CASE WHEN trim(pgc_p) IN ('"$user"', '$user') THEN pgcompat.session_user_name()
				WHEN starts_with(trim(pgc_p), '"') THEN replace(trim(pgc_p)[2:-2], '""', '"')
				ELSE lower(trim(pgc_p)) END)`,
		`CREATE MACRO pgcompat.pg_get_userbyid(r) AS CASE
			WHEN r IS NULL THEN NULL
			WHEN r = 10 THEN '` + OwnerRole + `'
			WHEN r = pgcompat.session_user_oid() THEN pgcompat.session_user_name()
			ELSE 'unknown (OID=' || r || ')' END`,
		`CREATE MACRO pgcompat.pg_encoding_to_char(e) AS CASE e WHEN 6 THEN 'UTF8' WHEN 0 THEN 'SQL_ASCII' ELSE '' END`,
		`CREATE MACRO pgcompat.pg_client_encoding() AS 'UTF8'`,
		`CREATE MACRO pgcompat.current_setting(name) AS pgcompat.setting(name), (name, missing_ok) AS pgcompat.setting(name)`,
		`CREATE MACRO pgcompat.set_config(name, value, is_local) AS CAST(value AS VARCHAR)`,
		// Arrays: PostgreSQL arrays are 1-based like DuckDB lists; an empty
		// array has no dimensions (NULL bounds). Only the first dimension
		// of nested lists is described.
		`CREATE MACRO pgcompat.array_upper(a, d) AS CASE WHEN d = 1 AND len(a) > 0 THEN CAST(len(a) AS INTEGER) END`,
		`CREATE MACRO pgcompat.array_lower(a, d) AS CASE WHEN d = 1 AND len(a) > 0 THEN 1 END`,
		`CREATE MACRO pgcompat.array_length(a, d) AS CASE WHEN d = 1 AND len(a) > 0 THEN CAST(len(a) AS INTEGER) END`,
		`CREATE MACRO pgcompat.array_ndims(a) AS CASE WHEN len(a) > 0 THEN 1 END`,
		`CREATE MACRO pgcompat.array_dims(a) AS CASE WHEN len(a) > 0 THEN '[1:' || len(a) || ']' END`,
		`CREATE MACRO pgcompat.array_remove(a, e) AS list_filter(a, pgc_x -> pgc_x IS DISTINCT FROM e)`,
		`CREATE MACRO pgcompat.array_replace(a, f, r) AS list_transform(a, pgc_x -> CASE WHEN pgc_x IS NOT DISTINCT FROM f THEN r ELSE pgc_x END)`,
		`CREATE MACRO pgcompat.array_positions(a, e) AS list_filter(range(1, len(a) + 1), pgc_i -> a[pgc_i] IS NOT DISTINCT FROM e)`,
		`CREATE MACRO pgcompat._pg_expandarray(a) AS unnest(list_transform(range(1, len(a) + 1), pgc_i -> {'x': a[pgc_i], 'n': CAST(pgc_i AS INTEGER)}))`,
		`CREATE MACRO pgcompat.jsonb_typeof(j) AS lower(json_type(j))`,
		`CREATE MACRO pgcompat.json_typeof(j) AS lower(json_type(j))`,
		// Server facts that have no meaning for Agnes get PostgreSQL's
		// answer for a server without them.
		`CREATE MACRO pgcompat.pg_is_in_recovery() AS false`,
		`CREATE MACRO pgcompat.pg_jit_available() AS false`,
		`CREATE MACRO pgcompat.pg_trigger_depth() AS 0`,
		`CREATE MACRO pgcompat.pg_relation_is_publishable(r) AS false`,
		`CREATE MACRO pgcompat.pg_tablespace_location(t) AS ''`,
		`CREATE MACRO pgcompat.pg_get_expr(e, r) AS CAST(e AS VARCHAR), (e, r, pretty) AS CAST(e AS VARCHAR)`,
		`CREATE MACRO pgcompat.pg_get_indexdef(i) AS CAST(NULL AS VARCHAR), (i, c, pretty) AS CAST(NULL AS VARCHAR)`,
		`CREATE MACRO pgcompat.pg_get_constraintdef(c) AS CAST(NULL AS VARCHAR), (c, pretty) AS CAST(NULL AS VARCHAR)`,
		// Agnes serves no views: a neutral NULL, never the sandbox's
		// definitions (they name server files).
		`CREATE MACRO pgcompat.pg_get_viewdef(v) AS CAST(NULL AS VARCHAR), (v, pretty) AS CAST(NULL AS VARCHAR)`,
		`CREATE MACRO pgcompat.pg_get_triggerdef(t) AS CAST(NULL AS VARCHAR), (t, pretty) AS CAST(NULL AS VARCHAR)`,
		`CREATE MACRO pgcompat.pg_get_ruledef(r) AS CAST(NULL AS VARCHAR), (r, pretty) AS CAST(NULL AS VARCHAR)`,
		`CREATE MACRO pgcompat.pg_get_partkeydef(r) AS CAST(NULL AS VARCHAR)`,
		`CREATE MACRO pgcompat.pg_get_statisticsobjdef_columns(s) AS CAST(NULL AS VARCHAR)`,
		`CREATE MACRO pgcompat.pg_get_serial_sequence(t, c) AS CAST(NULL AS VARCHAR)`,
		`CREATE MACRO pgcompat.shobj_description(o, c) AS CAST(NULL AS VARCHAR)`,
	}
}

// parseIdentSQL splits a qualified identifier the way parse_ident does:
// quoted parts keep their case, unquoted ones are lower-cased.
const parseIdentSQL = `list_transform(regexp_extract_all(CAST(s AS VARCHAR), '"(?:[^"]|"")*"|[^."\s]+'),
	pgc_p -> CASE WHEN starts_with(pgc_p, '"') THEN replace(pgc_p[2:-2], '""', '"') ELSE lower(pgc_p) END)`

// catalogMacros read the catalog views; they are created after them.
//
// Macros are expanded into the calling query, so a subquery in a macro
// must not let the caller's argument bind to the subquery's own tables
// (pg_table_is_visible(oid) would compare pg_class.oid with itself). Each
// subquery therefore evaluates the arguments first, in a derived table of
// its own (FROM (SELECT x AS v) AS pgc_arg), and names its tables pgc_*.
func catalogMacros() []string {
	return append(catalogMacroList(), regArrayNameMacros()...)
}

// regArrayNameMacros are <reg type>_names(array): the name of each element,
// for casts of arrays (proargtypes::regtype[]).
func regArrayNameMacros() []string {
	var out []string
	for _, t := range []string{"regclass", "regtype", "regproc", "regnamespace", "regrole"} {
		out = append(out, `CREATE MACRO pgcompat.`+t+`_names(a) AS CASE WHEN a IS NULL THEN NULL ELSE (
			SELECT coalesce(list(pgcompat.`+t+`_name(pgc_e.pgc_v) ORDER BY pgc_e.pgc_i), CAST([] AS VARCHAR[]))
			FROM (SELECT unnest(a) AS pgc_v, generate_subscripts(a, 1) AS pgc_i) AS pgc_e) END`)
	}
	return out
}

func catalogMacroList() []string {
	return []string{
		`CREATE MACRO pgcompat.current_database() AS pgcompat.database_name()`,
		// format_type as PostgreSQL prints types, typmods included; a
		// true array type (array_subscript_handler, not plain storage like
		// int2vector) prints as its element type and [].
		`CREATE MACRO pgcompat.format_type_base(o, m) AS CASE o
			WHEN 16 THEN 'boolean'
			WHEN 20 THEN 'bigint'
			WHEN 21 THEN 'smallint'
			WHEN 23 THEN 'integer'
			WHEN 700 THEN 'real'
			WHEN 701 THEN 'double precision'
			WHEN 18 THEN '"char"' || CASE WHEN m >= 0 THEN '(' || m || ')' ELSE '' END
			WHEN 1042 THEN CASE WHEN m IS NULL THEN 'character' WHEN m >= 4 THEN 'character(' || (m - 4) || ')' ELSE 'bpchar' END
			WHEN 1043 THEN CASE WHEN m >= 4 THEN 'character varying(' || (m - 4) || ')' ELSE 'character varying' END
			WHEN 1700 THEN CASE WHEN m >= 4 THEN 'numeric(' || ((m - 4) >> 16) || ',' || ((m - 4) & 65535) || ')' ELSE 'numeric' END
			WHEN 1083 THEN CASE WHEN m >= 0 THEN 'time(' || m || ') without time zone' ELSE 'time without time zone' END
			WHEN 1266 THEN CASE WHEN m >= 0 THEN 'time(' || m || ') with time zone' ELSE 'time with time zone' END
			WHEN 1114 THEN CASE WHEN m >= 0 THEN 'timestamp(' || m || ') without time zone' ELSE 'timestamp without time zone' END
			WHEN 1184 THEN CASE WHEN m >= 0 THEN 'timestamp(' || m || ') with time zone' ELSE 'timestamp with time zone' END
			WHEN 1186 THEN 'interval'
			WHEN 1560 THEN CASE WHEN m IS NULL THEN 'bit' WHEN m >= 0 THEN 'bit(' || m || ')' ELSE '"bit"' END
			WHEN 1562 THEN CASE WHEN m >= 0 THEN 'bit varying(' || m || ')' ELSE 'bit varying' END
			ELSE (SELECT CASE WHEN pgc_t.typnamespace = 11 THEN pgcompat.quote_ident(pgc_t.typname)
					ELSE pgcompat.quote_ident(pgc_n.nspname) || '.' || pgcompat.quote_ident(pgc_t.typname) END
					|| CASE WHEN pgc_arg.pgc_m >= 0 THEN '(' || pgc_arg.pgc_m || ')' ELSE '' END
				FROM (SELECT o AS pgc_o, m AS pgc_m) AS pgc_arg
				JOIN pgcompat.pg_type AS pgc_t ON pgc_t.oid = pgc_arg.pgc_o
				LEFT JOIN pgcompat.pg_namespace AS pgc_n ON pgc_n.oid = pgc_t.typnamespace)
			END`,
		`CREATE MACRO pgcompat.format_type(o, m) AS CASE
			WHEN o IS NULL THEN NULL
			WHEN o = 0 THEN '-'
			ELSE coalesce((SELECT CASE WHEN pgc_t.typelem <> 0 AND pgc_t.typsubscript = 6179 AND pgc_t.typstorage <> 'p'
						THEN pgcompat.format_type_base(pgc_t.typelem, pgc_arg.pgc_m) || '[]'
						ELSE pgcompat.format_type_base(pgc_t.oid, pgc_arg.pgc_m) END
				FROM (SELECT o AS pgc_o, m AS pgc_m) AS pgc_arg JOIN pgcompat.pg_type AS pgc_t ON pgc_t.oid = pgc_arg.pgc_o), '???')
			END`,
		// The search path's schemas that exist; with implicit schemas,
		// pg_catalog first unless the path names it.
		`CREATE MACRO pgcompat.current_schemas(implicit) AS
			CASE WHEN implicit AND NOT list_contains(pgcompat.search_path(), 'pg_catalog') THEN ['pg_catalog']
				ELSE CAST([] AS VARCHAR[]) END ||
			list_filter(pgcompat.search_path(), (pgc_s, pgc_i) ->
				list_contains(pgcompat.session_schemas(), pgc_s) AND list_position(pgcompat.search_path(), pgc_s) = pgc_i)`,
		`CREATE MACRO pgcompat.current_schema() AS pgcompat.current_schemas(false)[1]`,
		// age(xid): transactions are not numbered here; every catalog row
		// is as old as the current transaction.
		`CREATE MACRO pgcompat.xid_age(x) AS CASE WHEN x IS NULL THEN NULL ELSE CAST(0 AS INTEGER) END`,
		// reg* conversions. The planner picks the OID form where the value
		// is compared or joined and the name form where it is shown, as
		// PostgreSQL's output function would print it.
		`CREATE MACRO pgcompat.to_regclass(x) AS (
			SELECT pgc_c.oid FROM (SELECT pgcompat.parse_ident(x) AS pgc_ident, pgcompat.current_schemas(true) AS pgc_path) AS pgc_arg,
				pgcompat.pg_class AS pgc_c JOIN pgcompat.pg_namespace AS pgc_n ON pgc_n.oid = pgc_c.relnamespace
			WHERE pgc_c.relname = pgc_arg.pgc_ident[-1]
				AND CASE WHEN len(pgc_arg.pgc_ident) >= 2 THEN pgc_n.nspname = pgc_arg.pgc_ident[-2] ELSE list_contains(pgc_arg.pgc_path, pgc_n.nspname) END
			ORDER BY list_position(pgc_arg.pgc_path, pgc_n.nspname) NULLS LAST LIMIT 1)`,
		`CREATE MACRO pgcompat.regclass_oid(x) AS CASE
			WHEN x IS NULL THEN NULL
			WHEN TRY_CAST(x AS BIGINT) IS NOT NULL THEN TRY_CAST(x AS BIGINT)
			ELSE coalesce(pgcompat.to_regclass(x), error('relation "' || CAST(x AS VARCHAR) || '" does not exist')) END`,
		`CREATE MACRO pgcompat.regclass_name(x) AS (
			SELECT coalesce(CASE WHEN list_contains(pgcompat.current_schemas(true), pgc_n.nspname) THEN pgcompat.quote_ident(pgc_c.relname)
					ELSE pgcompat.quote_ident(pgc_n.nspname) || '.' || pgcompat.quote_ident(pgc_c.relname) END, CAST(pgc_arg.pgc_o AS VARCHAR))
			FROM (SELECT pgcompat.regclass_oid(x) AS pgc_o) AS pgc_arg
			LEFT JOIN pgcompat.pg_class AS pgc_c ON pgc_c.oid = pgc_arg.pgc_o
			LEFT JOIN pgcompat.pg_namespace AS pgc_n ON pgc_n.oid = pgc_c.relnamespace)`,
		`CREATE MACRO pgcompat.type_name_of(s) AS (
			SELECT CASE WHEN ends_with(pgc_arg.pgc_b, '[]') THEN '_' ELSE '' END ||
				coalesce(pgc_a.typname, rtrim(pgc_arg.pgc_b, '[]'))
			FROM (SELECT regexp_replace(regexp_replace(lower(trim(CAST(s AS VARCHAR))), '^pg_catalog\.', ''), '\s*\([^)]*\)', '', 'g') AS pgc_b) AS pgc_arg
			LEFT JOIN pgcompat.type_aliases AS pgc_a ON pgc_a.alias = rtrim(pgc_arg.pgc_b, '[]'))`,
		`CREATE MACRO pgcompat.to_regtype(x) AS (
			SELECT min(pgc_t.oid) FROM (SELECT pgcompat.type_name_of(x) AS pgc_n) AS pgc_arg
			JOIN pgcompat.pg_type AS pgc_t ON pgc_t.typname = pgc_arg.pgc_n)`,
		`CREATE MACRO pgcompat.regtype_oid(x) AS CASE
			WHEN x IS NULL THEN NULL
			WHEN TRY_CAST(x AS BIGINT) IS NOT NULL THEN TRY_CAST(x AS BIGINT)
			ELSE coalesce(pgcompat.to_regtype(x), error('type "' || CAST(x AS VARCHAR) || '" does not exist')) END`,
		`CREATE MACRO pgcompat.regtype_name(x) AS pgcompat.format_type(pgcompat.regtype_oid(x), NULL)`,
		`CREATE MACRO pgcompat.to_regproc(x) AS (
			SELECT min(pgc_p.oid) FROM (SELECT pgcompat.parse_ident(x)[-1] AS pgc_n) AS pgc_arg
			JOIN pgcompat.pg_proc AS pgc_p ON pgc_p.proname = pgc_arg.pgc_n)`,
		`CREATE MACRO pgcompat.to_regprocedure(x) AS pgcompat.to_regproc(regexp_replace(CAST(x AS VARCHAR), '\(.*$', ''))`,
		`CREATE MACRO pgcompat.regproc_oid(x) AS CASE
			WHEN x IS NULL THEN NULL
			WHEN TRY_CAST(x AS BIGINT) IS NOT NULL THEN TRY_CAST(x AS BIGINT)
			WHEN CAST(x AS VARCHAR) = '-' THEN 0
			ELSE coalesce(pgcompat.to_regproc(x), error('function "' || CAST(x AS VARCHAR) || '" does not exist')) END`,
		`CREATE MACRO pgcompat.regproc_name(x) AS (
			SELECT CASE WHEN pgc_arg.pgc_o = 0 THEN '-' ELSE coalesce(pgc_p.proname, CAST(pgc_arg.pgc_o AS VARCHAR)) END
			FROM (SELECT pgcompat.regproc_oid(x) AS pgc_o) AS pgc_arg LEFT JOIN pgcompat.pg_proc AS pgc_p ON pgc_p.oid = pgc_arg.pgc_o)`,
		`CREATE MACRO pgcompat.to_regnamespace(x) AS (
			SELECT min(pgc_n.oid) FROM (SELECT pgcompat.parse_ident(x)[-1] AS pgc_n) AS pgc_arg
			JOIN pgcompat.pg_namespace AS pgc_n ON pgc_n.nspname = pgc_arg.pgc_n)`,
		`CREATE MACRO pgcompat.regnamespace_oid(x) AS CASE
			WHEN x IS NULL THEN NULL
			WHEN TRY_CAST(x AS BIGINT) IS NOT NULL THEN TRY_CAST(x AS BIGINT)
			ELSE coalesce(pgcompat.to_regnamespace(x), error('schema "' || CAST(x AS VARCHAR) || '" does not exist')) END`,
		`CREATE MACRO pgcompat.regnamespace_name(x) AS (
			SELECT coalesce(pgcompat.quote_ident(pgc_n.nspname), CAST(pgc_arg.pgc_o AS VARCHAR))
			FROM (SELECT pgcompat.regnamespace_oid(x) AS pgc_o) AS pgc_arg LEFT JOIN pgcompat.pg_namespace AS pgc_n ON pgc_n.oid = pgc_arg.pgc_o)`,
		`CREATE MACRO pgcompat.to_regrole(x) AS (
			SELECT min(pgc_r.oid) FROM (SELECT pgcompat.parse_ident(x)[-1] AS pgc_n) AS pgc_arg
			JOIN pgcompat.pg_roles AS pgc_r ON pgc_r.rolname = pgc_arg.pgc_n)`,
		`CREATE MACRO pgcompat.regrole_oid(x) AS CASE
			WHEN x IS NULL THEN NULL
			WHEN TRY_CAST(x AS BIGINT) IS NOT NULL THEN TRY_CAST(x AS BIGINT)
			ELSE coalesce(pgcompat.to_regrole(x), error('role "' || CAST(x AS VARCHAR) || '" does not exist')) END`,
		`CREATE MACRO pgcompat.regrole_name(x) AS (
			SELECT coalesce(pgcompat.quote_ident(pgc_r.rolname), CAST(pgc_arg.pgc_o AS VARCHAR))
			FROM (SELECT pgcompat.regrole_oid(x) AS pgc_o) AS pgc_arg LEFT JOIN pgcompat.pg_roles AS pgc_r ON pgc_r.oid = pgc_arg.pgc_o)`,
		// Visibility: on the session's search path (pg_catalog implied).
		`CREATE MACRO pgcompat.pg_table_is_visible(r) AS EXISTS (
			SELECT 1 FROM (SELECT r AS pgc_o, pgcompat.current_schemas(true) AS pgc_path) AS pgc_arg
			JOIN pgcompat.pg_class AS pgc_c ON pgc_c.oid = pgc_arg.pgc_o
			JOIN pgcompat.pg_namespace AS pgc_n ON pgc_n.oid = pgc_c.relnamespace
			WHERE list_contains(pgc_arg.pgc_path, pgc_n.nspname))`,
		`CREATE MACRO pgcompat.pg_type_is_visible(t) AS EXISTS (
			SELECT 1 FROM (SELECT t AS pgc_o) AS pgc_arg JOIN pgcompat.pg_type AS pgc_y ON pgc_y.oid = pgc_arg.pgc_o
			WHERE pgc_y.typnamespace = 11)`,
		// Privileges answer from what the sandbox holds: a relation in
		// pg_class is readable (SELECT), nothing is writable.
		`CREATE MACRO pgcompat.privilege_listed(priv, wanted) AS
			list_bool_or(list_transform(string_split(upper(CAST(priv AS VARCHAR)), ','), pgc_p -> list_contains(wanted, trim(pgc_p))))`,
		`CREATE MACRO pgcompat.relation_of(t) AS CASE
			WHEN TRY_CAST(t AS BIGINT) IS NOT NULL THEN (
				SELECT pgc_c.oid FROM (SELECT TRY_CAST(t AS BIGINT) AS pgc_o) AS pgc_arg JOIN pgcompat.pg_class AS pgc_c ON pgc_c.oid = pgc_arg.pgc_o)
			ELSE pgcompat.to_regclass(t) END`,
		`CREATE MACRO pgcompat.table_privilege(t, priv) AS
			pgcompat.relation_of(t) IS NOT NULL AND pgcompat.privilege_listed(priv, ['SELECT'])`,
		`CREATE MACRO pgcompat.has_table_privilege(t, priv) AS pgcompat.table_privilege(t, priv),
			(u, t, priv) AS pgcompat.table_privilege(t, priv)`,
		`CREATE MACRO pgcompat.has_any_column_privilege(t, priv) AS pgcompat.table_privilege(t, priv),
			(u, t, priv) AS pgcompat.table_privilege(t, priv)`,
		`CREATE MACRO pgcompat.has_column_privilege(t, c, priv) AS pgcompat.table_privilege(t, priv),
			(u, t, c, priv) AS pgcompat.table_privilege(t, priv)`,
		`CREATE MACRO pgcompat.schema_privilege(s, priv) AS
			CASE WHEN TRY_CAST(s AS BIGINT) IS NOT NULL
				THEN EXISTS (SELECT 1 FROM (SELECT TRY_CAST(s AS BIGINT) AS pgc_o) AS pgc_arg
					JOIN pgcompat.pg_namespace AS pgc_n ON pgc_n.oid = pgc_arg.pgc_o)
				ELSE pgcompat.to_regnamespace(s) IS NOT NULL END
			AND pgcompat.privilege_listed(priv, ['USAGE'])`,
		`CREATE MACRO pgcompat.has_schema_privilege(s, priv) AS pgcompat.schema_privilege(s, priv),
			(u, s, priv) AS pgcompat.schema_privilege(s, priv)`,
		`CREATE MACRO pgcompat.has_database_privilege(d, priv) AS pgcompat.privilege_listed(priv, ['CONNECT']),
			(u, d, priv) AS pgcompat.privilege_listed(priv, ['CONNECT'])`,
		`CREATE MACRO pgcompat.has_function_privilege(f, priv) AS pgcompat.privilege_listed(priv, ['EXECUTE']),
			(u, f, priv) AS pgcompat.privilege_listed(priv, ['EXECUTE'])`,
		`CREATE MACRO pgcompat.has_language_privilege(l, priv) AS pgcompat.privilege_listed(priv, ['USAGE']),
			(u, l, priv) AS pgcompat.privilege_listed(priv, ['USAGE'])`,
		`CREATE MACRO pgcompat.has_type_privilege(t, priv) AS pgcompat.privilege_listed(priv, ['USAGE']),
			(u, t, priv) AS pgcompat.privilege_listed(priv, ['USAGE'])`,
		`CREATE MACRO pgcompat.has_sequence_privilege(s, priv) AS false, (u, s, priv) AS false`,
		`CREATE MACRO pgcompat.has_server_privilege(s, priv) AS false, (u, s, priv) AS false`,
		`CREATE MACRO pgcompat.has_tablespace_privilege(s, priv) AS false, (u, s, priv) AS false`,
		`CREATE MACRO pgcompat.has_foreign_data_wrapper_privilege(s, priv) AS false, (u, s, priv) AS false`,
		`CREATE MACRO pgcompat.role_held(r) AS CASE
			WHEN TRY_CAST(r AS BIGINT) IS NOT NULL THEN TRY_CAST(r AS BIGINT) = pgcompat.session_user_oid()
			ELSE CAST(r AS VARCHAR) = pgcompat.session_user_name() END`,
		`CREATE MACRO pgcompat.pg_has_role(r, priv) AS pgcompat.role_held(r),
			(u, r, priv) AS pgcompat.role_held(r)`,
		// Descriptions come from the registry (pg_description).
		`CREATE MACRO pgcompat.obj_description(o) AS (
			SELECT min(pgc_d.description) FROM (SELECT o AS pgc_o) AS pgc_arg
			JOIN pgcompat.pg_description AS pgc_d ON pgc_d.objoid = pgc_arg.pgc_o AND pgc_d.objsubid = 0),
			(o, cat) AS (
			SELECT min(pgc_d.description) FROM (SELECT o AS pgc_o, cat AS pgc_cat) AS pgc_arg
			JOIN pgcompat.pg_description AS pgc_d ON pgc_d.objoid = pgc_arg.pgc_o AND pgc_d.objsubid = 0
			JOIN pgcompat.pg_class AS pgc_c ON pgc_c.oid = pgc_d.classoid AND pgc_c.relname = pgc_arg.pgc_cat AND pgc_c.relnamespace = 11)`,
		`CREATE MACRO pgcompat.col_description(r, n) AS (
			SELECT min(pgc_d.description) FROM (SELECT r AS pgc_r, n AS pgc_n) AS pgc_arg
			JOIN pgcompat.pg_description AS pgc_d ON pgc_d.objoid = pgc_arg.pgc_r AND pgc_d.classoid = 1259 AND pgc_d.objsubid = pgc_arg.pgc_n)`,
		// Sizes come from the registry.
		`CREATE MACRO pgcompat.relation_bytes(r) AS coalesce((
			SELECT sum(pgc_t.byte_size) FROM (SELECT pgcompat.relation_of(r) AS pgc_o) AS pgc_arg
			JOIN pgcompat.session_table_rows AS pgc_t ON pgcompat.relation_oid(pgc_t.nsp, pgc_t.rel) = pgc_arg.pgc_o), 0)`,
		`CREATE MACRO pgcompat.pg_relation_size(r) AS CAST(pgcompat.relation_bytes(r) AS BIGINT),
			(r, fork) AS CASE WHEN fork = 'main' THEN CAST(pgcompat.relation_bytes(r) AS BIGINT) ELSE 0 END`,
		`CREATE MACRO pgcompat.pg_table_size(r) AS CAST(pgcompat.relation_bytes(r) AS BIGINT)`,
		`CREATE MACRO pgcompat.pg_total_relation_size(r) AS CAST(pgcompat.relation_bytes(r) AS BIGINT)`,
		`CREATE MACRO pgcompat.pg_indexes_size(r) AS CAST(0 AS BIGINT)`,
		`CREATE MACRO pgcompat.pg_database_size(d) AS CAST(coalesce((
			SELECT sum(pgc_t.byte_size) FROM pgcompat.session_table_rows AS pgc_t), 0) AS BIGINT)`,
		`CREATE MACRO pgcompat.pg_get_function_result(f) AS (
			SELECT pgcompat.format_type(pgc_p.prorettype, NULL) FROM (SELECT f AS pgc_o) AS pgc_arg
			JOIN pgcompat.pg_proc AS pgc_p ON pgc_p.oid = pgc_arg.pgc_o)`,
		`CREATE MACRO pgcompat.pg_get_function_arguments(f) AS coalesce((
			SELECT string_agg(pgcompat.format_type(pgc_a.t, NULL), ', ' ORDER BY pgc_a.i)
			FROM (SELECT unnest(pgc_p.proargtypes) AS t, generate_subscripts(pgc_p.proargtypes, 1) AS i
				FROM (SELECT f AS pgc_o) AS pgc_arg JOIN pgcompat.pg_proc AS pgc_p ON pgc_p.oid = pgc_arg.pgc_o) AS pgc_a), '')`,
		`CREATE MACRO pgcompat.pg_get_function_identity_arguments(f) AS pgcompat.pg_get_function_arguments(f)`,
		`CREATE MACRO pgcompat.pg_get_keywords() AS TABLE SELECT * FROM pgcompat.keywords`,
		`CREATE MACRO pgcompat.pg_listening_channels() AS TABLE SELECT CAST(NULL AS VARCHAR) AS pg_listening_channels WHERE false`,
	}
}

// functionNames are the PostgreSQL functions the macros above serve, as
// clients call them; the planner rewrites their calls to the macros.
var functionNames = []string{
	"_pg_expandarray", "array_dims", "array_length", "array_lower", "array_ndims", "array_positions",
	"array_remove", "array_replace", "array_upper", "col_description", "current_database",
	"current_schema", "current_schemas", "current_setting", "format_type",
	"has_any_column_privilege", "has_column_privilege", "has_database_privilege",
	"has_foreign_data_wrapper_privilege", "has_function_privilege", "has_language_privilege",
	"has_schema_privilege", "has_sequence_privilege", "has_server_privilege",
	"has_table_privilege", "has_tablespace_privilege", "has_type_privilege", "json_typeof",
	"jsonb_typeof", "obj_description", "parse_ident", "pg_backend_pid", "pg_client_encoding",
	"pg_database_size", "pg_encoding_to_char", "pg_get_constraintdef", "pg_get_expr",
	"pg_get_function_arguments", "pg_get_function_identity_arguments", "pg_get_function_result",
	"pg_get_indexdef", "pg_get_keywords", "pg_get_partkeydef", "pg_get_ruledef",
	"pg_get_serial_sequence", "pg_get_statisticsobjdef_columns", "pg_get_triggerdef",
	"pg_get_userbyid", "pg_get_viewdef", "pg_has_role", "pg_indexes_size", "pg_is_in_recovery",
	"pg_jit_available", "pg_listening_channels", "pg_relation_is_publishable", "pg_relation_size",
	"pg_table_is_visible", "pg_table_size", "pg_tablespace_location", "pg_total_relation_size",
	"pg_trigger_depth", "pg_type_is_visible", "quote_ident", "quote_literal", "quote_nullable",
	"set_config", "shobj_description", "to_regclass", "to_regnamespace", "to_regproc",
	"to_regprocedure", "to_regrole", "to_regtype", "version",
}

// renamedFunctions are PostgreSQL functions DuckDB has under another name
// with the same arguments and meaning (some take any number of
// arguments, which a macro cannot).
var renamedFunctions = map[string]string{
	"btrim":               "trim",
	"every":               "bool_and",
	"json_build_object":   "json_object",
	"jsonb_build_object":  "json_object",
	"json_build_array":    "json_array",
	"jsonb_build_array":   "json_array",
	"json_agg":            "json_group_array",
	"jsonb_agg":           "json_group_array",
	"json_object_agg":     "json_group_object",
	"jsonb_object_agg":    "json_group_object",
	"statement_timestamp": "now",
	"current_catalog":     Schema + ".current_database",
}

// Functions maps each PostgreSQL function the compatibility schema serves
// (folded name) to the name the planner rewrites its calls to.
func Functions() map[string]string {
	out := make(map[string]string, len(functionNames)+len(renamedFunctions))
	for _, f := range functionNames {
		out[f] = Schema + "." + f
	}
	for f, to := range renamedFunctions {
		out[f] = to
	}
	return out
}

// SessionFunctions maps the SQL value functions that name the session
// (CURRENT_USER, SESSION_USER, USER, CURRENT_ROLE, CURRENT_CATALOG,
// CURRENT_SCHEMA) to the macro serving each.
func SessionFunctions() map[string]string {
	return map[string]string{
		"current_user":    Schema + ".session_user_name",
		"session_user":    Schema + ".session_user_name",
		"user":            Schema + ".session_user_name",
		"current_role":    Schema + ".session_user_name",
		"current_catalog": Schema + ".current_database",
		"current_schema":  Schema + ".current_schema",
	}
}

// Cast names the macros converting a value to a reg* type: OID returns the
// object's OID (for comparisons and joins), Name its name as PostgreSQL
// prints the type (for display).
type Cast struct {
	OID, Name, Names string
}

// Casts maps the reg* types the compatibility schema serves (folded name)
// to their macros.
func Casts() map[string]Cast {
	out := map[string]Cast{}
	for _, t := range []string{"regclass", "regtype", "regproc", "regnamespace", "regrole"} {
		out[t] = Cast{OID: Schema + "." + t + "_oid", Name: Schema + "." + t + "_name", Names: Schema + "." + t + "_names"}
	}
	out["regprocedure"] = out["regproc"]
	return out
}

// ResultType returns the PostgreSQL result type of a served function when
// it differs from what DuckDB's result type maps to (name instead of text,
// oid instead of bigint), so the gateway can describe the column as
// PostgreSQL does.
func ResultType(function string) (string, bool) {
	switch strings.ToLower(function) {
	case "current_user", "session_user", "user", "current_role", "current_schema", "current_database",
		"current_catalog", "pg_get_userbyid", "pg_encoding_to_char", "pg_client_encoding":
		return "name", true
	case "current_schemas":
		return "name[]", true
	case "to_regclass":
		return "regclass", true
	case "to_regtype":
		return "regtype", true
	case "to_regproc":
		return "regproc", true
	case "to_regprocedure":
		return "regprocedure", true
	case "to_regnamespace":
		return "regnamespace", true
	case "to_regrole":
		return "regrole", true
	case "pg_backend_pid", "array_upper", "array_lower", "array_length", "array_ndims":
		return "integer", true
	}
	return "", false
}
