package marketplace

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// pluginSnapshot is a served plugin as of its marketplace's last good sync.
// It is immutable once built.
type pluginSnapshot struct {
	ID           string // "<slug>/<name>", the grant resource id
	Slug         string
	Name         string // name in the upstream marketplace.json
	PrefixedName string // "<slug>-<name>", its directory in a view
	// DisplayName is the plugin.json name (the upstream entry's name when the
	// plugin has no plugin.json); the served marketplace.json lists it.
	DisplayName string
	Version     string
	Description string
	// Entry is the plugin's entry for the served marketplace.json, without
	// "name" (which depends on the view) and with "source" pointing into
	// plugins/.
	Entry map[string]json.RawMessage
	Files []pluginFile
}

// marketplaceSnapshot is what one marketplace serves.
type marketplaceSnapshot struct {
	Slug    string
	Commit  plumbing.Hash
	Plugins map[string]*pluginSnapshot // by upstream name
}

// pluginCatalog is every served plugin of every marketplace. A new value
// replaces the old one after each sync; gen tells views built from
// different catalogs apart.
type pluginCatalog struct {
	gen     uint64
	markets map[string]*marketplaceSnapshot
}

// with returns a copy of c where slug serves m (nil removes it).
func (c *pluginCatalog) with(slug string, m *marketplaceSnapshot, gen uint64) *pluginCatalog {
	n := &pluginCatalog{gen: gen, markets: make(map[string]*marketplaceSnapshot, len(c.markets)+1)}
	for k, v := range c.markets {
		n.markets[k] = v
	}
	if m == nil {
		delete(n.markets, slug)
	} else {
		n.markets[slug] = m
	}
	return n
}

// inspection is what reading one commit of a marketplace found.
type inspection struct {
	snapshot *marketplaceSnapshot
	plugins  []*Plugin // served and refused, for marketplace_plugins
	warnings []string  // entries that could not even be recorded as a plugin
}

// refusedSummary is the last_error of a sync that worked but refused
// plugins or skipped entries ("" when everything is served).
func (in *inspection) refusedSummary() string {
	var parts []string
	for _, p := range in.plugins {
		if p.Refused != "" {
			parts = append(parts, "plugin "+p.Name+" refused: "+p.Refused)
		}
	}
	parts = append(parts, in.warnings...)
	return strings.Join(parts, "; ")
}

// inspect reads .claude-plugin/marketplace.json at commit and checks every
// plugin it lists. An unreadable marketplace.json fails the whole
// marketplace; a bad plugin is refused on its own and reported.
func inspect(st *filesystem.Storage, slug string, commit plumbing.Hash) (*inspection, error) {
	root, err := commitTree(st, commit)
	if err != nil {
		return nil, err
	}
	data, err := readFileAt(st, root, marketplaceManifestPath, maxManifestBytes)
	if errors.Is(err, errMissing) {
		return nil, fmt.Errorf("commit %s has no %s: not a Claude Code plugin marketplace", commit.String()[:12], marketplaceManifestPath)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", marketplaceManifestPath, err)
	}
	manifest, err := parseMarketplaceManifest(data)
	if err != nil {
		return nil, err
	}
	in := &inspection{snapshot: &marketplaceSnapshot{Slug: slug, Commit: commit, Plugins: map[string]*pluginSnapshot{}}}
	seen := map[string]bool{}
	for i, raw := range manifest.Plugins {
		entry, err := parseObject(raw, fmt.Sprintf("plugin entry %d of %s", i+1, marketplaceManifestPath))
		if err != nil {
			in.warnings = append(in.warnings, err.Error())
			continue
		}
		f := decodeFields(entry)
		if !pluginNameRe.MatchString(f.Name) {
			in.warnings = append(in.warnings, fmt.Sprintf("plugin entry %d skipped: name %q must be letters, digits, '.', '-' or '_'", i+1, f.Name))
			continue
		}
		if seen[f.Name] {
			in.warnings = append(in.warnings, fmt.Sprintf("plugin entry %d skipped: a plugin named %q is listed earlier", i+1, f.Name))
			continue
		}
		seen[f.Name] = true
		p := &Plugin{ID: slug + "/" + f.Name, Marketplace: slug, Name: f.Name, PrefixedName: slug + "-" + f.Name,
			Version: f.Version, Description: f.Description, Author: authorName(f.Author)}
		snap, err := inspectPlugin(st, root, manifest, entry, p)
		if err != nil {
			p.Refused = err.Error()
		} else {
			in.snapshot.Plugins[p.Name] = snap
		}
		in.plugins = append(in.plugins, p)
	}
	sort.Slice(in.plugins, func(i, j int) bool { return in.plugins[i].Name < in.plugins[j].Name })
	return in, nil
}

// inspectPlugin checks one plugin entry and builds its snapshot, filling in
// p (the row stored for it) as it learns more.
func inspectPlugin(st *filesystem.Storage, root *object.Tree, manifest *upstreamManifest, entry map[string]json.RawMessage, p *Plugin) (*pluginSnapshot, error) {
	dir, err := sourceDir(entry["source"], manifest.Metadata.PluginRoot)
	if err != nil {
		return nil, err
	}
	p.SourcePath = dir
	if err := checkPaths(entry, "the marketplace entry's"); err != nil {
		return nil, err
	}
	tree, err := dirAt(st, root, dir)
	if errors.Is(err, errMissing) {
		return nil, fmt.Errorf("plugin directory %s does not exist", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("plugin directory: %v", err)
	}

	raw := map[string]any{"entry": entry}
	displayName := p.Name
	var pluginAuthor json.RawMessage
	data, err := readFileAt(st, tree, pluginManifestPath, maxManifestBytes)
	switch {
	case errors.Is(err, errMissing):
		// A plugin without plugin.json is defined by its marketplace entry.
	case err != nil:
		return nil, fmt.Errorf("%s: %v", pluginManifestPath, err)
	default:
		obj, err := parseObject(data, pluginManifestPath)
		if err != nil {
			return nil, err
		}
		if err := checkPaths(obj, pluginManifestPath+"'s"); err != nil {
			return nil, err
		}
		pf := decodeFields(obj)
		if pf.Name != "" {
			displayName = pf.Name
		}
		if pf.Version != "" {
			p.Version = pf.Version
		}
		if pf.Description != "" {
			p.Description = pf.Description
		}
		if a := authorName(pf.Author); a != "" {
			p.Author = a
			pluginAuthor = pf.Author
		}
		raw["plugin"] = obj
	}

	files, err := listFiles(st, tree)
	if err != nil {
		return nil, err
	}
	if p.Raw, err = json.Marshal(raw); err != nil {
		return nil, err
	}

	served := make(map[string]json.RawMessage, len(entry)+2)
	for k, v := range entry {
		served[k] = v
	}
	delete(served, "name")
	served["source"] = mustJSON("./plugins/" + p.PrefixedName)
	if p.Version != "" {
		served["version"] = mustJSON(p.Version)
	}
	if p.Description != "" {
		served["description"] = mustJSON(p.Description)
	}
	if pluginAuthor != nil {
		served["author"] = pluginAuthor
	}
	return &pluginSnapshot{ID: p.ID, Slug: p.Marketplace, Name: p.Name, PrefixedName: p.PrefixedName, DisplayName: displayName,
		Version: p.Version, Description: p.Description, Entry: served, Files: files}, nil
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
