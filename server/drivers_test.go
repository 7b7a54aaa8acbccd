package server

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPythonClients runs psycopg2, SQLAlchemy and pandas (Debian's
// python3-psycopg2, python3-sqlalchemy, python3-pandas; .ci/run installs
// them) against the gateway as an analyst granted orders only.
func TestPythonClients(t *testing.T) {
	runPythonClient(t, "import psycopg2, sqlalchemy, pandas", "testdata/drivers/python_clients.py")
}

// missingDriver skips a driver test whose client is not installed on this
// machine, or fails it when AGNES_REQUIRE_DRIVERS is set (.ci/run sets it
// after installing every client, so a broken install cannot pass silently).
func missingDriver(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("AGNES_REQUIRE_DRIVERS") != "" {
		t.Fatalf("driver required by AGNES_REQUIRE_DRIVERS but unavailable: %s", why)
	}
	t.Skip(why)
}

// TestPsycopg3Client runs psycopg 3 (Debian's python3-psycopg; .ci/run
// installs it) against the gateway as an analyst granted orders only.
func TestPsycopg3Client(t *testing.T) {
	runPythonClient(t, "import psycopg", "testdata/drivers/psycopg3_client.py")
}

// runPythonClient runs a client script with Debian's python3 (whose
// driver packages .ci/run installs; a python3 earlier on PATH, such as a
// pyenv or venv one, may lack them) against the gateway as an analyst
// granted orders only; the script prints OK when every check passed.
func runPythonClient(t *testing.T, imports, script string) {
	py := "/usr/bin/python3"
	if _, err := exec.LookPath(py); err != nil {
		if py, err = exec.LookPath("python3"); err != nil {
			missingDriver(t, "python3 not installed")
		}
	}
	if out, err := exec.Command(py, "-c", imports).CombinedOutput(); err != nil {
		missingDriver(t, "python drivers not installed: "+string(out))
	}
	ts := startServer(t, filepath.Join(t.TempDir(), "data"))
	token := ts.analyst(t, "py@example.com", "orders")
	out, err := exec.Command(py, script, ts.dsn("py@example.com", token)).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "OK") {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
}
