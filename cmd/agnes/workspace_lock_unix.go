//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lock takes the workspace's pull lock, so that two pulls (two agent
// sessions starting at once) never write the same files. It fails at once
// rather than waiting: the other pull is doing the same work.
func (w *workspace) lock() (unlock func(), err error) {
	f, err := os.OpenFile(w.lockPath(), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock workspace: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("another agnes pull is running in %s: wait for it to finish", w.root)
		}
		return nil, fmt.Errorf("lock workspace: %w", err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
