package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/keboola/agnes/client"
)

// pullParallelism is how many tables download at once.
const pullParallelism = 4

func (c *cli) pullCmd() *cobra.Command {
	var dir string
	var quiet bool
	cmd := &cobra.Command{
		Use:   "pull",
		Short: "Download the tables you may read into the workspace",
		Long: `Fetch the manifest of the tables you may read and bring the workspace in
line with it: download the tables whose md5 differs from the local copy
(4 at a time, resuming interrupted downloads), verify each file's sha256
(its md5 on servers that publish no sha256) before it replaces the
previous copy, delete tables you can no longer read, and rebuild
.agnes/local.duckdb with one view per table, named as on the server. Remote and server-only tables are listed in the catalog but not
downloaded: query them with ` + "`agnes query --remote`" + `.

A failed download keeps the previous copy in use and makes the command exit
non-zero; an unreachable server changes nothing.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			ws, err := openWorkspace(dir)
			if err != nil {
				return err
			}
			rep := c.newPullReporter(quiet)
			res, err := pull(cmd.Context(), api, ws, pullParallelism, rep)
			if res != nil && !quiet {
				fmt.Fprintln(c.stdout, res.summary(ws))
			}
			return err
		},
	}
	workspaceFlag(cmd, &dir)
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print nothing but errors")
	return cmd
}

// pullResult is what a pull did.
type pullResult struct {
	Downloaded     []string
	Removed        []string
	Unchanged      int
	NotDistributed int   // remote and server-only tables (listed, never downloaded)
	Bytes          int64 // received over the network for table files
	Failed         []string
}

func (r *pullResult) summary(ws *workspace) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Pulled %d %s (%s)", len(r.Downloaded), plural(len(r.Downloaded), "table", "tables"), humanBytes(r.Bytes))
	if len(r.Removed) > 0 {
		fmt.Fprintf(&b, ", removed %s", strings.Join(r.Removed, ", "))
	}
	fmt.Fprintf(&b, ", %d unchanged", r.Unchanged)
	if len(r.Failed) > 0 {
		fmt.Fprintf(&b, ", %d failed", len(r.Failed))
	}
	if r.NotDistributed > 0 {
		fmt.Fprintf(&b, "; %d remote or server-only (use agnes query --remote)", r.NotDistributed)
	}
	fmt.Fprintf(&b, " → %s", ws.dir())
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// pullReporter follows a pull's downloads.
type pullReporter interface {
	start(tables int, bytes int64)
	add(n int64) // bytes arrived; called from several goroutines
	done(t client.ManifestTable, f fetched, err error)
	finish()
}

// pull brings the workspace in line with the server's manifest (see
// pullCmd). The manifest is fetched before anything local is touched, so
// an unreachable server or a refused token changes nothing.
func pull(ctx context.Context, api *client.Client, ws *workspace, parallel int, rep pullReporter) (*pullResult, error) {
	prev, _, err := ws.loadState()
	if err != nil {
		prev = &workspaceState{Tables: map[string]localTable{}} // rebuilt below
	}
	etag := ""
	if prev.Server == api.Server() && prev.Manifest != nil {
		etag = prev.ManifestETag
	}
	m, notModified, err := api.Manifest(ctx, etag)
	if err != nil {
		return nil, fmt.Errorf("fetch the manifest: %w", err)
	}
	manifest, manifestETag := prev.Manifest, prev.ManifestETag
	if !notModified {
		manifest, manifestETag = m.Tables, m.ETag
	}

	if err := os.MkdirAll(ws.dataDir(), 0o755); err != nil {
		return nil, fmt.Errorf("create workspace: %w", err)
	}
	unlock, err := ws.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	// Read again under the lock: a pull that just finished may have
	// changed it.
	st, _, err := ws.loadState()
	if err != nil {
		// A damaged state only costs downloads: everything is fetched again.
		st = &workspaceState{Tables: map[string]localTable{}}
	}

	res := &pullResult{}
	want := map[string]bool{}
	var plan []client.ManifestTable
	for _, t := range manifest {
		if !tableIDPattern.MatchString(t.ID) {
			continue // cannot name a file safely; the server never sends such ids
		}
		if t.URL == "" {
			res.NotDistributed++
			continue
		}
		want[t.ID] = true
		if local, ok := st.Tables[t.ID]; ok && local.MD5 == t.MD5 && fileSize(ws.parquetPath(t.ID)) == t.SizeBytes {
			res.Unchanged++
			continue
		}
		plan = append(plan, t)
	}

	f := &fetcher{api: api, ws: ws, progress: rep.add}
	for _, o := range download(ctx, f, plan, parallel, rep) {
		if o.err != nil {
			res.Failed = append(res.Failed, o.table.ID+": "+firstLine(o.err.Error()))
			continue
		}
		st.Tables[o.table.ID] = localTable{MD5: o.table.MD5, SizeBytes: o.table.SizeBytes, PulledAt: time.Now().UTC()}
		res.Downloaded = append(res.Downloaded, o.table.ID)
		res.Bytes += o.transferred
	}
	sort.Strings(res.Downloaded)
	if len(res.Downloaded) > 0 {
		if err := syncDir(ws.dataDir()); err != nil {
			return res, err
		}
	}

	// Tables no longer granted (or no longer distributed) leave the
	// workspace: first their views, then their files, so that a query
	// running meanwhile never meets a view without its file.
	var gone []string
	for id := range st.Tables {
		if !want[id] {
			delete(st.Tables, id)
			gone = append(gone, id)
		}
	}
	views := ws.viewSpecs(manifest, st.Tables)
	if fp := fingerprint(views, st.Tables); fp != st.Views || fileSize(ws.dbPath()) < 0 {
		if err := ws.rebuildLocalDB(ctx, views); err != nil {
			return res, err
		}
		st.Views = fp
	}
	for _, id := range gone {
		if err := os.Remove(ws.parquetPath(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return res, fmt.Errorf("remove %s: %w", id, err)
		}
	}
	sort.Strings(gone)
	res.Removed = gone
	removeStrays(ws, st.Tables, want)

	st.Server, st.LastPull, st.Manifest, st.ManifestETag = api.Server(), time.Now().UTC(), manifest, manifestETag
	if st.Manifest == nil {
		st.Manifest = []client.ManifestTable{}
	}
	if err := ws.saveState(st); err != nil {
		return res, err
	}
	if len(res.Failed) > 0 {
		return res, fmt.Errorf("%d of %d downloads failed, previous copies kept: %s",
			len(res.Failed), len(plan), strings.Join(res.Failed, "; "))
	}
	return res, nil
}

// fileSize is the size of a file, or -1 when it cannot be read.
func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return -1
	}
	return fi.Size()
}

// removeStrays deletes files of data/ that belong to no pulled table:
// copies a crashed pull left behind, and partial downloads of tables that
// are no longer wanted. Partial downloads of wanted tables stay for the
// next pull to resume.
func removeStrays(ws *workspace, pulled map[string]localTable, want map[string]bool) {
	entries, err := os.ReadDir(ws.dataDir())
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		id, _, _ := strings.Cut(name, ".")
		switch {
		case strings.HasSuffix(name, ".parquet"):
			if _, ok := pulled[id]; ok {
				continue
			}
		case strings.HasSuffix(name, ".parquet.part"), strings.HasSuffix(name, ".parquet.part.md5"):
			if want[id] {
				continue
			}
		default:
			continue
		}
		os.Remove(filepath.Join(ws.dataDir(), name))
	}
}

// outcome is one table's download result.
type outcome struct {
	table client.ManifestTable
	fetched
	err error
}

// download fetches the planned tables, parallel at a time, largest first
// so that the long downloads start early.
func download(ctx context.Context, f *fetcher, plan []client.ManifestTable, parallel int, rep pullReporter) []outcome {
	if len(plan) == 0 {
		return nil
	}
	sort.SliceStable(plan, func(i, j int) bool { return plan[i].SizeBytes > plan[j].SizeBytes })
	var total int64
	for _, t := range plan {
		total += t.SizeBytes
	}
	rep.start(len(plan), total)
	defer rep.finish()

	out := make([]outcome, len(plan))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(parallel, len(plan)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				res, err := f.fetch(ctx, plan[i])
				out[i] = outcome{table: plan[i], fetched: res, err: err}
				rep.done(plan[i], res, err)
			}
		}()
	}
	for i := range plan {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}
