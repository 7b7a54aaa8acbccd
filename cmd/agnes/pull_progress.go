package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/keboola/agnes/client"
)

// newPullReporter picks how a pull shows progress: nothing with --quiet, a
// progress bar when stderr is a terminal, one line per table otherwise
// (logs, CI, agents reading the output).
func (c *cli) newPullReporter(quiet bool) pullReporter {
	switch {
	case quiet:
		return silentReporter{}
	case isTerminal(c.stderr):
		return &barReporter{w: c.stderr}
	default:
		return &lineReporter{w: c.stdout}
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

type silentReporter struct{}

func (silentReporter) start(int, int64)                          {}
func (silentReporter) add(int64)                                 {}
func (silentReporter) done(client.ManifestTable, fetched, error) {}
func (silentReporter) finish()                                   {}

// lineReporter prints one line per finished table.
type lineReporter struct {
	mu sync.Mutex
	w  io.Writer
}

func (r *lineReporter) start(tables int, bytes int64) {
	fmt.Fprintf(r.w, "Downloading %d %s (%s)\n", tables, plural(tables, "table", "tables"), humanBytes(bytes))
}

func (r *lineReporter) add(int64) {}

func (r *lineReporter) done(t client.ManifestTable, f fetched, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case err != nil:
		fmt.Fprintf(r.w, "  %s: failed: %s\n", t.ID, firstLine(err.Error()))
	case f.resumedAt > 0:
		fmt.Fprintf(r.w, "  %s: %s (resumed at %s)\n", t.ID, humanBytes(t.SizeBytes), humanBytes(f.resumedAt))
	default:
		fmt.Fprintf(r.w, "  %s: %s\n", t.ID, humanBytes(t.SizeBytes))
	}
}

func (r *lineReporter) finish() {}

// barReporter draws one progress bar over all bytes of the pull.
type barReporter struct {
	w   io.Writer
	bar *progressbar.ProgressBar
}

func (r *barReporter) start(tables int, bytes int64) {
	r.bar = progressbar.NewOptions64(bytes,
		progressbar.OptionSetWriter(r.w),
		progressbar.OptionSetDescription(fmt.Sprintf("pulling %d %s", tables, plural(tables, "table", "tables"))),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionUseIECUnits(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionFullWidth(),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetRenderBlankState(true),
	)
}

func (r *barReporter) add(n int64) { r.bar.Add64(n) }

func (r *barReporter) done(t client.ManifestTable, f fetched, err error) {
	if err != nil {
		r.bar.Clear()
		fmt.Fprintf(r.w, "%s: failed: %s\n", t.ID, firstLine(err.Error()))
	}
}

func (r *barReporter) finish() {
	r.bar.Finish()
	r.bar.Clear()
}
