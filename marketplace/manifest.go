package marketplace

import (
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"
)

// Paths of the manifests inside a marketplace repository and a plugin.
const (
	marketplaceManifestPath = ".claude-plugin/marketplace.json"
	pluginManifestPath      = ".claude-plugin/plugin.json"
)

// maxManifestBytes bounds the JSON files read during a sync.
const maxManifestBytes = 1 << 20

// upstreamManifest is the part of an upstream marketplace.json Agnes reads.
// Plugin entries are kept raw: the served marketplace.json copies their
// fields (commands, hooks, strict, …) so that entries which define a plugin
// without a plugin.json keep working.
type upstreamManifest struct {
	Name     string `json:"name"`
	Metadata struct {
		PluginRoot string `json:"pluginRoot"`
	} `json:"metadata"`
	Plugins []json.RawMessage `json:"plugins"`
}

// pluginFields are the fields of a plugin entry or a plugin.json that Agnes
// itself uses.
type pluginFields struct {
	Name        string          `json:"name"`
	Version     string          `json:"version"`
	Description string          `json:"description"`
	Author      json.RawMessage `json:"author"`
	Source      json.RawMessage `json:"source"`
}

func parseMarketplaceManifest(data []byte) (*upstreamManifest, error) {
	var m upstreamManifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s is not valid JSON: %v", marketplaceManifestPath, err)
	}
	if m.Plugins == nil {
		return nil, fmt.Errorf("%s has no \"plugins\" array", marketplaceManifestPath)
	}
	return &m, nil
}

// parseObject decodes a JSON object, keeping every field raw.
func parseObject(data []byte, what string) (map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil || obj == nil {
		if err == nil {
			err = fmt.Errorf("not an object")
		}
		return nil, fmt.Errorf("%s is not a valid JSON object: %v", what, err)
	}
	return obj, nil
}

func decodeFields(obj map[string]json.RawMessage) pluginFields {
	var f pluginFields
	str := func(key string, dst *string) {
		if raw, ok := obj[key]; ok {
			json.Unmarshal(raw, dst) // a non-string value reads as ""
		}
	}
	str("name", &f.Name)
	str("version", &f.Version)
	str("description", &f.Description)
	f.Author = obj["author"]
	f.Source = obj["source"]
	return f
}

// authorName reads an author given as {"name": …} or as a plain string.
func authorName(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var obj struct {
		Name string `json:"name"`
	}
	json.Unmarshal(raw, &obj)
	return obj.Name
}

// sourceDir resolves a plugin entry's "source" to a directory of the
// repository ("." for the root). Only sources inside the marketplace
// repository are served: a plugin fetched from elsewhere would bypass the
// checks a sync makes.
func sourceDir(raw json.RawMessage, pluginRoot string) (string, error) {
	if len(raw) == 0 {
		return "", fmt.Errorf("the entry has no \"source\"")
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		var obj struct {
			Source string `json:"source"`
		}
		json.Unmarshal(raw, &obj)
		return "", fmt.Errorf("source type %q is not supported: only plugins stored in the marketplace repository are served", obj.Source)
	}
	if pluginRoot != "" && !strings.HasPrefix(s, "./") && !strings.HasPrefix(s, "../") && !strings.HasPrefix(s, "/") && s != "." {
		s = path.Join(pluginRoot, s)
	}
	if outside(s) {
		return "", fmt.Errorf("path traversal: source %q leaves the repository", s)
	}
	return path.Clean(s), nil
}

// outside reports whether a relative path leaves its base directory: it is
// absolute, uses backslashes, or climbs above the base with "..".
func outside(p string) bool {
	if p == "" {
		return false
	}
	if strings.ContainsAny(p, "\\\x00") || path.IsAbs(p) || (len(p) > 1 && p[1] == ':') {
		return true
	}
	c := path.Clean(p)
	return c == ".." || strings.HasPrefix(c, "../")
}

// componentKeys are the plugin.json (and marketplace entry) fields whose
// values are paths relative to the plugin directory.
var componentKeys = []string{"commands", "agents", "skills", "hooks", "mcpServers", "outputStyles", "lspServers"}

const pluginRootVar = "${CLAUDE_PLUGIN_ROOT}"

// checkPaths refuses a manifest whose component paths, or whose
// ${CLAUDE_PLUGIN_ROOT}-based paths anywhere (hook commands, MCP server
// arguments), point outside the plugin directory.
func checkPaths(obj map[string]json.RawMessage, what string) error {
	for _, key := range componentKeys {
		raw, ok := obj[key]
		if !ok {
			continue
		}
		var one string
		var many []string
		switch {
		case json.Unmarshal(raw, &one) == nil:
			many = []string{one}
		case json.Unmarshal(raw, &many) == nil:
		}
		for _, p := range many {
			if outside(strings.TrimPrefix(strings.TrimPrefix(p, pluginRootVar), "/")) || (path.IsAbs(p) && !strings.HasPrefix(p, pluginRootVar)) {
				return fmt.Errorf("path traversal: %s %q %q points outside the plugin directory", what, key, p)
			}
		}
	}
	var bad string
	walkStrings(obj, func(s string) {
		for rest := s; bad == ""; {
			i := strings.Index(rest, pluginRootVar)
			if i < 0 {
				return
			}
			rest = rest[i+len(pluginRootVar):]
			end := strings.IndexAny(rest, " \t\n\"';&|<>")
			tok := rest
			if end >= 0 {
				tok = rest[:end]
			}
			if outside(strings.TrimPrefix(tok, "/")) {
				bad = pluginRootVar + tok
			}
		}
	})
	if bad != "" {
		return fmt.Errorf("path traversal: %s refers to %q, outside the plugin directory", what, bad)
	}
	return nil
}

// walkStrings calls fn with every string value inside a decoded JSON object.
func walkStrings(obj map[string]json.RawMessage, fn func(string)) {
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case string:
			fn(t)
		case []any:
			for _, e := range t {
				walk(e)
			}
		case map[string]any:
			keys := make([]string, 0, len(t))
			for k := range t {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(t[k])
			}
		}
	}
	for _, raw := range obj {
		var v any
		if json.Unmarshal(raw, &v) == nil {
			walk(v)
		}
	}
}
