package marketplace

import (
	"bytes"
	"fmt"
	"io"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// cloneLocks guard each clone against removal (and replacement by a fresh
// clone) while a download reads its objects. A fetch only adds objects and
// moves HEAD, so it does not need them.
type cloneLocks struct {
	mu sync.Mutex
	m  map[string]*sync.RWMutex
}

func (l *cloneLocks) get(slug string) *sync.RWMutex {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[string]*sync.RWMutex{}
	}
	if l.m[slug] == nil {
		l.m[slug] = &sync.RWMutex{}
	}
	return l.m[slug]
}

// objectSources are the clones one download reads blobs from, opened with
// their read locks held until Close.
type objectSources struct {
	stores map[string]*filesystem.Storage
	locks  []*sync.RWMutex
}

// openSources read-locks and opens the clones of slugs, which must be sorted
// (every reader locks in the same order, so readers and a remover waiting
// between them cannot deadlock).
func openSources(locks *cloneLocks, cloneDir func(string) string, slugs []string) *objectSources {
	o := &objectSources{stores: map[string]*filesystem.Storage{}}
	for _, slug := range slugs {
		l := locks.get(slug)
		l.RLock()
		o.locks = append(o.locks, l)
		o.stores[slug] = openObjectsCached(cloneDir(slug), 256*cache.KiByte)
	}
	return o
}

// object returns the git object behind a file of a view.
func (o *objectSources) object(f viewFile) (plumbing.EncodedObject, error) {
	if f.Inline != nil {
		obj := &plumbing.MemoryObject{}
		obj.SetType(plumbing.BlobObject)
		obj.Write(f.Inline)
		return obj, nil
	}
	st := o.stores[f.Slug]
	if st == nil {
		return nil, fmt.Errorf("%s: marketplace %s is not open", f.Path, f.Slug)
	}
	obj, err := st.EncodedObject(plumbing.BlobObject, f.Blob)
	if err != nil {
		return nil, fmt.Errorf("%s (blob %s of %s): %w", f.Path, f.Blob, f.Slug, err)
	}
	return obj, nil
}

// open returns the content of a file of a view.
func (o *objectSources) open(f viewFile) (io.ReadCloser, error) {
	if f.Inline != nil {
		return io.NopCloser(bytes.NewReader(f.Inline)), nil
	}
	obj, err := o.object(f)
	if err != nil {
		return nil, err
	}
	return obj.Reader()
}

// Close closes the clones and releases their locks.
func (o *objectSources) Close() {
	for _, st := range o.stores {
		st.Close()
	}
	for i := len(o.locks) - 1; i >= 0; i-- {
		o.locks[i].RUnlock()
	}
	o.locks = nil
}
