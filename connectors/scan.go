package connectors

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/keboola/agnes/catalog"
)

// tableIDPattern is what a registry id must look like: it becomes an
// unquoted SQL identifier in every principal's sandbox.
var tableIDPattern = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// ScanExtracts reads every <dataDir>/extracts/*/extract.duckdb and returns one
// Extract per source folder, sorted by source. It is ScanExtractsWith without
// a fingerprint cache: every parquet file is hashed.
func ScanExtracts(ctx context.Context, dataDir string) ([]Extract, error) {
	return ScanExtractsWith(ctx, dataDir, nil)
}

// ScanExtractsWith is ScanExtracts that reuses the digests from prev (keyed by
// Location) for every file whose size and modification time are unchanged.
//
// Extract files are opened read-only and never modified. A broken source
// sets its Extract's Err, a broken table its Status; neither stops the scan
// of the others. The returned error is reserved for the scan itself failing:
// data_dir/extracts unreadable, or ctx done. A missing extracts folder is not
// an error (no sources yet).
//
// Table ids are unique across the result: when two sources declare the same
// table, the source that sorts first keeps it and the other lists it in
// Skipped.
func ScanExtractsWith(ctx context.Context, dataDir string, prev map[string]FileFingerprint) ([]Extract, error) {
	root, err := filepath.Abs(filepath.Join(dataDir, ExtractsDir))
	if err != nil {
		return nil, fmt.Errorf("scan extracts in %s: %w", dataDir, err)
	}
	entries, err := os.ReadDir(root) // sorted by name
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("scan extracts: %w", err)
	}
	var out []Extract
	for _, entry := range entries {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("scan extracts: %w", err)
		}
		name := entry.Name()
		if strings.HasPrefix(name, ".") {
			continue // hidden: a connector's work area, not a source
		}
		dir := filepath.Join(root, name)
		st, err := os.Stat(dir) // follows a symlinked source folder
		switch {
		case err != nil:
			out = append(out, Extract{Source: name, Dir: dir, Err: errors.New(oneLine(err.Error()))})
		case st.IsDir():
			out = append(out, ScanExtract(ctx, dir, prev))
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("scan extracts: %w", err)
	}
	dropDuplicateIDs(out)
	return out, nil
}

// ScanExtract scans one source folder (<data_dir>/extracts/<source>); it is
// the per-source step of ScanExtractsWith, for rebuilding one source.
func ScanExtract(ctx context.Context, dir string, prev map[string]FileFingerprint) Extract {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Extract{Source: filepath.Base(dir), Dir: dir, Err: errors.New(oneLine(err.Error()))}
	}
	e := Extract{Source: filepath.Base(abs), Dir: abs}
	if err := e.scan(ctx, prev); err != nil {
		return Extract{Source: e.Source, Dir: e.Dir, Err: errors.New(oneLine(err.Error()))}
	}
	return e
}

// scan fills e from its folder; an error means the whole extract is broken.
func (e *Extract) scan(ctx context.Context, prev map[string]FileFingerprint) error {
	dbPath := filepath.Join(e.Dir, ExtractFile)
	dbInfo, err := os.Lstat(dbPath)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("missing %s", ExtractFile)
	}
	if err != nil {
		return fmt.Errorf("%s: %v", ExtractFile, err)
	}
	if !dbInfo.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", ExtractFile)
	}
	realDir, err := filepath.EvalSymlinks(e.Dir)
	if err != nil {
		return err
	}
	// The data folder may itself be a symlink (to a bigger disk); the files
	// must then lie inside its target. A missing data folder is fine for a
	// remote-only source; local tables then report their missing files.
	dataDir := filepath.Join(realDir, DataDir)
	allowed := []string{realDir}
	if real, err := filepath.EvalSymlinks(dataDir); err == nil {
		dataDir = real
		if !within(realDir, real) {
			allowed = append(allowed, real)
		}
	}

	s, err := openScannerDB(ctx, allowed)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.attach(ctx, filepath.Join(realDir, ExtractFile)); err != nil {
		return fmt.Errorf("%s: %v", ExtractFile, err)
	}
	kinds, err := contractTables(ctx, s)
	if err != nil {
		return fmt.Errorf("%s: %v", ExtractFile, err)
	}
	if kinds[metaTable] == "" {
		return fmt.Errorf("%s has no %s table", ExtractFile, metaTable)
	}
	for _, name := range []string{metaTable, sourceTable, remoteAttachTable} {
		// A view could read anything when queried; the contract's own
		// tables must be plain data.
		if kind := kinds[name]; kind != "" && kind != "BASE TABLE" {
			return fmt.Errorf("%s is a %s, expected a table", name, strings.ToLower(kind))
		}
	}
	meta, err := readMeta(ctx, s)
	if err != nil {
		return err
	}
	sourceType := e.Source
	if kinds[sourceTable] != "" {
		t, err := readSourceType(ctx, s)
		if err != nil {
			return err
		}
		if t != "" {
			sourceType = t
		}
	}
	if kinds[remoteAttachTable] != "" {
		if e.Remote, err = readRemoteAttach(ctx, s); err != nil {
			return err
		}
	}

	e.Tables = []catalog.Table{}
	e.Fingerprints = map[string]FileFingerprint{}
	seen := map[string]bool{}
	for _, m := range meta {
		id := strings.ToLower(m.tableName)
		if reason := invalidTableName(id, seen); reason != "" {
			e.Skipped = append(e.Skipped, SkippedTable{TableName: m.tableName, Reason: reason})
			continue
		}
		seen[id] = true
		e.Tables = append(e.Tables, e.table(ctx, s, dataDir, m, id, sourceType, dbInfo.ModTime(), prev))
	}
	sort.Slice(e.Tables, func(i, j int) bool { return e.Tables[i].ID < e.Tables[j].ID })
	return nil
}

// invalidTableName says why a lower-cased _meta table name cannot be a
// registry id, or returns "". Such a row is skipped rather than failing the
// extract: the other tables of the source are still good.
func invalidTableName(id string, seen map[string]bool) string {
	switch {
	case !tableIDPattern.MatchString(id):
		return "invalid table name: must match " + tableIDPattern.String()
	case id == metaTable || id == sourceTable || id == remoteAttachTable || id == remoteLinksTable:
		return "reserved name of the extract contract"
	case seen[id]:
		return "duplicate table name in _meta"
	}
	return ""
}

// table turns one validated _meta row into a registry row, checking and
// describing its parquet file for local and materialized tables.
func (e *Extract) table(ctx context.Context, s *scannerDB, dataDir string, m metaRow, id, sourceType string,
	dbModTime time.Time, prev map[string]FileFingerprint) catalog.Table {
	t := catalog.Table{
		ID:          id,
		Name:        id,
		Schema:      "public",
		Description: m.description,
		SourceType:  sourceType,
		QueryMode:   strings.ToLower(strings.TrimSpace(m.queryMode)),
		Columns:     []catalog.Column{},
		Status:      StatusOK,
		UpdatedAt:   m.extractedAt,
	}
	if t.QueryMode == "" {
		t.QueryMode = catalog.ModeLocal
	}
	switch t.QueryMode {
	case catalog.ModeRemote:
		// Nothing local to check: the upstream is the truth, _meta's numbers
		// are all there is.
		t.RowCount, t.SizeBytes = m.rows, m.sizeBytes
		if t.UpdatedAt.IsZero() {
			t.UpdatedAt = dbModTime.UTC()
		}
		return t
	case catalog.ModeLocal, catalog.ModeMaterialized:
	default:
		t.Status = oneLine(fmt.Sprintf("unknown query_mode %q (want local, remote or materialized)", m.queryMode))
		return t
	}

	// The file is named as _meta spells the table; the name passed
	// invalidTableName, so it is a plain file name.
	pf, err := locateParquet(dataDir, m.tableName)
	if err != nil {
		t.Status = oneLine(err.Error())
		return t
	}
	cols, rows, err := describeParquet(ctx, s, pf.path)
	if err != nil {
		t.Status = oneLine(fmt.Sprintf("%s/%s.parquet is not readable parquet: %v", DataDir, m.tableName, err))
		return t
	}
	size, mtime := pf.info.Size(), pf.info.ModTime()
	var sums Digests
	if fp, ok := prev[pf.path]; ok && fp.MD5 != "" && fp.SHA256 != "" && fp.Size == size && fp.ModTime.Equal(mtime) {
		sums = fp.Digests
	} else if sums, err = FileDigests(pf.path); err != nil {
		t.Status = oneLine(err.Error())
		return t
	}
	e.Fingerprints[pf.path] = FileFingerprint{Size: size, ModTime: mtime, Digests: sums}

	t.Location = pf.path
	t.Columns = cols
	t.RowCount = rows // the file's own count; _meta's claim may be stale
	t.SizeBytes = size
	t.MD5 = sums.MD5
	t.SHA256 = sums.SHA256
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = mtime.UTC()
	}
	return t
}

// dropDuplicateIDs keeps each table id in the first source (in sort order)
// that declares it and moves later ones to Skipped, so the scan result can
// be loaded into the registry as is.
func dropDuplicateIDs(extracts []Extract) {
	owner := map[string]string{}
	for i := range extracts {
		e := &extracts[i]
		kept := e.Tables[:0]
		for _, t := range e.Tables {
			if src, dup := owner[t.ID]; dup {
				e.Skipped = append(e.Skipped, SkippedTable{TableName: t.ID, Reason: fmt.Sprintf("table %q is already provided by source %q", t.ID, src)})
				continue
			}
			owner[t.ID] = e.Source
			kept = append(kept, t)
		}
		e.Tables = kept
	}
}
