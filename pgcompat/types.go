package pgcompat

import (
	"strconv"
	"strings"
)

// pgType is what Go code needs of one pg_type row.
type pgType struct {
	oid   uint32
	name  string
	elem  uint32
	array uint32
}

// typesByOID and typesByName index the static pg_type rows
// (data/pg_type.tsv).
var typesByOID, typesByName = loadTypes()

func loadTypes() (map[uint32]pgType, map[string]pgType) {
	byOID := map[uint32]pgType{}
	byName := map[string]pgType{}
	for _, f := range readTSV("pg_type.tsv") {
		t := pgType{oid: parseOID(f[0]), name: f[1], elem: parseOID(f[13]), array: parseOID(f[14])}
		byOID[t.oid] = t
		if _, dup := byName[t.name]; !dup {
			byName[t.name] = t
		}
	}
	return byOID, byName
}

func parseOID(s string) uint32 {
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0
	}
	return uint32(n)
}

// typeAliases are the SQL spellings PostgreSQL accepts for its types, as
// format_type prints them or as clients write them in casts.
var typeAliases = map[string]string{
	"boolean": "bool", "smallint": "int2", "integer": "int4", "int": "int4", "bigint": "int8",
	"real": "float4", "double precision": "float8", "float": "float8", "decimal": "numeric",
	"character varying": "varchar", "character": "bpchar", "char": "bpchar", "\"char\"": "char",
	"timestamp without time zone": "timestamp", "timestamp with time zone": "timestamptz",
	"time without time zone": "time", "time with time zone": "timetz", "bit varying": "varbit",
	"\"bit\"":                           "bit",
	"information_schema.sql_identifier": "sql_identifier", "information_schema.cardinal_number": "cardinal_number",
	"information_schema.character_data": "character_data", "information_schema.yes_or_no": "yes_or_no",
	"information_schema.time_stamp": "time_stamp",
}

// TypeOID returns the OID of a PostgreSQL type named as in SQL ("integer",
// "int4", "pg_catalog.text", "text[]", "character varying"), as the static
// pg_type rows have it.
func TypeOID(name string) (uint32, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.TrimPrefix(n, "pg_catalog.")
	if elem, ok := strings.CutSuffix(n, "[]"); ok {
		e, ok := TypeOID(elem)
		if !ok {
			return 0, false
		}
		if t := typesByOID[e]; t.array != 0 {
			return t.array, true
		}
		return 0, false
	}
	if a, ok := typeAliases[n]; ok {
		n = a
	}
	t, ok := typesByName[n]
	return t.oid, ok
}

// TypeName returns the pg_type.typname of an OID.
func TypeName(oid uint32) (string, bool) {
	t, ok := typesByOID[oid]
	return t.name, ok
}

// procsByName maps a pg_proc name to its lowest OID (the static rows).
var procsByName = func() map[string]uint32 {
	m := map[string]uint32{}
	for _, f := range readTSV("pg_proc.tsv") {
		oid := parseOID(f[0])
		if cur, ok := m[f[1]]; !ok || oid < cur {
			m[f[1]] = oid
		}
	}
	return m
}()

// ConstOID resolves a constant reg* cast ('pg_class'::regclass,
// 'pg_catalog.array_in'::regproc, 'int4'::regtype) to an OID without
// running SQL, for PostgreSQL's own objects, which every sandbox has.
// Anything else (a user's table, a schema of the sandbox) is left to the
// catalog at run time: ok is false.
func ConstOID(typ, name string) (uint32, bool) {
	parts := splitIdent(name)
	if len(parts) == 0 || len(parts) > 2 {
		return 0, false
	}
	schema, obj := "", parts[len(parts)-1]
	if len(parts) == 2 {
		schema = parts[0]
	}
	switch typ {
	case "regclass":
		if schema == "" {
			schema = "pg_catalog" // first on every search path
		}
		if schema != "pg_catalog" && schema != "information_schema" {
			return 0, false
		}
		if r, ok := served[schema+"."+obj]; ok {
			return r.oid, true
		}
	case "regproc", "regprocedure":
		if schema != "" && schema != "pg_catalog" || strings.Contains(obj, "(") {
			return 0, false
		}
		oid, ok := procsByName[obj]
		return oid, ok
	case "regtype":
		if schema != "" && schema != "pg_catalog" || strings.ContainsAny(name, "()") {
			return 0, false
		}
		return TypeOID(obj)
	case "regnamespace":
		switch obj {
		case "pg_catalog", "public", "information_schema", "pg_toast":
			if schema == "" {
				return NamespaceOID(obj), true
			}
		}
	}
	return 0, false
}

// splitIdent splits a qualified name as parse_ident does: quoted parts
// keep their case, unquoted ones are lower-cased and trimmed.
func splitIdent(s string) []string {
	var parts []string
	for len(s) > 0 {
		s = strings.TrimSpace(s)
		var part string
		if strings.HasPrefix(s, `"`) {
			end := 1
			var b strings.Builder
			for end < len(s) {
				if s[end] == '"' {
					if end+1 < len(s) && s[end+1] == '"' {
						b.WriteByte('"')
						end += 2
						continue
					}
					break
				}
				b.WriteByte(s[end])
				end++
			}
			if end >= len(s) {
				return nil
			}
			part, s = b.String(), s[end+1:]
		} else {
			i := strings.IndexByte(s, '.')
			if i < 0 {
				i = len(s)
			}
			part, s = strings.ToLower(strings.TrimSpace(s[:i])), s[i:]
		}
		parts = append(parts, part)
		s = strings.TrimSpace(s)
		if s == "" {
			break
		}
		if s[0] != '.' {
			return nil
		}
		s = s[1:]
	}
	return parts
}
