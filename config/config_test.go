package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "instance.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaultsWithoutFile(t *testing.T) {
	cfg, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DataDir != "./agnes-data" || cfg.HTTP.Listen != "127.0.0.1:8000" || cfg.PG.Listen != "127.0.0.1:5433" || cfg.PG.Database != "agnes" {
		t.Fatalf("unexpected defaults: %+v", cfg)
	}
}

func TestFileAndEnv(t *testing.T) {
	p := writeFile(t, `
data_dir: /srv/agnes
instance:
  name: acme
http:
  listen: 0.0.0.0:9000
pg:
  listen: 127.0.0.1:6543
  statement_timeout: 30s
engine:
  memory_limit: 2GB
  threads: 4
`)
	cfg, err := Load(p, []string{"AGNES_PG_LISTEN=127.0.0.1:7777", "AGNES_ENGINE_THREADS=2", "UNRELATED=x"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DataDir != "/srv/agnes" || cfg.Instance.Name != "acme" || cfg.HTTP.Listen != "0.0.0.0:9000" {
		t.Fatalf("file values not applied: %+v", cfg)
	}
	if cfg.PG.Listen != "127.0.0.1:7777" || cfg.Engine.Threads != 2 {
		t.Fatalf("env must beat the file: %+v", cfg)
	}
	if cfg.Engine.MemoryLimit != 2e9 || time.Duration(cfg.PG.StatementTimeout) != 30*time.Second {
		t.Fatalf("typed values: %+v", cfg)
	}
}

func TestErrorsNameTheKey(t *testing.T) {
	cases := []struct {
		name, yaml string
		env        []string
		want       []string
	}{
		{"bad yaml", "pg: [unclosed", nil, []string{"invalid YAML"}},
		{"unknown top key", "dta_dir: x\n", nil, []string{"dta_dir", "unknown key"}},
		{"unknown nested key", "pg:\n  lissten: 1\n", nil, []string{"pg.lissten", "unknown key", ":2"}},
		{"bad port", "pg:\n  listen: 127.0.0.1:99999\n", nil, []string{"pg.listen", "port", "host:port"}},
		{"no port", "http:\n  listen: localhost\n", nil, []string{"http.listen"}},
		{"bad int", "engine:\n  threads: many\n", nil, []string{"engine.threads", "whole number"}},
		{"bad size", "engine:\n  memory_limit: lots\n", nil, []string{"engine.memory_limit", "512MB"}},
		{"section as scalar", "pg: 5\n", nil, []string{"pg", "section"}},
		{"bad env", "", []string{"AGNES_HTTP_LISTEN=nope"}, []string{"http.listen", "AGNES_HTTP_LISTEN"}},
		{"bad env bool", "", []string{"AGNES_PG_ALLOW_CLEARTEXT_LOOPBACK=maybe"}, []string{"pg.allow_cleartext_loopback", "true or false"}},
		{"tls half", "pg:\n  tls_cert: /x.pem\n", nil, []string{"pg.tls_cert", "together"}},
		{"bad schedule", "marketplace:\n  sync_schedule: sometimes\n", nil, []string{"marketplace.sync_schedule", "@daily"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := ""
			if c.yaml != "" {
				p = writeFile(t, c.yaml)
			}
			_, err := Load(p, c.env)
			if err == nil {
				t.Fatal("expected an error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestMissingExplicitFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), nil)
	if err == nil || !strings.Contains(err.Error(), "cannot read config file") {
		t.Fatalf("got %v", err)
	}
}

func TestEveryKeyHasAnEnvVar(t *testing.T) {
	keys, envs := Keys(), EnvVars()
	if len(keys) != len(envs) || len(keys) < 10 {
		t.Fatalf("keys %v envs %v", keys, envs)
	}
	for i, k := range keys {
		want := "AGNES_" + strings.ToUpper(strings.ReplaceAll(k, ".", "_"))
		if envs[i] != want {
			t.Errorf("%s → %s, want %s", k, envs[i], want)
		}
		// Every key can be set from text.
		cfg := Default()
		if err := Set(&cfg, k, "1"); err != nil && !strings.Contains(err.Error(), "invalid") {
			t.Errorf("Set(%s): %v", k, err)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]Size{"1024": 1024, "2GB": 2e9, "512MiB": 512 << 20, "1.5 kb": 1500} {
		got, err := ParseSize(in)
		if err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	if _, err := ParseSize("-3GB"); err == nil {
		t.Error("negative size accepted")
	}
}
