//go:build !unix

package main

// lock is a no-op where flock is not available; concurrent pulls then rely
// on the atomic renames alone.
func (w *workspace) lock() (unlock func(), err error) { return func() {}, nil }
