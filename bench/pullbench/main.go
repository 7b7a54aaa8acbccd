// Command pullbench measures `agnes pull` against a real server on
// loopback.
//
//	pullbench prepare DATA_DIR
//	pullbench run -server URL -token ADMIN_TOKEN -agnes BIN [-rounds 5] [-nochange 20] [-dir DIR]...
//
// It times a pull when nothing changed, with a 200-table manifest (wall
// time of the whole agnes process), and the download of a 1 GiB parquet
// file by `agnes pull` (manifest, download, digest check, fsync, rename,
// view rebuild) against `curl` of the same URL, `curl` followed by an fsync
// of the file (the same durability as agnes pull), and the bare Go client
// copying the body to a file (no digest, no fsync), alternating the four:
// each round starts with the next one, and every run starts after a
// sync(2), so that none pays for the writeback of another's dirty pages.
// Each -dir is a destination: a tmpfs (/dev/shm) shows the transfer path
// without the disk, a disk directory shows what an analyst's laptop does.
//
// bench/pull.sh drives the whole run.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"syscall"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/keboola/agnes/client"
	"github.com/keboola/agnes/connectors"
)

const (
	smallTables = 200
	// bigRows rows of three 8-byte columns, uncompressed: 1 GiB of parquet.
	bigRows = 44_739_243
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: pullbench prepare DATA_DIR | run -server URL -token TOKEN -agnes BIN [-rounds N] [-nochange N]")
		os.Exit(2)
	}
	ctx := context.Background()
	var err error
	switch os.Args[1] {
	case "prepare":
		err = prepare(ctx, os.Args[2])
	case "run":
		fs := flag.NewFlagSet("run", flag.ExitOnError)
		server := fs.String("server", "", "Agnes HTTP URL")
		token := fs.String("token", "", "admin token")
		bin := fs.String("agnes", "", "agnes binary")
		rounds := fs.Int("rounds", 5, "1 GiB download rounds (each: agnes, curl, Go client)")
		nochange := fs.Int("nochange", 20, "no-change pulls to time")
		var dirs dirList
		fs.Var(&dirs, "dir", "destination directory of the 1 GiB downloads (repeatable; default the temp dir)")
		fs.Parse(os.Args[2:])
		if len(dirs) == 0 {
			dirs = dirList{os.TempDir()}
		}
		err = runBench(ctx, *server, *token, *bin, *rounds, *nochange, dirs)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pullbench:", err)
		os.Exit(1)
	}
}

// prepare writes two extracts: "many" with 200 small tables and "big" with
// one 1 GiB table.
func prepare(ctx context.Context, dataDir string) error {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	many := filepath.Join(dataDir, "extracts", "many")
	spec := connectors.ExtractSpec{SourceType: "bench"}
	for i := range smallTables {
		name := fmt.Sprintf("t%03d", i)
		q := fmt.Sprintf("SELECT range AS id, 'row ' || range AS label, range * %d.5 AS value FROM range(%d)", i, 100+i*10)
		if err := connectors.WriteParquetAtomic(ctx, db, q, filepath.Join(many, "data", name+".parquet")); err != nil {
			return err
		}
		spec.Tables = append(spec.Tables, connectors.MetaRow{TableName: name, Description: "benchmark table " + name, ExtractedAt: time.Now()})
	}
	if err := connectors.WriteExtractDB(ctx, many, spec); err != nil {
		return err
	}

	big := filepath.Join(dataDir, "extracts", "big")
	path := filepath.Join(big, "data", "big.parquet")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	// Random-looking values so the file is as large as its rows, and
	// uncompressed so writing 1 GiB takes seconds.
	q := fmt.Sprintf(`COPY (SELECT hash(range) AS h, random() AS r, hash(range * 7) AS g FROM range(%d))
		TO '%s' (FORMAT parquet, COMPRESSION uncompressed)`, bigRows, path+".tmp")
	if _, err := db.ExecContext(ctx, q); err != nil {
		return err
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		return err
	}
	return connectors.WriteExtractDB(ctx, big, connectors.ExtractSpec{SourceType: "bench",
		Tables: []connectors.MetaRow{{TableName: "big", Description: "1 GiB benchmark table", ExtractedAt: time.Now()}}})
}

// analyst creates a user, a token and a group granted the tables.
func analyst(ctx context.Context, admin *client.Client, email string, tables []string) (string, error) {
	if _, err := admin.CreateUser(ctx, email, ""); err != nil {
		return "", err
	}
	tok, err := admin.CreateToken(ctx, email, "bench", "never")
	if err != nil {
		return "", err
	}
	group := "bench-" + email
	if _, err := admin.CreateGroup(ctx, group, ""); err != nil {
		return "", err
	}
	if _, err := admin.AddMember(ctx, group, email); err != nil {
		return "", err
	}
	for _, t := range tables {
		if _, err := admin.CreateGrant(ctx, group, "table", t); err != nil {
			return "", err
		}
	}
	return tok.Token, nil
}

func timed(f func() error) (time.Duration, error) {
	start := time.Now()
	err := f()
	return time.Since(start), err
}

func command(name string, args ...string) func() error {
	return func() error {
		out, err := exec.Command(name, args...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s %v: %w\n%s", name, args, err, out)
		}
		return nil
	}
}

type dirList []string

func (d *dirList) String() string     { return fmt.Sprint(*d) }
func (d *dirList) Set(v string) error { *d = append(*d, v); return nil }

func runBench(ctx context.Context, server, adminToken, bin string, rounds, nochange int, dirs []string) error {
	admin := client.New(server, adminToken)
	var small []string
	for i := range smallTables {
		small = append(small, fmt.Sprintf("t%03d", i))
	}
	manyToken, err := analyst(ctx, admin, "many@bench.local", small)
	if err != nil {
		return err
	}
	bigToken, err := analyst(ctx, admin, "big@bench.local", []string{"big"})
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "pullbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	// 1. No-change pull of a 200-table manifest.
	ws := filepath.Join(work, "many")
	pull := command(bin, "pull", "--quiet", "--workspace", ws, "--server", server, "--token", manyToken)
	first, err := timed(pull)
	if err != nil {
		return err
	}
	var same []float64
	for range nochange {
		d, err := timed(pull)
		if err != nil {
			return err
		}
		same = append(same, ms(d))
	}
	fmt.Printf("no-change pull, %d tables: first pull %.0f ms; unchanged: median %.1f ms, min %.1f, max %.1f (n=%d)\n",
		smallTables, ms(first), median(same), minOf(same), maxOf(same), len(same))

	// 2. 1 GiB: agnes pull vs curl (with and without fsync) vs the Go
	// client, alternating, into each destination.
	bigClient := client.New(server, bigToken)
	m, _, err := bigClient.Manifest(ctx, "")
	if err != nil {
		return err
	}
	if len(m.Tables) != 1 || m.Tables[0].URL == "" {
		return fmt.Errorf("big analyst manifest: %+v", m.Tables)
	}
	size := m.Tables[0].SizeBytes
	url := server + m.Tables[0].URL
	for _, dir := range dirs {
		dest, err := os.MkdirTemp(dir, "pullbench")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dest)
		var agnes, curl, curlSync, goClient []float64
		ws := filepath.Join(dest, "ws")
		out := filepath.Join(dest, "download.parquet")
		curlCmd := command("curl", "-sSf", "-o", out, "-H", "Authorization: Bearer "+bigToken, url)
		contestants := []struct {
			result *[]float64
			run    func() error
		}{
			{&agnes, command(bin, "pull", "--quiet", "--workspace", ws, "--server", server, "--token", bigToken)},
			{&curl, curlCmd},
			{&curlSync, func() error {
				if err := curlCmd(); err != nil {
					return err
				}
				return fsyncFile(out)
			}},
			{&goClient, func() error { return goDownload(ctx, bigClient, m.Tables[0].URL, out) }},
		}
		for r := range rounds {
			// Each round starts with another contestant, and each run
			// starts with no dirty pages left by the previous one (the
			// runs without fsync leave up to 1 GiB for the kernel to write
			// back, which would slow whoever comes next).
			for i := range contestants {
				c := contestants[(r+i)%len(contestants)]
				syscall.Sync()
				d, err := timed(c.run)
				if err != nil {
					return err
				}
				*c.result = append(*c.result, mibps(size, d))
				os.RemoveAll(ws)
				os.Remove(out)
			}
			fmt.Printf("%s round %d: agnes pull %.0f MiB/s, curl %.0f, curl+fsync %.0f, Go client %.0f\n",
				dir, r+1, agnes[r], curl[r], curlSync[r], goClient[r])
		}
		fmt.Printf("1 GiB (%d bytes) into %s, medians of %d rounds: agnes pull %.0f MiB/s, curl %.0f MiB/s, curl+fsync %.0f MiB/s, Go client %.0f MiB/s; agnes/curl = %.2f, agnes/(curl+fsync) = %.2f\n",
			size, dir, rounds, median(agnes), median(curl), median(curlSync), median(goClient),
			median(agnes)/median(curl), median(agnes)/median(curlSync))
	}
	return nil
}

func fsyncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// goDownload is the bare transfer: the client's download copied to a file.
func goDownload(ctx context.Context, c *client.Client, path, out string) error {
	d, err := c.DownloadTable(ctx, path, 0, "")
	if err != nil {
		return err
	}
	defer d.Body.Close()
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, d.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func mibps(bytes int64, d time.Duration) float64 { return float64(bytes) / (1 << 20) / d.Seconds() }

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func minOf(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[0]
}

func maxOf(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)-1]
}
