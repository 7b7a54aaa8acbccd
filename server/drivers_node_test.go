package server

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// nodeDriversDir holds package.json and package-lock.json for the Node.js
// drivers; .ci/run installs them with `npm ci` there.
const nodeDriversDir = "testdata/drivers/node"

// TestNodePgClient runs node-postgres (pg, with pg-cursor) against the
// gateway as an analyst granted orders only: SCRAM auth, metadata browsing,
// typed round trips over the simple and extended protocols, named prepared
// statements, cursor streaming, statement_timeout and CancelRequest, errors.
func TestNodePgClient(t *testing.T) {
	runNodeDriverScript(t, "node_pg.js", "pg", "pg-cursor")
}

// TestPostgresJSClient runs postgres.js (npm `postgres`) against the gateway
// as an analyst granted orders only: the same ground as TestNodePgClient,
// through postgres.js's own protocol use (Parse/Describe/Flush before Bind,
// prepared statements by default, cursors, query.cancel()).
func TestPostgresJSClient(t *testing.T) {
	runNodeDriverScript(t, "postgres_js.js", "postgres")
}

// runNodeDriverScript starts a gateway, creates an analyst who may read
// orders, and runs script under node with the analyst's DSN as its argument;
// the script prints OK when every check passed.
func runNodeDriverScript(t *testing.T, script string, modules ...string) {
	node, err := exec.LookPath("node")
	if err != nil {
		missingDriver(t, "node not installed")
	}
	for _, m := range modules {
		if _, err := os.Stat(filepath.Join(nodeDriversDir, "node_modules", m, "package.json")); err != nil {
			missingDriver(t, "npm module "+m+" not installed (run `npm ci` in server/"+nodeDriversDir+"): "+err.Error())
		}
	}
	ts := startServer(t, filepath.Join(t.TempDir(), "data"))
	email := strings.TrimSuffix(script, ".js") + "@example.com"
	token := ts.analyst(t, email, "orders")

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script, ts.dsn(email, token))
	cmd.Dir = nodeDriversDir
	out, err := cmd.CombinedOutput()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if err != nil || lines[len(lines)-1] != "OK" {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
}
