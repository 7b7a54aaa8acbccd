package connectors

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// tempPath reserves a hidden, unique name next to path, so that the final
// rename stays on one file system and a half-written file is never mistaken
// for a finished one (scans only look at the final names). The reserved file
// is removed: DuckDB creates database files itself and refuses an empty one.
func tempPath(path string) (string, error) {
	dir, base := filepath.Split(path)
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("reserve temp file for %s: %w", path, err)
	}
	name := f.Name()
	f.Close()
	if err := os.Remove(name); err != nil {
		return "", fmt.Errorf("reserve temp file for %s: %w", path, err)
	}
	return name, nil
}

// commitFile fsyncs tmp, renames it over path and fsyncs the directory, so
// that after a crash path holds either the old or the new content, whole.
func commitFile(tmp, path string) error {
	f, err := os.Open(tmp)
	if err != nil {
		return fmt.Errorf("sync %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("sync %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename into %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync dir %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync dir %s: %w", dir, err)
	}
	return nil
}

// sqlString quotes s as a SQL string literal. COPY TO and ATTACH take no
// bind parameters for their paths, so paths are spliced in quoted.
func sqlString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// sqlIdent quotes s as a SQL identifier.
func sqlIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
