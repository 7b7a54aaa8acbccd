package pgcompat

// information_schema views, defined over the pg_catalog views the way
// PostgreSQL defines them, so both always agree. Type columns spell types
// as PostgreSQL does (data_type "integer", udt_name "int4", "ARRAY" and
// "_int4" for arrays). Agnes serves only reads: nothing is insertable or
// updatable, and the only privilege is SELECT.
var informationSchemaRelations = map[string]string{
	"information_schema.information_schema_catalog_name": `
	SELECT pgcompat.database_name() AS catalog_name`,

	"information_schema.schemata": `
	SELECT pgcompat.database_name() AS catalog_name, n.nspname AS schema_name,
		pgcompat.pg_get_userbyid(n.nspowner) AS schema_owner, NULL AS default_character_set_catalog,
		NULL AS default_character_set_schema, NULL AS default_character_set_name, NULL AS sql_path
	FROM pgcompat.pg_namespace AS n`,

	"information_schema.tables": `
	SELECT pgcompat.database_name() AS table_catalog, n.nspname AS table_schema, c.relname AS table_name,
		CASE WHEN c.relkind IN ('r', 'p') THEN 'BASE TABLE' WHEN c.relkind = 'v' THEN 'VIEW'
			WHEN c.relkind = 'f' THEN 'FOREIGN' END AS table_type,
		NULL AS self_referencing_column_name, NULL AS reference_generation,
		NULL AS user_defined_type_catalog, NULL AS user_defined_type_schema, NULL AS user_defined_type_name,
		'NO' AS is_insertable_into, 'NO' AS is_typed, NULL AS commit_action
	FROM pgcompat.pg_class AS c JOIN pgcompat.pg_namespace AS n ON n.oid = c.relnamespace
	WHERE c.relkind IN ('r', 'p', 'v', 'f')`,

	"information_schema.views": `
	SELECT pgcompat.database_name() AS table_catalog, n.nspname AS table_schema, c.relname AS table_name,
		NULL AS view_definition, 'NONE' AS check_option, 'NO' AS is_updatable, 'NO' AS is_insertable_into,
		'NO' AS is_trigger_updatable, 'NO' AS is_trigger_deletable, 'NO' AS is_trigger_insertable_into
	FROM pgcompat.pg_class AS c JOIN pgcompat.pg_namespace AS n ON n.oid = c.relnamespace
	WHERE c.relkind = 'v'`,

	"information_schema.columns": `
	SELECT pgcompat.database_name() AS table_catalog, n.nspname AS table_schema, c.relname AS table_name,
		a.attname AS column_name, a.attnum AS ordinal_position, NULL AS column_default,
		CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END AS is_nullable,
		CASE WHEN t.typtype = 'd' THEN
				CASE WHEN bt.typelem <> 0 AND bt.typlen = -1 THEN 'ARRAY' ELSE btf.name END
			WHEN t.typelem <> 0 AND t.typlen = -1 THEN 'ARRAY'
			WHEN t.typnamespace = 11 THEN tf.name
			ELSE 'USER-DEFINED' END AS data_type,
		CASE WHEN ct.oid IN (1042, 1043) AND a.atttypmod >= 4 THEN a.atttypmod - 4 END AS character_maximum_length,
		CASE WHEN ct.oid IN (1042, 1043) AND a.atttypmod >= 4 THEN (a.atttypmod - 4) * 4
			WHEN ct.oid IN (25, 1042, 1043) THEN 1073741824 END AS character_octet_length,
		CASE ct.oid WHEN 21 THEN 16 WHEN 23 THEN 32 WHEN 20 THEN 64 WHEN 700 THEN 24 WHEN 701 THEN 53
			WHEN 1700 THEN CASE WHEN a.atttypmod >= 4 THEN (a.atttypmod - 4) >> 16 END END AS numeric_precision,
		CASE WHEN ct.oid IN (21, 23, 20, 700, 701) THEN 2 WHEN ct.oid = 1700 THEN 10 END AS numeric_precision_radix,
		CASE WHEN ct.oid IN (21, 23, 20) THEN 0
			WHEN ct.oid = 1700 AND a.atttypmod >= 4 THEN (a.atttypmod - 4) & 65535 END AS numeric_scale,
		CASE WHEN ct.oid = 1082 THEN 0
			WHEN ct.oid IN (1083, 1266, 1114, 1184) THEN CASE WHEN a.atttypmod >= 0 THEN a.atttypmod ELSE 6 END
			WHEN ct.oid = 1186 THEN 6 END AS datetime_precision,
		NULL AS interval_type, NULL AS interval_precision,
		NULL AS character_set_catalog, NULL AS character_set_schema, NULL AS character_set_name,
		NULL AS collation_catalog, NULL AS collation_schema, NULL AS collation_name,
		CASE WHEN t.typtype = 'd' THEN pgcompat.database_name() END AS domain_catalog,
		CASE WHEN t.typtype = 'd' THEN tn.nspname END AS domain_schema,
		CASE WHEN t.typtype = 'd' THEN t.typname END AS domain_name,
		pgcompat.database_name() AS udt_catalog,
		CASE WHEN t.typtype = 'd' THEN btn.nspname ELSE tn.nspname END AS udt_schema,
		CASE WHEN t.typtype = 'd' THEN bt.typname ELSE t.typname END AS udt_name,
		NULL AS scope_catalog, NULL AS scope_schema, NULL AS scope_name, NULL AS maximum_cardinality,
		CAST(a.attnum AS VARCHAR) AS dtd_identifier, 'NO' AS is_self_referencing, 'NO' AS is_identity,
		NULL AS identity_generation, NULL AS identity_start, NULL AS identity_increment,
		NULL AS identity_maximum, NULL AS identity_minimum, 'NO' AS identity_cycle, 'NEVER' AS is_generated,
		NULL AS generation_expression, 'NO' AS is_updatable
	FROM pgcompat.pg_attribute AS a
	JOIN pgcompat.pg_class AS c ON c.oid = a.attrelid
	JOIN pgcompat.pg_namespace AS n ON n.oid = c.relnamespace
	LEFT JOIN pgcompat.pg_type AS t ON t.oid = a.atttypid
	LEFT JOIN pgcompat.pg_namespace AS tn ON tn.oid = t.typnamespace
	LEFT JOIN pgcompat.pg_type AS bt ON bt.oid = t.typbasetype AND t.typtype = 'd'
	LEFT JOIN pgcompat.pg_namespace AS btn ON btn.oid = bt.typnamespace
	LEFT JOIN pgcompat.pg_type AS ct ON ct.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END
	LEFT JOIN (SELECT oid, pgcompat.format_type(oid, NULL) AS name FROM pgcompat.pg_type) AS tf ON tf.oid = a.atttypid
	LEFT JOIN (SELECT oid, pgcompat.format_type(oid, NULL) AS name FROM pgcompat.pg_type) AS btf ON btf.oid = t.typbasetype
	WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'f')`,

	"information_schema.table_privileges": `
	SELECT '` + OwnerRole + `' AS grantor, pgcompat.session_user_name() AS grantee,
		pgcompat.database_name() AS table_catalog, n.nspname AS table_schema, c.relname AS table_name,
		'SELECT' AS privilege_type, 'NO' AS is_grantable, 'YES' AS with_hierarchy
	FROM pgcompat.pg_class AS c JOIN pgcompat.pg_namespace AS n ON n.oid = c.relnamespace
	WHERE c.relkind IN ('r', 'p', 'v', 'f')`,

	"information_schema.role_table_grants": `
	SELECT '` + OwnerRole + `' AS grantor, pgcompat.session_user_name() AS grantee,
		pgcompat.database_name() AS table_catalog, n.nspname AS table_schema, c.relname AS table_name,
		'SELECT' AS privilege_type, 'NO' AS is_grantable, 'YES' AS with_hierarchy
	FROM pgcompat.pg_class AS c JOIN pgcompat.pg_namespace AS n ON n.oid = c.relnamespace
	WHERE c.relkind IN ('r', 'p', 'v', 'f')`,

	"information_schema.enabled_roles": `
	SELECT pgcompat.session_user_name() AS role_name`,

	"information_schema.character_sets": `
	SELECT NULL AS character_set_catalog, NULL AS character_set_schema, 'UTF8' AS character_set_name,
		'UCS' AS character_repertoire, 'UTF8' AS form_of_use, pgcompat.database_name() AS default_collate_catalog,
		'pg_catalog' AS default_collate_schema, 'en_US.UTF-8' AS default_collate_name`,
}
