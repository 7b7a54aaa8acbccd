package pgcompat

import (
	"encoding/json"
	"sort"
	"strings"
)

// Session is what a connection's compatibility catalog needs to know about
// its session: values that differ between the principals sharing one
// sandbox, so they cannot be part of the sandbox's SQL.
type Session struct {
	// User is the session user's login name (the principal's email).
	User string
	// BackendPID is the process ID the client was given in BackendKeyData.
	BackendPID uint32
	// Settings are the session's parameters by name, as SHOW prints them.
	Settings map[string]string
	// Tables are the principal's readable tables with their registry facts.
	Tables []Table
}

// Table is one readable table as the registry describes it.
type Table struct {
	Schema, Name string // PostgreSQL-facing schema ("public") and name
	Description  string
	Rows, Bytes  int64
	// Columns holds column descriptions by column name.
	Columns map[string]string
}

// Variable names and types of the session values: one variable for what
// changes with the connection or the registry, one for the parameters,
// which SET changes. The session's values travel as one JSON string, which
// costs nothing to set (the connection setup of every client waits for
// it) and little to read, parsed by pgcompat.session().
const (
	varSession  = "pgcompat_session"
	varSettings = "pgcompat_settings"

	settingsType = "MAP(VARCHAR, VARCHAR)"
	tablesType   = "STRUCT(nsp VARCHAR, rel VARCHAR, description VARCHAR, row_count BIGINT, byte_size BIGINT)[]"
	columnsType  = "STRUCT(nsp VARCHAR, rel VARCHAR, att VARCHAR, description VARCHAR)[]"
	// sessionJSONType is the from_json structure of the session value.
	sessionJSONType = `{"usr": "VARCHAR", "pid": "INTEGER", "schemas": ["VARCHAR"],
		"tables": [{"nsp": "VARCHAR", "rel": "VARCHAR", "description": "VARCHAR", "row_count": "BIGINT", "byte_size": "BIGINT"}],
		"columns": [{"nsp": "VARCHAR", "rel": "VARCHAR", "att": "VARCHAR", "description": "VARCHAR"}]}`
)

// sessionJSON is the session variable's content.
type sessionJSON struct {
	User    string       `json:"usr"`
	PID     uint32       `json:"pid"`
	Schemas []string     `json:"schemas"`
	Tables  []tableJSON  `json:"tables"`
	Columns []columnJSON `json:"columns"`
}

type tableJSON struct {
	Schema      string  `json:"nsp"`
	Name        string  `json:"rel"`
	Description *string `json:"description"`
	Rows        int64   `json:"row_count"`
	Bytes       int64   `json:"byte_size"`
}

type columnJSON struct {
	Schema      string `json:"nsp"`
	Table       string `json:"rel"`
	Column      string `json:"att"`
	Description string `json:"description"`
}

// SessionSQL returns the statements that hand a session's values to the
// compatibility catalog on one DuckDB connection (SET VARIABLE, which is
// private to the connection). Run them when the connection is opened and
// again whenever a value changes; SettingsSQL alone covers parameter
// changes.
func SessionSQL(s Session) []string {
	v := sessionJSON{User: s.User, PID: s.BackendPID, Schemas: []string{}, Tables: []tableJSON{}, Columns: []columnJSON{}}
	seen := map[string]bool{}
	for _, t := range s.Tables {
		tj := tableJSON{Schema: t.Schema, Name: t.Name, Rows: t.Rows, Bytes: t.Bytes}
		if t.Description != "" {
			d := t.Description
			tj.Description = &d
		}
		v.Tables = append(v.Tables, tj)
		names := make([]string, 0, len(t.Columns))
		for n := range t.Columns {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if t.Columns[n] != "" {
				v.Columns = append(v.Columns, columnJSON{Schema: t.Schema, Table: t.Name, Column: n, Description: t.Columns[n]})
			}
		}
		if !seen[t.Schema] {
			seen[t.Schema] = true
			v.Schemas = append(v.Schemas, t.Schema)
		}
	}
	sort.Strings(v.Schemas)
	b, err := json.Marshal(v)
	if err != nil {
		panic("pgcompat: session JSON: " + err.Error()) // plain strings and numbers cannot fail
	}
	return []string{
		"SET VARIABLE " + varSession + " = " + quoteLiteral(string(b)),
		SettingsSQL(s.Settings),
	}
}

// SettingsSQL returns the statement that hands the session's parameters
// (current_setting, pg_settings, current_schemas) to the catalog. Names are
// stored lower-cased, as PostgreSQL matches them.
func SettingsSQL(settings map[string]string) string {
	names := make([]string, 0, len(settings))
	for n := range settings {
		names = append(names, n)
	}
	sort.Strings(names)
	keys := make([]string, len(names))
	vals := make([]string, len(names))
	for i, n := range names {
		keys[i] = quoteLiteral(strings.ToLower(n))
		vals[i] = quoteLiteral(settings[n])
	}
	return "SET VARIABLE " + varSettings + " = CAST(MAP([" + strings.Join(keys, ", ") + "], [" +
		strings.Join(vals, ", ") + "]) AS " + settingsType + ")"
}
