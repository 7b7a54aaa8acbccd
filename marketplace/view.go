package marketplace

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
)

// MarketplaceName is the name of the marketplace every user is served; in
// Claude Code a plugin is then installed as "<plugin>@agnes".
const MarketplaceName = "agnes"

// digestVersion changes when the layout of served content changes, so that
// old ETags and cache entries stop matching.
const digestVersion = "agnes-marketplace v1"

// viewFile is one file of a view: a plugin file read from its
// marketplace's clone, or the synthesised marketplace.json (Inline).
type viewFile struct {
	Path   string
	Exec   bool
	Blob   plumbing.Hash
	Slug   string // whose clone holds Blob; "" for Inline
	Inline []byte
}

func (f viewFile) mode() int {
	if f.Exec {
		return 0o755
	}
	return 0o644
}

// servedPlugin is a plugin of a view and the name the view lists it under.
type servedPlugin struct {
	*pluginSnapshot
	ListedName string
}

// view is what one set of grants is served: the plugins, the synthesised
// marketplace.json, every file, and the digest of it all. It is immutable;
// the git tree is computed once, on first use.
type view struct {
	Plugins  []servedPlugin // by PrefixedName
	Manifest []byte
	Files    []viewFile // by Path
	Digest   string     // hex SHA-256 of (path, mode, blob id) of every file
	ETag     string     // the first 32 hex digits of Digest

	treeOnce sync.Once
	tree     *gitTree
	treeErr  error
}

// servedManifest is the marketplace.json of a view.
type servedManifest struct {
	Name  string `json:"name"`
	Owner struct {
		Name string `json:"name"`
	} `json:"owner"`
	Metadata struct {
		Description string `json:"description"`
	} `json:"metadata"`
	Plugins []map[string]json.RawMessage `json:"plugins"`
}

// newView builds the view of the granted plugin ids from a catalog.
func newView(c *pluginCatalog, granted map[string]bool) *view {
	v := &view{}
	for _, m := range c.markets {
		for _, p := range m.Plugins {
			if granted[p.ID] {
				v.Plugins = append(v.Plugins, servedPlugin{pluginSnapshot: p, ListedName: p.DisplayName})
			}
		}
	}
	sort.Slice(v.Plugins, func(i, j int) bool { return v.Plugins[i].PrefixedName < v.Plugins[j].PrefixedName })
	// Two granted plugins may carry the same plugin.json name (the same
	// plugin from two upstreams); Claude Code needs unique names, so those
	// are listed under their prefixed names.
	count := map[string]int{}
	for _, p := range v.Plugins {
		count[p.DisplayName]++
	}
	for i := range v.Plugins {
		if count[v.Plugins[i].DisplayName] > 1 {
			v.Plugins[i].ListedName = v.Plugins[i].PrefixedName
		}
	}

	m := servedManifest{Name: MarketplaceName, Plugins: []map[string]json.RawMessage{}}
	m.Owner.Name = "Agnes"
	m.Metadata.Description = "Claude Code plugins granted to you through Agnes"
	for _, p := range v.Plugins {
		entry := make(map[string]json.RawMessage, len(p.Entry)+1)
		for k, val := range p.Entry {
			entry[k] = val
		}
		entry["name"] = mustJSON(p.ListedName)
		m.Plugins = append(m.Plugins, entry)
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		panic(fmt.Sprintf("marshal served marketplace.json: %v", err)) // only strings and valid raw JSON inside
	}
	v.Manifest = append(b, '\n')

	v.Files = append(v.Files, viewFile{Path: marketplaceManifestPath, Blob: plumbing.ComputeHash(plumbing.BlobObject, v.Manifest), Inline: v.Manifest})
	for _, p := range v.Plugins {
		prefix := "plugins/" + p.PrefixedName + "/"
		for _, f := range p.Files {
			v.Files = append(v.Files, viewFile{Path: prefix + f.Path, Exec: f.Exec, Blob: f.Blob, Slug: p.Slug})
		}
	}
	sort.Slice(v.Files, func(i, j int) bool { return v.Files[i].Path < v.Files[j].Path })

	h := sha256.New()
	fmt.Fprintf(h, "%s\n", digestVersion)
	for _, f := range v.Files {
		fmt.Fprintf(h, "%s\x00%o\x00%s\n", f.Path, f.mode(), f.Blob)
	}
	v.Digest = hex.EncodeToString(h.Sum(nil))
	v.ETag = v.Digest[:32]
	return v
}

// slugs are the marketplaces whose clones hold the view's files, sorted.
func (v *view) slugs() []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range v.Plugins {
		if !seen[p.Slug] {
			seen[p.Slug] = true
			out = append(out, p.Slug)
		}
	}
	sort.Strings(out)
	return out
}

// gitTreeOf returns the view's git trees, computing them once.
func (v *view) gitTreeOf() (*gitTree, error) {
	v.treeOnce.Do(func() { v.tree, v.treeErr = buildGitTree(v.Files) })
	return v.tree, v.treeErr
}
