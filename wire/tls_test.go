package wire

import (
	"bytes"
	"context"
	"crypto/tls"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestSelfSignedTLSReuse(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	cfg1, ca1, err := SelfSignedTLS(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, selfSignedKey))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key mode %v, want 0600", st.Mode().Perm())
	}
	caPEM, _ := os.ReadFile(ca1)
	cfg2, ca2, err := SelfSignedTLS(dir)
	if err != nil {
		t.Fatal(err)
	}
	caPEM2, _ := os.ReadFile(ca2)
	if ca1 != ca2 || !bytes.Equal(caPEM, caPEM2) {
		t.Fatal("second call regenerated the CA")
	}
	if !bytes.Equal(cfg1.Certificates[0].Certificate[0], cfg2.Certificates[0].Certificate[0]) {
		t.Fatal("second call regenerated the server certificate")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Fatalf("files left in %s: %v", dir, entries)
	}
}

func startTLSServer(t *testing.T, cfg Config) (*Server, *testBackend, string) {
	tlsCfg, ca, err := SelfSignedTLS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg.TLSConfig = tlsCfg
	srv, b := startServer(t, cfg)
	return srv, b, ca
}

func TestTLS(t *testing.T) {
	srv, b, ca := startTLSServer(t, Config{})
	cases := []struct {
		name       string
		params     []string
		wantMethod string
	}{
		{"require", []string{"sslmode", "require"}, methodSCRAMPlus},
		{"verify-full", []string{"sslmode", "verify-full", "sslrootcert", ca}, methodSCRAMPlus},
		{"channel binding required", []string{"sslmode", "verify-full", "sslrootcert", ca, "channel_binding", "require"}, methodSCRAMPlus},
		{"channel binding disabled", []string{"sslmode", "require", "channel_binding", "disable"}, methodSCRAM},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(b.attempts())
			conn, err := pgConnect(t, dsn(srv, aliceEmail, aliceTok1, tc.params...))
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := conn.PgConn().Conn().(*tls.Conn); !ok {
				t.Fatal("connection is not TLS")
			}
			var n int
			if err := conn.QueryRow(context.Background(), "SELECT 7").Scan(&n); err != nil || n != 7 {
				t.Fatalf("query: %v %v", n, err)
			}
			a := b.attempts()[before]
			if !a.ok || a.method != tc.wantMethod {
				t.Fatalf("audit %+v, want method %s", a, tc.wantMethod)
			}
		})
	}
	t.Run("wrong CA", func(t *testing.T) {
		_, otherCA, err := SelfSignedTLS(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pgConnect(t, dsn(srv, aliceEmail, aliceTok1, "sslmode", "verify-full", "sslrootcert", otherCA)); err == nil {
			t.Fatal("verify-full accepted a certificate from another CA")
		}
	})
	t.Run("bad token over TLS", func(t *testing.T) {
		_, err := pgConnect(t, dsn(srv, aliceEmail, "wrong", "sslmode", "require"))
		if code, _ := pgCode(err); code != "28P01" {
			t.Fatalf("got %v", err)
		}
	})
}

func TestTLSNotConfigured(t *testing.T) {
	srv, _ := startServer(t, Config{})
	if _, err := pgConnect(t, dsn(srv, aliceEmail, aliceTok1, "sslmode", "require")); err == nil {
		t.Fatal("sslmode=require succeeded without TLS")
	}
	// prefer falls back to plain text
	if _, err := pgConnect(t, dsn(srv, aliceEmail, aliceTok1, "sslmode", "prefer")); err != nil {
		t.Fatal(err)
	}
}

func TestPsqlVerifyFull(t *testing.T) {
	psql := psqlPath(t)
	srv, _, ca := startTLSServer(t, Config{})
	host, port := hostPort(t, srv)
	cmd := exec.Command(psql, "-X", "-A", "-t", "-c", "SELECT 'secure'",
		"host="+host+" port="+port+" dbname=agnes user="+aliceEmail+" sslmode=verify-full sslrootcert="+ca)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+aliceTok1)
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "secure" {
		t.Fatalf("psql: %v\n%s", err, out)
	}
}
