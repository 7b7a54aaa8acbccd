package server

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
)

// BenchmarkSelectOne measures a SELECT 1 round trip through the whole
// gateway (wire, session, planner cache) with pgx's default statement
// cache; SELECT 1 is answered without the engine.
func BenchmarkSelectOne(b *testing.B) {
	benchRoundTrip(b, 1, "SELECT 1")
}

// BenchmarkEngineRoundTrip measures a one-row statement that DuckDB
// evaluates.
func BenchmarkEngineRoundTrip(b *testing.B) {
	benchRoundTrip(b, 5, "SELECT length($1::text)", "agnes")
}

// benchRoundTrip times one-row, one-integer queries as the admin, after a
// warm-up, checking every answer is want.
func benchRoundTrip(b *testing.B, want int, sql string, args ...any) {
	ts := startServer(b, filepath.Join(b.TempDir(), "data"))
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, ts.dsn(ts.app.Cfg.Instance.AdminEmail, ts.adminToken(b)))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	var v int
	for i := 0; i < 100; i++ {
		conn.QueryRow(ctx, sql, args...).Scan(&v)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := conn.QueryRow(ctx, sql, args...).Scan(&v); err != nil || v != want {
			b.Fatal(v, err)
		}
	}
}
