package planner

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// Catalog relations are served by the catalog route (DuckDB's own pg_catalog
// and information_schema today, the gateway's compatibility views later,
// through Options.CatalogRewrite). Only relations PostgreSQL itself has are
// accepted: a name in these schemas that PostgreSQL does not know is refused
// like any unknown table, so DuckDB-only objects that happen to live there
// stay unreachable.

// pgCatalogRelations are PostgreSQL 16's system catalogs and system views.
// An unqualified name from this list binds to pg_catalog before the
// search_path, as in PostgreSQL. pg_stat_* and pg_statio_* are accepted by
// prefix.
var pgCatalogRelations = setOf(
	// System catalogs.
	"pg_aggregate", "pg_am", "pg_amop", "pg_amproc", "pg_attrdef", "pg_attribute", "pg_auth_members",
	"pg_authid", "pg_cast", "pg_class", "pg_collation", "pg_constraint", "pg_conversion",
	"pg_database", "pg_db_role_setting", "pg_default_acl", "pg_depend", "pg_description", "pg_enum",
	"pg_event_trigger", "pg_extension", "pg_foreign_data_wrapper", "pg_foreign_server",
	"pg_foreign_table", "pg_index", "pg_inherits", "pg_init_privs", "pg_language", "pg_largeobject",
	"pg_largeobject_metadata", "pg_namespace", "pg_opclass", "pg_operator", "pg_opfamily",
	"pg_parameter_acl", "pg_partitioned_table", "pg_policy", "pg_proc", "pg_publication",
	"pg_publication_namespace", "pg_publication_rel", "pg_range", "pg_replication_origin",
	"pg_rewrite", "pg_seclabel", "pg_sequence", "pg_shdepend", "pg_shdescription", "pg_shseclabel",
	"pg_statistic", "pg_statistic_ext", "pg_statistic_ext_data", "pg_subscription",
	"pg_subscription_rel", "pg_tablespace", "pg_transform", "pg_trigger", "pg_ts_config",
	"pg_ts_config_map", "pg_ts_dict", "pg_ts_parser", "pg_ts_template", "pg_type",
	"pg_user_mapping",
	// System views.
	"pg_available_extension_versions", "pg_available_extensions", "pg_backend_memory_contexts",
	"pg_config", "pg_cursors", "pg_file_settings", "pg_group", "pg_hba_file_rules",
	"pg_ident_file_mappings", "pg_indexes", "pg_locks", "pg_matviews", "pg_policies",
	"pg_prepared_statements", "pg_prepared_xacts", "pg_publication_tables",
	"pg_replication_origin_status", "pg_replication_slots", "pg_roles", "pg_rules", "pg_seclabels",
	"pg_sequences", "pg_settings", "pg_shadow", "pg_shmem_allocations", "pg_stats", "pg_stats_ext",
	"pg_stats_ext_exprs", "pg_tables", "pg_timezone_abbrevs", "pg_timezone_names", "pg_user",
	"pg_user_mappings", "pg_views", "pg_wait_events",
)

// informationSchemaRelations are the views of PostgreSQL 16's
// information_schema.
var informationSchemaRelations = setOf(
	"_pg_foreign_data_wrappers", "_pg_foreign_servers", "_pg_foreign_table_columns",
	"_pg_foreign_tables", "_pg_user_mappings", "administrable_role_authorizations",
	"applicable_roles", "attributes", "character_sets", "check_constraint_routine_usage",
	"check_constraints", "collation_character_set_applicability", "collations",
	"column_column_usage", "column_domain_usage", "column_options", "column_privileges",
	"column_udt_usage", "columns", "constraint_column_usage", "constraint_table_usage",
	"data_type_privileges", "domain_constraints", "domain_udt_usage", "domains", "element_types",
	"enabled_roles", "foreign_data_wrapper_options", "foreign_data_wrappers",
	"foreign_server_options", "foreign_servers", "foreign_table_options", "foreign_tables",
	"information_schema_catalog_name", "key_column_usage", "parameters", "referential_constraints",
	"role_column_grants", "role_routine_grants", "role_table_grants", "role_udt_grants",
	"role_usage_grants", "routine_column_usage", "routine_privileges", "routine_routine_usage",
	"routine_sequence_usage", "routine_table_usage", "routines", "schemata", "sequences",
	"sql_features", "sql_implementation_info", "sql_parts", "sql_sizing", "table_constraints",
	"table_privileges", "tables", "transforms", "triggered_update_columns", "triggers",
	"udt_privileges", "usage_privileges", "user_defined_types", "user_mapping_options",
	"user_mappings", "view_column_usage", "view_routine_usage", "view_table_usage", "views",
)

// isPgCatalogRelation reports whether a folded name is a pg_catalog
// relation.
func isPgCatalogRelation(name string) bool {
	if pgCatalogRelations[name] {
		return true
	}
	for _, prefix := range []string{"pg_stat_", "pg_statio_"} {
		if rest, ok := strings.CutPrefix(name, prefix); ok && isPlainIdentifier(rest) {
			return true
		}
	}
	return false
}

// catalogRelation returns the canonical "schema.name" of a catalog
// relation, or "" when schema.name is not one. schema is "" for an
// unqualified name.
func catalogRelation(schema, name string) string {
	switch schema {
	case "pg_catalog", "":
		if isPgCatalogRelation(name) {
			return "pg_catalog." + name
		}
	case "information_schema":
		if informationSchemaRelations[name] {
			return "information_schema." + name
		}
	}
	return ""
}

// isPlainIdentifier reports whether s is a lower-case identifier that needs
// no quoting.
func isPlainIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c == '_' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// systemColumns are PostgreSQL's hidden columns of every table, as the
// catalog relations serve them: tools read n.xmin as a change counter
// (DataGrip's state_number). Values are constant: the compatibility
// catalog has no row versions.
var systemColumns = map[string]func() *pg_query.Node{
	"xmin": func() *pg_query.Node { return castNode(pg_query.MakeAConstIntNode(1, -1), "int8") },
	"xmax": func() *pg_query.Node { return castNode(pg_query.MakeAConstIntNode(0, -1), "int8") },
	"cmin": func() *pg_query.Node { return castNode(pg_query.MakeAConstIntNode(0, -1), "int8") },
	"cmax": func() *pg_query.Node { return castNode(pg_query.MakeAConstIntNode(0, -1), "int8") },
	"ctid": func() *pg_query.Node { return castNode(pg_query.MakeAConstStrNode("(0,1)", -1), "text") },
}

// rewriteSystemColumns replaces alias.xmin (and the other system columns)
// by their constant where the alias names a catalog relation and nothing
// else in the statement.
func rewriteSystemColumns(a *analysis, catalogNames, otherNames map[string]bool) {
	for _, n := range a.systemColumns {
		f := n.GetColumnRef().GetFields()
		qual := foldName(stringValue(f[0]))
		if !catalogNames[qual] || otherNames[qual] {
			continue
		}
		n.Node = systemColumns[foldName(stringValue(f[1]))]().Node
	}
}

// xidColumns are the catalog columns of type xid.
var xidColumns = setOf("xmin", "xmax", "transactionid", "relfrozenxid", "relminmxid", "datfrozenxid",
	"datminmxid", "backend_xid", "backend_xmin", "transaction")

// rewriteXidAge sends age(xid) to the compatibility schema: DuckDB's age
// takes timestamps only, and the catalog stores transaction ids as bigint.
func rewriteXidAge(a *analysis) {
	for _, f := range a.functions {
		if f.name != "age" || f.inFrom || len(f.node.Args) != 1 || f.parts == 2 && f.schema != "pg_catalog" {
			continue
		}
		switch arg := f.node.Args[0]; {
		case arg.GetColumnRef() != nil:
			fields := arg.GetColumnRef().GetFields()
			if last := fields[len(fields)-1]; last.GetString_() == nil || !xidColumns[foldName(stringValue(last))] {
				continue
			}
		case arg.GetTypeCast() != nil:
			if t := baseTypeName(arg.GetTypeCast().TypeName); t != "xid" && t != "xid8" {
				continue
			}
		default:
			continue
		}
		f.node.Funcname = nameNodes("pgcompat.xid_age")
	}
}
