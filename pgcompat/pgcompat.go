package pgcompat

import (
	"runtime"
	"strconv"
	"strings"
)

// Schema is the DuckDB schema holding the compatibility catalog.
const Schema = "pgcompat"

// Options are the facts the catalog states about the server. They must be
// the same for every sandbox (anything per principal goes through
// SessionSQL).
type Options struct {
	// Database is the one database clients see ("agnes").
	Database string
	// ServerVersion is server_version as clients see it, a PostgreSQL
	// version number first ("16.4 (Agnes 0.3.0)").
	ServerVersion string
}

func (o Options) database() string {
	if o.Database == "" {
		return "agnes"
	}
	return o.Database
}

func (o Options) serverVersion() string {
	if o.ServerVersion == "" {
		return "16.4"
	}
	return o.ServerVersion
}

// serverVersionNum is server_version_num for the version's leading
// number ("16.4 …" → 160004).
func (o Options) serverVersionNum() string {
	v := o.serverVersion()
	if i := strings.IndexAny(v, " ("); i >= 0 {
		v = v[:i]
	}
	major, minor, _ := strings.Cut(v, ".")
	ma, err1 := strconv.Atoi(major)
	mi, err2 := strconv.Atoi(minor)
	if err1 != nil || err2 != nil {
		return "160004"
	}
	return strconv.Itoa(ma*10000 + mi)
}

// versionString is what version() returns: PostgreSQL's format, which
// drivers and ORMs parse for the version number, naming Agnes.
func (o Options) versionString() string {
	return "PostgreSQL " + o.serverVersion() + " on " + platform() + ", 64-bit"
}

func platform() string {
	arch := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[runtime.GOARCH]
	if arch == "" {
		arch = runtime.GOARCH
	}
	return arch + "-pc-" + runtime.GOOS + "-gnu"
}

// SQL returns the statements that build the compatibility catalog in a
// sandbox's catalog while it is still writable (engine.Config.CatalogSQL).
// They are trusted SQL: constant apart from the options, never client
// text.
func SQL(o Options) []string {
	// One transaction: each statement committed on its own would write
	// and sync the catalog's WAL hundreds of times.
	stmts := []string{"BEGIN TRANSACTION", "CREATE SCHEMA " + Schema}
	for _, name := range servedNames() {
		if r := served[name]; r.query == "" {
			stmts = append(stmts, r.createSQL()...)
		}
	}
	stmts = append(stmts, helperTables(o)...)
	stmts = append(stmts, baseMacros(o)...)
	stmts = append(stmts, helperViews...)
	for _, name := range dynamicOrder {
		stmts = append(stmts, served[name].createSQL()...)
	}
	stmts = append(stmts, catalogMacros()...)
	for _, name := range servedNames() {
		if _, ok := informationSchemaRelations[name]; ok {
			stmts = append(stmts, served[name].createSQL()...)
		}
	}
	return append(stmts, "COMMIT")
}

// dynamicOrder creates the dynamic views after the views they read.
var dynamicOrder = []string{
	"pg_catalog.pg_namespace", "pg_catalog.pg_class", "pg_catalog.pg_attribute",
	"pg_catalog.pg_description", "pg_catalog.pg_database", "pg_catalog.pg_roles", "pg_catalog.pg_user",
	"pg_catalog.pg_settings", "pg_catalog.pg_tables", "pg_catalog.pg_views",
}

// Relations maps every catalog relation the compatibility schema serves,
// by canonical lower-case "schema.name" (pg_catalog.pg_class,
// information_schema.tables), to the name it is served under in the
// sandbox (the planner's Options.CatalogRewrite).
func Relations() map[string]string {
	out := make(map[string]string, len(served))
	for name, r := range served {
		out[name] = Schema + "." + r.name
	}
	return out
}

// ColumnOID returns the PostgreSQL type OID a column of a served catalog
// relation is sent as, looking in relations (canonical names) in order.
// It answers only where the type differs from what the column's DuckDB
// type would be sent as (oid, name, "char", varchar, pg_node_tree …).
func ColumnOID(relations []string, column string) (uint32, bool) {
	for _, rel := range relations {
		r, ok := served[rel]
		if !ok {
			continue
		}
		for _, c := range r.columns {
			if c.name != column {
				continue
			}
			oid := wireType(c.pgType)
			if oid == 0 || oid == naturalOID(duckType(c.pgType)) {
				return 0, false
			}
			return oid, true
		}
	}
	return 0, false
}

// naturalOID is the OID the wire sends a DuckDB type as without an
// override (wire/types.go).
func naturalOID(duck string) uint32 {
	switch duck {
	case "BIGINT":
		return 20
	case "INTEGER":
		return 23
	case "SMALLINT":
		return 21
	case "BOOLEAN":
		return 16
	case "FLOAT":
		return 700
	case "DOUBLE":
		return 701
	case "VARCHAR":
		return 25
	case "TIMESTAMPTZ":
		return 1184
	case "INTERVAL":
		return 1186
	case "BLOB":
		return 17
	case "BIGINT[]":
		return 1016
	case "SMALLINT[]":
		return 1005
	case "VARCHAR[]":
		return 1009
	case "FLOAT[]":
		return 1021
	case "BOOLEAN[]":
		return 1000
	case "DOUBLE[]":
		return 1022
	}
	return 0
}
