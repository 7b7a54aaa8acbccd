package pgcompat

import (
	"path/filepath"
	"testing"

	"github.com/keboola/agnes/engine"
)

// BenchmarkSandboxBuild times building a sandbox with the compatibility
// catalog (what the first connection of a grant set waits for).
func BenchmarkSandboxBuild(b *testing.B) {
	tables := writeTestTables(b)
	for _, bc := range []struct {
		name  string
		stmts []string
	}{{"without catalog", nil}, {"with catalog", SQL(testOptions)}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				cfg := engine.Config{MemoryLimit: "512MB", Threads: 2, TempDir: filepath.Join(b.TempDir(), "sandboxes"), CatalogSQL: bc.stmts}
				sb, err := engine.NewSandbox(cfg, tables)
				if err != nil {
					b.Fatal(err)
				}
				sb.Close()
			}
		})
	}
}

// BenchmarkSQL times generating the catalog's statements.
func BenchmarkSQL(b *testing.B) {
	for b.Loop() {
		SQL(testOptions)
	}
}
