package server

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
)

// BenchmarkSelectOne measures a SELECT 1 round trip through the whole
// gateway (wire, session, planner cache, sandbox) with pgx's default
// statement cache.
func BenchmarkSelectOne(b *testing.B) {
	ts := startServer(b, filepath.Join(b.TempDir(), "data"))
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, ts.dsn(ts.app.Cfg.Instance.AdminEmail, ts.adminToken(b)))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	var v int
	for i := 0; i < 100; i++ {
		conn.QueryRow(ctx, "SELECT 1").Scan(&v)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := conn.QueryRow(ctx, "SELECT 1").Scan(&v); err != nil || v != 1 {
			b.Fatal(err)
		}
	}
}

// BenchmarkEngineRoundTrip measures a one-row statement that DuckDB
// evaluates (SELECT 1 is answered without the engine).
func BenchmarkEngineRoundTrip(b *testing.B) {
	ts := startServer(b, filepath.Join(b.TempDir(), "data"))
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, ts.dsn(ts.app.Cfg.Instance.AdminEmail, ts.adminToken(b)))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	var v int
	for i := 0; i < 100; i++ {
		conn.QueryRow(ctx, "SELECT length($1::text)", "agnes").Scan(&v)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := conn.QueryRow(ctx, "SELECT length($1::text)", "agnes").Scan(&v); err != nil || v != 5 {
			b.Fatal(err)
		}
	}
}
