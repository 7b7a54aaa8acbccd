package server

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestTransactionIsolationShown checks that SHOW transaction_isolation
// follows PostgreSQL: outside a transaction block it is the session default
// (SET SESSION CHARACTERISTICS, what pgjdbc's setTransactionIsolation
// sends), inside one the block's level, and SET TRANSACTION outside a block
// has no lasting effect.
func TestTransactionIsolationShown(t *testing.T) {
	ts := startServer(t, filepath.Join(t.TempDir(), "data"))
	token := ts.analyst(t, "iso@example.com", "orders")
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, ts.dsn("iso@example.com", token))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	steps := []struct{ sql, want string }{
		{"", "read committed"},
		{"SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ", "repeatable read"},
		{"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", "repeatable read"},
		{"SET transaction_isolation = 'read uncommitted'", "repeatable read"},
		{"BEGIN", "repeatable read"},
		{"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", "serializable"},
		{"COMMIT", "repeatable read"},
		{"BEGIN ISOLATION LEVEL READ UNCOMMITTED", "read uncommitted"},
		{"SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE", "read uncommitted"},
		{"ROLLBACK", "serializable"},
		{"SET default_transaction_isolation = 'read committed'", "read committed"},
		{"SET default_transaction_isolation = 'serializable'", "serializable"},
		{"RESET default_transaction_isolation", "read committed"},
	}
	for _, st := range steps {
		if st.sql != "" {
			if _, err := conn.Exec(ctx, st.sql); err != nil {
				t.Fatalf("%s: %v", st.sql, err)
			}
		}
		var got string
		if err := conn.QueryRow(ctx, "SHOW TRANSACTION ISOLATION LEVEL", pgx.QueryExecModeSimpleProtocol).Scan(&got); err != nil {
			t.Fatalf("SHOW after %q: %v", st.sql, err)
		}
		if got != st.want {
			t.Errorf("SHOW TRANSACTION ISOLATION LEVEL after %q = %q, want %q", st.sql, got, st.want)
		}
	}
}
