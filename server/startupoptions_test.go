package server

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestStartupOptionSettings(t *testing.T) {
	for _, tc := range []struct {
		options string
		want    [][2]string
	}{
		{"", nil},
		{"-c statement_timeout=500", [][2]string{{"statement_timeout", "500"}}},
		{"-cstatement_timeout=5s  --search-path=x", [][2]string{{"statement_timeout", "5s"}, {"search_path", "x"}}},
		{`-c application_name=a\ b\\c`, [][2]string{{"application_name", `a b\c`}}},
		{"-B 100 -c datestyle=ISO -E -c novalue --", [][2]string{{"datestyle", "ISO"}}},
		{"plain words", nil},
	} {
		if got := startupOptionSettings(tc.options); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("startupOptionSettings(%q) = %q, want %q", tc.options, got, tc.want)
		}
	}
}

// TestStartupOptionsParameter checks that settings in the options startup
// parameter apply to the session, and that a parameter named directly in
// the startup packet wins over the same one in options.
func TestStartupOptionsParameter(t *testing.T) {
	ts := startServer(t, filepath.Join(t.TempDir(), "data"))
	token := ts.analyst(t, "opts@example.com", "orders")
	ctx := context.Background()
	cfg, err := pgx.ParseConfig(ts.dsn("opts@example.com", token))
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["options"] = "-c statement_timeout=1500 --lock-timeout=2s -c DateStyle=ISO,\\ DMY"
	cfg.RuntimeParams["lock_timeout"] = "3s"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, tc := range []struct{ param, want string }{
		{"statement_timeout", "1500ms"},
		{"lock_timeout", "3s"},
		{"DateStyle", "ISO, DMY"},
	} {
		var got string
		if err := conn.QueryRow(ctx, "SHOW "+tc.param).Scan(&got); err != nil {
			t.Fatalf("SHOW %s: %v", tc.param, err)
		}
		if got != tc.want {
			t.Errorf("SHOW %s = %q, want %q", tc.param, got, tc.want)
		}
	}
	// RESET returns to the values set at connection start, as in
	// PostgreSQL; a parameter the client did not set returns to the
	// server default.
	for _, q := range []string{"SET statement_timeout = '9s'", "SET search_path = x",
		"RESET ALL", "SET lock_timeout = '7s'", "RESET lock_timeout"} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, tc := range []struct{ param, want string }{
		{"statement_timeout", "1500ms"},
		{"lock_timeout", "3s"},
		{"DateStyle", "ISO, DMY"},
		{"search_path", `"$user", public`},
	} {
		var got string
		if err := conn.QueryRow(ctx, "SHOW "+tc.param).Scan(&got); err != nil {
			t.Fatalf("SHOW %s: %v", tc.param, err)
		}
		if got != tc.want {
			t.Errorf("after RESET: SHOW %s = %q, want %q", tc.param, got, tc.want)
		}
	}
}
