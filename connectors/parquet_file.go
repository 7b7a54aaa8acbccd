package connectors

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/keboola/agnes/catalog"
)

// parquetFile is a table's parquet file after the location checks.
type parquetFile struct {
	path string // absolute, symlinks resolved
	info os.FileInfo
}

// locateParquet finds data/<name>.parquet of an extract and checks that it
// may be served: it exists, it is a regular file, and once symlinks are
// resolved it still lies inside the extract's data folder (dataDir, itself
// resolved). A symlink to a file elsewhere would otherwise let an extract
// publish any file the server can read. The returned error is the one-line
// reason stored in the table's Status.
func locateParquet(dataDir, name string) (parquetFile, error) {
	rel := DataDir + "/" + name + ".parquet"
	link := filepath.Join(dataDir, name+".parquet")
	if _, err := os.Lstat(link); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if st, derr := os.Stat(filepath.Join(dataDir, name)); derr == nil && st.IsDir() {
				return parquetFile{}, fmt.Errorf("partitioned table folder %s/%s/ is not supported; expected %s", DataDir, name, rel)
			}
			return parquetFile{}, fmt.Errorf("missing %s", rel)
		}
		return parquetFile{}, fmt.Errorf("%s: %v", rel, err)
	}
	real, err := filepath.EvalSymlinks(link)
	if err != nil {
		return parquetFile{}, fmt.Errorf("%s: broken symlink", rel)
	}
	if !within(dataDir, real) {
		return parquetFile{}, fmt.Errorf("%s resolves outside the extract's data folder", rel)
	}
	info, err := os.Stat(real)
	if err != nil {
		return parquetFile{}, fmt.Errorf("%s: %v", rel, err)
	}
	if !info.Mode().IsRegular() {
		return parquetFile{}, fmt.Errorf("%s is not a regular file", rel)
	}
	return parquetFile{path: real, info: info}, nil
}

// within reports whether path lies strictly inside dir; both are absolute
// and already free of symlinks.
func within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	if err != nil {
		return false
	}
	return rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// describeParquet reads a parquet file's columns (DuckDB type names) and its
// row count from the file's footer, without scanning the data.
func describeParquet(ctx context.Context, s *scannerDB, path string) ([]catalog.Column, int64, error) {
	rows, err := s.conn.QueryContext(ctx, `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))`, path)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var cols []catalog.Column
	for rows.Next() {
		var c catalog.Column
		if err := rows.Scan(&c.Name, &c.Type); err != nil {
			return nil, 0, err
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	var n int64
	if err := s.conn.QueryRowContext(ctx, `SELECT coalesce(sum(num_rows), 0)::BIGINT FROM parquet_file_metadata(?)`, path).Scan(&n); err != nil {
		return nil, 0, err
	}
	return cols, n, nil
}
