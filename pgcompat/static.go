package pgcompat

import (
	"fmt"
	"sort"
	"strings"
)

// staticRelations are served from rows of PostgreSQL itself (data/*.tsv,
// regproc columns as OIDs), or from the few rows written here.
var staticRelations = map[string]string{
	"pg_catalog.pg_type":      "pg_type.tsv",
	"pg_catalog.pg_proc":      "pg_proc.tsv",
	"pg_catalog.pg_am":        "pg_am.tsv",
	"pg_catalog.pg_range":     "pg_range.tsv",
	"pg_catalog.pg_cast":      "pg_cast.tsv",
	"pg_catalog.pg_collation": "pg_collation.tsv",
	"pg_catalog.pg_language":  "pg_language.tsv",
}

// inlineRelations are static relations small enough to write out here.
var inlineRelations = map[string]string{
	// oid, spcname, spcowner, spcacl, spcoptions
	"pg_catalog.pg_tablespace": "1663\tpg_default\t10\t\\N\t\\N\n1664\tpg_global\t10\t\\N\t\\N\n",
	// oid, extname, extowner, extnamespace, extrelocatable, extversion, extconfig, extcondition
	"pg_catalog.pg_extension": "13559\tplpgsql\t10\t11\tf\t1.0\t\\N\t\\N\n",
}

// emptyRelations is every other relation of PostgreSQL's catalogs: served
// with PostgreSQL's columns and no rows (statistics, policies,
// inheritance, triggers, rules, publications, foreign data, …), so that
// clients probing them get PostgreSQL's answer for a database without
// such objects.
var emptyRelations = func() []string {
	var out []string
	for name := range catalogSchema {
		if _, ok := staticRelations[name]; ok {
			continue
		}
		if _, ok := inlineRelations[name]; ok {
			continue
		}
		if _, ok := dynamicRelations[name]; ok {
			continue
		}
		if _, ok := informationSchemaRelations[name]; ok {
			continue
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}()

// helperTables are tables the views and macros use but clients cannot
// name: the catalog's own relations and columns, keywords, setting
// definitions and type aliases.
func helperTables(o Options) []string {
	var stmts []string
	// catalog_relations and catalog_attributes: the served catalog
	// relations as rows of pg_class and pg_attribute (the user's tables
	// come from the sandbox).
	var rels, atts strings.Builder
	for _, name := range servedNames() {
		r := served[name]
		fmt.Fprintf(&rels, "%d\t%s\t%s\t%c\t%d\n", r.oid, r.schema, r.name, r.kind, len(r.columns))
		for i, c := range r.columns {
			typ, ok := TypeOID(c.pgType)
			if !ok {
				typ = 25 // a composite type Agnes does not describe (pg_statistic[])
			}
			fmt.Fprintf(&atts, "%d\t%s\t%d\t%d\n", r.oid, c.name, typ, i+1)
		}
	}
	catalogRels := &relation{name: "catalog_relations", columns: []column{{"oid", "oid"}, {"nspname", "name"},
		{"relname", "name"}, {"relkind", "\"char\""}, {"relnatts", "smallint"}}, rows: rels.String()}
	catalogAtts := &relation{name: "catalog_attributes", columns: []column{{"attrelid", "oid"}, {"attname", "name"},
		{"atttypid", "oid"}, {"attnum", "smallint"}}, rows: atts.String()}
	stmts = append(stmts, catalogRels.createSQL()...)
	stmts = append(stmts, catalogAtts.createSQL()...)

	kw := &relation{name: "keywords", columns: []column{{"word", "text"}, {"catcode", "\"char\""},
		{"barelabel", "boolean"}, {"catdesc", "text"}, {"baredesc", "text"}}, rows: readData("keywords.tsv")}
	stmts = append(stmts, kw.createSQL()...)

	settings := &relation{name: "setting_definitions", columns: []column{{"name", "text"}, {"unit", "text"},
		{"category", "text"}, {"short_desc", "text"}, {"extra_desc", "text"}, {"context", "text"},
		{"vartype", "text"}, {"min_val", "text"}, {"max_val", "text"}, {"enumvals", "text[]"},
		{"boot_val", "text"}}, rows: settingRows(o)}
	stmts = append(stmts, settings.createSQL()...)

	var aliases strings.Builder
	names := make([]string, 0, len(typeAliases))
	for a := range typeAliases {
		names = append(names, a)
	}
	sort.Strings(names)
	for _, a := range names {
		fmt.Fprintf(&aliases, "%s\t%s\n", a, typeAliases[a])
	}
	aliasRel := &relation{name: "type_aliases", columns: []column{{"alias", "text"}, {"typname", "text"}}, rows: aliases.String()}
	stmts = append(stmts, aliasRel.createSQL()...)
	return stmts
}

// settingRows are PostgreSQL's setting definitions with Agnes's values for
// the settings that describe the server.
func settingRows(o Options) string {
	fixed := map[string]string{
		"server_version":                o.serverVersion(),
		"server_version_num":            o.serverVersionNum(),
		"TimeZone":                      "UTC",
		"lc_collate":                    "en_US.UTF-8",
		"lc_ctype":                      "en_US.UTF-8",
		"lc_messages":                   "en_US.UTF-8",
		"lc_monetary":                   "en_US.UTF-8",
		"lc_numeric":                    "en_US.UTF-8",
		"lc_time":                       "en_US.UTF-8",
		"default_transaction_read_only": "on",
		"transaction_read_only":         "on",
	}
	var b strings.Builder
	for _, f := range readTSV("settings.tsv") {
		if v, ok := fixed[f[0]]; ok {
			f[10] = v
		}
		b.WriteString(strings.Join(f, "\t"))
		b.WriteByte('\n')
	}
	return b.String()
}

func readData(name string) string {
	b, err := data.ReadFile("data/" + name)
	if err != nil {
		panic("pgcompat: " + err.Error())
	}
	return string(b)
}
