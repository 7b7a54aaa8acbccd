package wire

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/lib/pq"
)

func TestLibPQ(t *testing.T) {
	srv, _ := startServer(t, Config{})
	db, err := sql.Open("postgres", dsn(srv, aliceEmail, aliceTok1))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := db.PingContext(ctx); err != nil {
		t.Fatal(err)
	}

	ts := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	var (
		i  int64
		s  string
		tz time.Time
		f  float64
		b  bool
		bs []byte
		n  sql.NullInt64
	)
	err = db.QueryRowContext(ctx, "SELECT $1::INTEGER + 1, $2::VARCHAR, $3::TIMESTAMPTZ, $4::DOUBLE * 2, NOT $5::BOOLEAN, $6::BLOB, NULL::BIGINT",
		41, "héllo", ts, 1.25, false, []byte{1, 2}).Scan(&i, &s, &tz, &f, &b, &bs, &n)
	if err != nil {
		t.Fatal(err)
	}
	if i != 42 || s != "héllo" || !tz.Equal(ts) || f != 2.5 || !b || string(bs) != "\x01\x02" || n.Valid {
		t.Fatalf("got %v %q %v %v %v %x %v", i, s, tz, f, b, bs, n)
	}

	// an error, then the connection keeps working
	_, err = db.ExecContext(ctx, "SELECT * FROM missing_table")
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || pqErr.Code != "42P01" {
		t.Fatalf("error %v", err)
	}

	rows, err := db.QueryContext(ctx, "SELECT range, 'r' || range FROM range(50000)")
	if err != nil {
		t.Fatal(err)
	}
	count := 0
	for rows.Next() {
		var a int64
		var b string
		if err := rows.Scan(&a, &b); err != nil {
			t.Fatal(err)
		}
		count++
	}
	if rows.Err() != nil || count != 50000 {
		t.Fatalf("%d rows, %v", count, rows.Err())
	}

	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.QueryRowContext(ctx, "SELECT $1::INTEGER", 5).Scan(&i); err != nil || i != 5 {
		t.Fatalf("in tx: %v %v", i, err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}
