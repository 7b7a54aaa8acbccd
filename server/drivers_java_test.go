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

// pgjdbcJar is where Debian's libpostgresql-jdbc-java installs pgjdbc.
const pgjdbcJar = "/usr/share/java/postgresql.jar"

// TestPgjdbcClients runs pgjdbc (Debian's libpostgresql-jdbc-java, with
// default-jdk-headless; .ci/run installs them) against the gateway as an
// analyst granted orders only: DatabaseMetaData, typed round trips in text
// and binary, fetch-size streaming, cancel, errors and query timeouts. The
// program is a single source file that java (11 or later) compiles and runs
// in one step, so no build tool is needed.
func TestPgjdbcClients(t *testing.T) {
	java, err := exec.LookPath("java")
	if err != nil {
		missingDriver(t, "java not installed")
	}
	if _, err := os.Stat(pgjdbcJar); err != nil {
		missingDriver(t, "pgjdbc not installed: "+err.Error())
	}
	ts := startServer(t, filepath.Join(t.TempDir(), "data"))
	const email = "jdbc@example.com"
	token := ts.analyst(t, email, "orders")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	url := "jdbc:postgresql://" + ts.l.PG.String() + "/agnes?sslmode=disable"
	cmd := exec.CommandContext(ctx, java, "-cp", pgjdbcJar, "testdata/drivers/java/PgjdbcClients.java", url, email, token)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "OK") {
		t.Fatalf("pgjdbc clients: %v\n%s", err, out)
	}
}
