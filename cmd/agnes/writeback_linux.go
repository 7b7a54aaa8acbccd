package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// startWriteback asks the kernel to start writing a range of f to disk
// without waiting for it (sync_file_range with SYNC_FILE_RANGE_WRITE), so
// that the disk works while the download goes on and the fsync before the
// rename only waits for the tail.
func startWriteback(f *os.File, off, n int64) {
	unix.SyncFileRange(int(f.Fd()), off, n, unix.SYNC_FILE_RANGE_WRITE)
}
