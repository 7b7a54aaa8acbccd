package pgcompat

import (
	"embed"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// data holds rows and definitions taken from PostgreSQL's own catalogs
// (COPY ... TO STDOUT text format: tab-separated, \N for NULL).
//
//go:embed data/*.tsv
var data embed.FS

// relation is one catalog relation the compatibility schema serves: its
// PostgreSQL name, OID and columns (names and PostgreSQL types, in
// PostgreSQL's order), and where its rows come from.
type relation struct {
	schema  string // "pg_catalog" or "information_schema"
	name    string
	kind    byte   // pg_class.relkind on PostgreSQL: 'r' table, 'v' view
	oid     uint32 // pg_class.oid on PostgreSQL
	columns []column

	// Exactly one of rows and query is set, or neither (an empty relation).
	rows  string // static rows, tab-separated in column order
	query string // SELECT yielding every column by name, in any order
}

// column is one column of a relation with its PostgreSQL type as
// format_type prints it ("oid", "name", "\"char\"", "text[]",
// "information_schema.sql_identifier").
type column struct {
	name, pgType string
}

// sandboxName is the DuckDB name a relation is served under. Relations of
// both PostgreSQL schemas live in one DuckDB schema: their names do not
// collide (pg_catalog's all start with pg_).
func (r *relation) sandboxName() string {
	return Schema + "." + quoteIdent(r.name)
}

// canonical is the relation's "schema.name", as the planner names it.
func (r *relation) canonical() string { return r.schema + "." + r.name }

// catalogSchema lists every relation of PostgreSQL's pg_catalog and
// information_schema (tables and views) with its OID and columns.
var catalogSchema = loadCatalogSchema()

func loadCatalogSchema() map[string]*relation {
	out := map[string]*relation{}
	for _, f := range readTSV("relcols.tsv") {
		oid, err := strconv.ParseUint(f[3], 10, 32)
		if err != nil {
			panic("pgcompat: relcols.tsv: " + err.Error())
		}
		r := &relation{schema: f[0], name: f[1], kind: f[2][0], oid: uint32(oid)}
		for _, def := range strings.Split(f[4], ", ") {
			name, typ, ok := strings.Cut(def, " ")
			if !ok {
				panic("pgcompat: relcols.tsv: bad column " + def)
			}
			r.columns = append(r.columns, column{name: name, pgType: typ})
		}
		out[r.canonical()] = r
	}
	return out
}

// readTSV reads a data file into rows of fields.
func readTSV(name string) [][]string {
	b, err := data.ReadFile("data/" + name)
	if err != nil {
		panic("pgcompat: " + err.Error())
	}
	var rows [][]string
	for _, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		if line == "" {
			continue
		}
		rows = append(rows, strings.Split(line, "\t"))
	}
	return rows
}

// duckType is the DuckDB type a column of PostgreSQL type pgType is stored
// as. OIDs and the reg* types are BIGINT (PostgreSQL's unsigned 32-bit OIDs
// do not fit INTEGER); text-like types are VARCHAR; vectors are lists.
func duckType(pgType string) string {
	if elem, ok := strings.CutSuffix(pgType, "[]"); ok {
		return duckType(elem) + "[]"
	}
	switch pgType {
	case "oid", "regproc", "regprocedure", "regoper", "regoperator", "regclass", "regtype",
		"regrole", "regnamespace", "regconfig", "regdictionary", "regcollation", "xid", "xid8", "cid",
		"bigint":
		return "BIGINT"
	case "integer", "information_schema.cardinal_number":
		return "INTEGER"
	case "smallint":
		return "SMALLINT"
	case "boolean":
		return "BOOLEAN"
	case "real":
		return "FLOAT"
	case "double precision", "numeric":
		return "DOUBLE"
	case "timestamp with time zone", "information_schema.time_stamp":
		return "TIMESTAMPTZ"
	case "interval":
		return "INTERVAL"
	case "bytea":
		return "BLOB"
	case "int2vector":
		return "SMALLINT[]"
	case "oidvector":
		return "BIGINT[]"
	}
	return "VARCHAR"
}

// wireType is the PostgreSQL type OID a column of type pgType is sent as.
// Domains are sent as their base type (as PostgreSQL does); reg* columns
// hold OIDs and are sent as oid; vectors are sent as the arrays they are
// stored as.
func wireType(pgType string) uint32 {
	switch pgType {
	case "information_schema.sql_identifier":
		return 19
	case "information_schema.cardinal_number":
		return 23
	case "information_schema.character_data", "information_schema.yes_or_no":
		return 1043
	case "information_schema.time_stamp":
		return 1184
	case "int2vector":
		return 1005
	case "oidvector":
		return 1028
	case "regproc", "regprocedure", "regoper", "regoperator", "regclass", "regtype", "regrole",
		"regnamespace", "regconfig", "regdictionary", "regcollation":
		return 26
	}
	if elem, ok := strings.CutSuffix(pgType, "[]"); ok {
		if e := wireType(elem); e != 0 {
			if t, ok := typesByOID[e]; ok && t.array != 0 {
				return t.array
			}
		}
		return 0
	}
	if oid, ok := TypeOID(pgType); ok {
		return oid
	}
	return 0
}

// splitArrayText splits PostgreSQL's one-dimensional array text form.
func splitArrayText(s string) []string {
	s = strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	if s == "" {
		return nil
	}
	var out []string
	var cur strings.Builder
	quoted, escaped, wasQuoted := false, false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case escaped:
			cur.WriteByte(c)
			escaped = false
		case c == '\\':
			escaped = true
		case c == '"':
			quoted = !quoted
			wasQuoted = true
		case c == ',' && !quoted:
			out = append(out, arrayElem(cur.String(), wasQuoted))
			cur.Reset()
			wasQuoted = false
		default:
			cur.WriteByte(c)
		}
	}
	return append(out, arrayElem(cur.String(), wasQuoted))
}

func arrayElem(s string, quoted bool) string {
	if !quoted && s == "NULL" {
		return "NULL"
	}
	return s
}

// unescapeCopy undoes COPY text-format escapes.
func unescapeCopy(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// createSQL returns the statements that build the relation in the
// sandbox: a table with its static rows, a view over its query, or an
// empty table.
func (r *relation) createSQL() []string {
	cols := make([]string, len(r.columns))
	for i, c := range r.columns {
		cols[i] = quoteIdent(c.name) + " " + duckType(c.pgType)
	}
	if r.query != "" {
		sel := make([]string, len(r.columns))
		for i, c := range r.columns {
			sel[i] = "CAST(q." + quoteIdent(c.name) + " AS " + duckType(c.pgType) + ") AS " + quoteIdent(c.name)
		}
		// What depends only on the sandbox is computed once, while it is
		// built: its tables do not change afterwards.
		kind := "VIEW"
		if materialized[r.canonical()] {
			kind = "TABLE"
		}
		return []string{"CREATE " + kind + " " + r.sandboxName() + " AS SELECT " + strings.Join(sel, ", ") +
			" FROM (" + r.query + ") AS q"}
	}
	if r.rows == "" {
		return []string{"CREATE TABLE " + r.sandboxName() + " (" + strings.Join(cols, ", ") + ")"}
	}
	return []string{"CREATE TABLE " + r.sandboxName() + " AS " + r.rowsQuery()}
}

// rowsQuery selects a static relation's rows out of one string literal
// holding them tab-separated, which DuckDB splits and casts in bulk: far
// faster to build than an INSERT of hundreds of typed VALUES rows. Text
// fields are unescaped here; list fields become their elements separated
// by the record separator (U+001E); newlines and tabs inside fields travel
// as U+001F and U+001D.
func (r *relation) rowsQuery() string {
	var lines []string
	for _, line := range strings.Split(strings.TrimRight(r.rows, "\n"), "\n") {
		fields := strings.Split(line, "\t")
		if len(fields) != len(r.columns) {
			panic(fmt.Sprintf("pgcompat: %s: row has %d fields, want %d: %q", r.canonical(), len(fields), len(r.columns), line))
		}
		for i, f := range fields {
			if f == `\N` {
				continue
			}
			v := unescapeCopy(f)
			if strings.HasSuffix(duckType(r.columns[i].pgType), "[]") {
				var elems []string
				if strings.HasPrefix(v, "{") {
					elems = splitArrayText(v)
				} else {
					elems = strings.Fields(v)
				}
				v = strings.Join(elems, "\x1e")
			}
			if strings.ContainsAny(v, "\x1d\x1f") || v == `\N` {
				panic(fmt.Sprintf("pgcompat: %s: field %q cannot be stored", r.canonical(), v))
			}
			fields[i] = strings.NewReplacer("\n", "\x1f", "\t", "\x1d").Replace(v)
		}
		lines = append(lines, strings.Join(fields, "\t"))
	}
	sel := make([]string, len(r.columns))
	for i, c := range r.columns {
		f := fmt.Sprintf(`nullif(f[%d], '\N')`, i+1)
		dt := duckType(c.pgType)
		switch {
		case strings.HasSuffix(dt, "[]"):
			// The NULL element marker of array text stays NULL.
			sel[i] = fmt.Sprintf("CAST(CASE WHEN %s = '' THEN [] ELSE list_transform(string_split(%s, chr(30)), e -> nullif(e, 'NULL')) END AS %s)", f, f, dt)
		case dt == "BOOLEAN":
			sel[i] = fmt.Sprintf("(%s = 't')", f)
		case dt == "VARCHAR":
			// Newlines and tabs travel as U+001F and U+001D.
			sel[i] = fmt.Sprintf("replace(replace(%s, chr(31), chr(10)), chr(29), chr(9))", f)
		default:
			sel[i] = fmt.Sprintf("CAST(%s AS %s)", f, dt)
		}
		sel[i] += " AS " + quoteIdent(c.name)
	}
	return "SELECT " + strings.Join(sel, ", ") + " FROM (SELECT string_split(line, chr(9)) AS f FROM (SELECT unnest(string_split(" +
		quoteLiteral(strings.Join(lines, "\n")) + ", chr(10))) AS line))"
}

// served is every relation the compatibility schema builds, by canonical
// name, once the definitions in static.go, dynamic.go and infoschema.go
// have been attached.
var served = buildServed()

func buildServed() map[string]*relation {
	out := map[string]*relation{}
	add := func(canonical string, fill func(r *relation)) {
		base, ok := catalogSchema[canonical]
		if !ok {
			panic("pgcompat: unknown catalog relation " + canonical)
		}
		r := *base
		r.columns = append([]column(nil), base.columns...)
		if fill != nil {
			fill(&r)
		}
		out[canonical] = &r
	}
	for name, file := range staticRelations {
		rows, err := data.ReadFile("data/" + file)
		if err != nil {
			panic("pgcompat: " + err.Error())
		}
		add(name, func(r *relation) { r.rows = string(rows) })
	}
	for name, rows := range inlineRelations {
		add(name, func(r *relation) { r.rows = rows })
	}
	for name, q := range dynamicRelations {
		add(name, func(r *relation) { r.query = q })
	}
	for name, q := range informationSchemaRelations {
		add(name, func(r *relation) { r.query = q })
	}
	for _, name := range emptyRelations {
		add(name, nil)
	}
	return out
}

// servedNames is the served relations' canonical names, sorted, so that
// the built SQL is the same every time.
func servedNames() []string {
	names := make([]string, 0, len(served))
	for n := range served {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
