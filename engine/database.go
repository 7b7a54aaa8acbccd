package engine

import (
	"fmt"
	"sort"
	"sync/atomic"

	bindings "github.com/duckdb/duckdb-go-bindings"
)

// database is one DuckDB instance opened through DuckDB's C API. The engine
// opens sandboxes itself rather than through duckdb-go's Connector because
// it needs the raw connection handles: duckdb-go executes every statement
// with a materialising pending result, which holds a whole result set in
// memory before its first row can be read.
type database struct {
	handle bindings.Database
	conns  atomic.Int64 // connections open: connect adds one, disconnect drops it
}

// openDatabase opens the DuckDB database at path ("" for in-memory) with the
// given configuration options.
func openDatabase(path string, options map[string]string) (*database, error) {
	var cfg bindings.Config
	if bindings.CreateConfig(&cfg) == bindings.StateError {
		return nil, fmt.Errorf("create DuckDB config: out of memory")
	}
	defer bindings.DestroyConfig(&cfg)
	names := make([]string, 0, len(options))
	for name := range options {
		names = append(names, name)
	}
	sort.Strings(names) // deterministic errors
	for _, name := range names {
		if bindings.SetConfig(cfg, name, options[name]) == bindings.StateError {
			return nil, fmt.Errorf("DuckDB option %s=%q is not valid", name, options[name])
		}
	}
	var db bindings.Database
	var msg string
	if bindings.OpenExt(path, &db, cfg, &msg) == bindings.StateError {
		bindings.Close(&db)
		return nil, duckdbError(msg)
	}
	return &database{handle: db}, nil
}

// connect opens a new connection; the caller closes it with disconnect.
func (d *database) connect() (bindings.Connection, error) {
	var conn bindings.Connection
	if bindings.Connect(d.handle, &conn) == bindings.StateError {
		bindings.Disconnect(&conn)
		return conn, fmt.Errorf("connect to DuckDB: the database is closed or invalidated")
	}
	d.conns.Add(1)
	return conn, nil
}

// disconnect closes a connection connect opened.
func (d *database) disconnect(conn *bindings.Connection) {
	bindings.Disconnect(conn)
	d.conns.Add(-1)
}

// close closes the database; DuckDB keeps the instance alive until its last
// connection is gone.
func (d *database) close() {
	bindings.Close(&d.handle)
}

// execTrusted runs constant, trusted SQL (catalog building, sealing) on conn
// and discards its result. Client statements never come through here.
func execTrusted(conn bindings.Connection, sql string) error {
	var res bindings.Result
	defer bindings.DestroyResult(&res)
	if bindings.Query(conn, sql, &res) == bindings.StateError {
		return resultError(&res)
	}
	return nil
}
