package marketplace

import (
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// pluginFile is one file of a plugin as a sync found it: where it is inside
// the plugin directory, whether it is executable, and its git blob id (a
// hash of its content, which is how the ETag can be computed without
// reading a byte of it).
type pluginFile struct {
	Path string
	Exec bool
	Blob plumbing.Hash
}

// maxPluginFiles bounds one plugin; a repository that holds more is not a
// plugin but a mistake, and would be copied into every view that grants it.
const maxPluginFiles = 50000

// errMissing marks a path that is not in the tree.
var errMissing = errors.New("not found")

// openObjects opens the object store of a bare repository for reading. Each
// reader opens its own (go-git storages are not shared between goroutines)
// and closes it. Pack files stay open while it is used, rather than being
// reopened for every object, and blobs over 1 MiB are streamed instead of
// read into memory.
func openObjects(dir string) *filesystem.Storage {
	return openObjectsCached(dir, 16*cache.MiByte)
}

// openObjectsCached is openObjects with an object cache of the given size:
// downloads read each blob once, so they use a small one.
func openObjectsCached(dir string, size cache.FileSize) *filesystem.Storage {
	return filesystem.NewStorageWithOptions(osfs.New(dir), cache.NewObjectLRU(size),
		filesystem.Options{KeepDescriptors: true, LargeObjectThreshold: 1 << 20})
}

func commitTree(st *filesystem.Storage, commit plumbing.Hash) (*object.Tree, error) {
	c, err := object.GetCommit(st, commit)
	if err != nil {
		return nil, fmt.Errorf("commit %s: %w", commit, err)
	}
	return c.Tree()
}

// entryAt walks p component by component. Unlike Tree.FindEntry it refuses
// to pass through a symlink, so a plugin directory reached through a link is
// reported as such rather than as missing.
func entryAt(st *filesystem.Storage, root *object.Tree, p string) (*object.TreeEntry, *object.Tree, error) {
	tree := root
	parts := strings.Split(path.Clean(p), "/")
	for i, name := range parts {
		var found *object.TreeEntry
		for j := range tree.Entries {
			if tree.Entries[j].Name == name {
				found = &tree.Entries[j]
				break
			}
		}
		if found == nil {
			return nil, nil, fmt.Errorf("%s: %w", p, errMissing)
		}
		if i == len(parts)-1 {
			return found, tree, nil
		}
		switch found.Mode {
		case filemode.Dir:
		case filemode.Symlink:
			return nil, nil, fmt.Errorf("%s passes through the symlink %s", p, strings.Join(parts[:i+1], "/"))
		default:
			return nil, nil, fmt.Errorf("%s: %s is not a directory", p, strings.Join(parts[:i+1], "/"))
		}
		next, err := object.GetTree(st, found.Hash)
		if err != nil {
			return nil, nil, err
		}
		tree = next
	}
	return nil, nil, fmt.Errorf("%s: %w", p, errMissing)
}

// dirAt returns the tree of directory p ("." is the root).
func dirAt(st *filesystem.Storage, root *object.Tree, p string) (*object.Tree, error) {
	if path.Clean(p) == "." {
		return root, nil
	}
	e, _, err := entryAt(st, root, p)
	if err != nil {
		return nil, err
	}
	switch e.Mode {
	case filemode.Dir:
		return object.GetTree(st, e.Hash)
	case filemode.Symlink:
		return nil, fmt.Errorf("%s is a symlink", p)
	}
	return nil, fmt.Errorf("%s is not a directory", p)
}

// readFileAt reads a regular file of at most limit bytes.
func readFileAt(st *filesystem.Storage, root *object.Tree, p string, limit int64) ([]byte, error) {
	e, _, err := entryAt(st, root, p)
	if err != nil {
		return nil, err
	}
	if e.Mode == filemode.Symlink {
		return nil, fmt.Errorf("%s is a symlink", p)
	}
	if !e.Mode.IsFile() {
		return nil, fmt.Errorf("%s is not a file", p)
	}
	return readBlob(st, e.Hash, limit)
}

func readBlob(st *filesystem.Storage, h plumbing.Hash, limit int64) ([]byte, error) {
	b, err := object.GetBlob(st, h)
	if err != nil {
		return nil, err
	}
	if limit > 0 && b.Size > limit {
		return nil, fmt.Errorf("blob %s is %d bytes, more than %d", h, b.Size, limit)
	}
	r, err := b.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// unsafeName reports names that must never reach a disk: "." and "..",
// any spelling of ".git" (case-insensitive file systems, trailing dots and
// spaces on Windows) and separators or NUL, which git's own tree format
// forbids but a crafted object can still carry.
func unsafeName(name string) bool {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\\\x00") {
		return true
	}
	return strings.EqualFold(strings.TrimRight(name, ". "), ".git")
}

// listFiles walks a plugin directory and returns its regular files sorted by
// path. Symlinks, submodules and unsafe names refuse the whole plugin.
func listFiles(st *filesystem.Storage, dir *object.Tree) ([]pluginFile, error) {
	var out []pluginFile
	var walk func(t *object.Tree, prefix string) error
	walk = func(t *object.Tree, prefix string) error {
		for _, e := range t.Entries {
			p := prefix + e.Name
			if unsafeName(e.Name) {
				return fmt.Errorf("path traversal: unsafe path %q", p)
			}
			switch e.Mode {
			case filemode.Dir:
				sub, err := object.GetTree(st, e.Hash)
				if err != nil {
					return fmt.Errorf("%s: %w", p, err)
				}
				if err := walk(sub, p+"/"); err != nil {
					return err
				}
			case filemode.Regular, filemode.Deprecated:
				out = append(out, pluginFile{Path: p, Blob: e.Hash})
			case filemode.Executable:
				out = append(out, pluginFile{Path: p, Exec: true, Blob: e.Hash})
			case filemode.Symlink:
				return fmt.Errorf("contains a symlink: %s", p)
			case filemode.Submodule:
				return fmt.Errorf("contains a git submodule: %s", p)
			default:
				return fmt.Errorf("%s has unsupported mode %s", p, e.Mode)
			}
			if len(out) > maxPluginFiles {
				return fmt.Errorf("has more than %d files", maxPluginFiles)
			}
		}
		return nil
	}
	if err := walk(dir, ""); err != nil {
		return nil, err
	}
	// Git orders a directory "a" as "a/", after a file "a.txt"; sort by the
	// plain path so every consumer sees one order.
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}
