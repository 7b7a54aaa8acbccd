package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/keboola/agnes/client"
)

func TestPullReporters(t *testing.T) {
	orders := client.ManifestTable{ID: "orders", SizeBytes: 3 << 20}
	customers := client.ManifestTable{ID: "customers", SizeBytes: 1 << 20}

	var lines bytes.Buffer
	r := &lineReporter{w: &lines}
	r.start(2, 4<<20)
	r.add(1 << 20)
	r.done(orders, fetched{transferred: 2 << 20, resumedAt: 1 << 20}, nil)
	r.done(customers, fetched{}, errors.New("md5 mismatch\nsecond line"))
	r.finish()
	want := "Downloading 2 tables (4.0 MiB)\n  orders: 3.0 MiB (resumed at 1.0 MiB)\n  customers: failed: md5 mismatch\n"
	if lines.String() != want {
		t.Fatalf("line reporter:\n%q\nwant\n%q", lines.String(), want)
	}

	var bar bytes.Buffer
	b := &barReporter{w: &bar}
	b.start(2, 4<<20)
	b.add(4 << 20)
	b.done(customers, fetched{}, errors.New("cut"))
	b.finish()
	if out := bar.String(); !strings.Contains(out, "pulling 2 tables") || !strings.Contains(out, "customers: failed: cut") {
		t.Fatalf("bar reporter output: %q", out)
	}

	if c := (&cli{}).newPullReporter(true); c != (silentReporter{}) {
		t.Fatalf("--quiet reporter: %T", c)
	}
	if _, ok := (&cli{stdout: &lines, stderr: &bar}).newPullReporter(false).(*lineReporter); !ok {
		t.Fatal("without a terminal the reporter must print lines")
	}
}
