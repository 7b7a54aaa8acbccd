package marketplace

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// How long unused things stay on disk. A git entry no user's head points to
// is kept a while because a clone may be between its two requests (refs,
// then pack); a ZIP is kept a day after its last download, since another
// user with the same view is likely to ask for it.
const (
	unusedEntryAge = time.Hour
	unusedZIPAge   = 24 * time.Hour
	staleTempAge   = time.Hour
)

var entryNameRe = regexp.MustCompile(`^[0-9a-f]{64}$`)

// PruneResult counts what Prune removed.
type PruneResult struct {
	GitEntries int `json:"git_entries"`
	ZIPs       int `json:"zips"`
	Temps      int `json:"temps"`
}

// Prune removes git cache entries no user's lineage head points to, ZIPs
// not downloaded for a day and temporary files of interrupted builds.
func (s *Service) Prune() {
	res := s.prune(time.Now())
	if res.GitEntries+res.ZIPs+res.Temps > 0 {
		s.log.Info("marketplace: pruned caches", "git_entries", res.GitEntries, "zips", res.ZIPs, "temps", res.Temps)
	}
}

func (s *Service) prune(now time.Time) PruneResult {
	var res PruneResult
	older := func(fi os.FileInfo, age time.Duration) bool { return now.Sub(fi.ModTime()) > age }

	// Entries referenced by a head are in use whatever their age.
	inUse := map[string]bool{}
	heads, _ := os.ReadDir(filepath.Join(s.git.root, "heads"))
	for _, h := range heads {
		b, err := os.ReadFile(filepath.Join(s.git.root, "heads", h.Name()))
		if err != nil {
			continue
		}
		var head lineageHead
		if json.Unmarshal(b, &head) == nil {
			inUse[head.Entry] = true
		}
	}
	// Hold lineage updates off while entries are removed: one that just
	// chose an old entry to reuse or to take packs from must not see it go.
	s.git.pruning.Lock()
	defer s.git.pruning.Unlock()
	entries, _ := os.ReadDir(s.git.root)
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			continue
		}
		name := e.Name()
		switch {
		case entryNameRe.MatchString(name) && !inUse[name] && older(fi, unusedEntryAge):
			if os.RemoveAll(filepath.Join(s.git.root, name)) == nil {
				res.GitEntries++
			}
		case strings.HasPrefix(name, ".tmp-") && older(fi, staleTempAge):
			if os.RemoveAll(filepath.Join(s.git.root, name)) == nil {
				res.Temps++
			}
		}
	}
	zips, _ := os.ReadDir(s.zips.dir)
	for _, e := range zips {
		fi, err := e.Info()
		if err != nil {
			continue
		}
		name := e.Name()
		if (strings.HasSuffix(name, ".zip") && older(fi, unusedZIPAge)) || (strings.HasPrefix(name, ".tmp-") && older(fi, staleTempAge)) {
			if os.Remove(filepath.Join(s.zips.dir, name)) == nil {
				res.ZIPs++
			}
		}
	}
	// Interrupted first clones and replaced clones.
	clones, _ := os.ReadDir(s.root)
	for _, e := range clones {
		fi, err := e.Info()
		if err != nil {
			continue
		}
		if (strings.Contains(e.Name(), ".tmp-") || strings.Contains(e.Name(), ".old-")) && older(fi, staleTempAge) {
			if os.RemoveAll(filepath.Join(s.root, e.Name())) == nil {
				res.Temps++
			}
		}
	}
	return res
}
