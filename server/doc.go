// Package server assembles a running Agnes: the App (configuration, system
// store, RBAC, registry, audit log, bootstrap admin) and the two listeners,
// HTTP (package httpapi) and the PostgreSQL wire gateway (package wire
// over this package's gateway and sessions).
//
// # A gateway session
//
//	wire → gateway.NewSession          a session per connection: parameters, transaction, cursors
//	       session.ensureConn           the principal's sandbox Conn (engine.Pool, keyed by readable set);
//	                                    re-resolved when grants or the registry change
//	       session.Prepare              planner.PlanQuery with the principal's resolver and the
//	                                    compatibility catalog (CatalogRewrite, Compat)
//	       statement.Describe/Execute   session commands answered here (statement.go, params.go,
//	                                    cursor.go); queries run on the Conn and stream Arrow batches;
//	                                    parameters DuckDB cannot type are cast as PostgreSQL would
//	                                    type them, and that SQL is what runs (paramtypes.go)
//
// # PostgreSQL compatibility (compat.go)
//
// Every sandbox is built with pgcompat.SQL as engine.Config.CatalogSQL, so
// it holds schema pgcompat: PostgreSQL's pg_catalog and information_schema
// over exactly the tables in the sandbox. A sandbox is shared by every
// principal with the same readable set, so per-session values (the user,
// backend PID, session parameters, registry descriptions and sizes of the
// readable tables) are handed to each DuckDB connection as variables
// (pgcompat.SessionSQL) when it is opened or the registry changes, and the
// parameters again after SET (syncCompat). Result columns of catalog
// queries are described with PostgreSQL's types (oid, name, regclass …)
// from the plan's targets (columnOIDs).
//
// # Cursors (cursor.go)
//
// DECLARE runs the query and keeps its stream; FETCH and MOVE read from it,
// and other queries run beside it on the engine's extra connections.
// Before the session changes its DuckDB settings, open cursors copy their
// remaining rows into memory. Cursors without HOLD end with their
// transaction.
//
// # Debugging
//
//   - A catalog query fails or differs from PostgreSQL: run it through
//     TestClientReplay's machinery (replay_test.go), which compares result
//     shapes with a local PostgreSQL; EXPLAIN shows the rewritten SQL.
//   - current_setting() or pg_settings lag behind SET: syncCompat runs
//     before each statement that reaches DuckDB; check s.syncedParams.
//   - The audit log (pg.query rows) has every statement with its route,
//     tables and outcome.
package server
