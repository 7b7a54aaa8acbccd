package marketplace

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/memory"
)

// The fixed parts of every served commit: with them, a commit depends only
// on its tree and its parent.
var (
	commitSignature = object.Signature{Name: "Agnes", Email: "agnes@localhost", When: time.Unix(946684800, 0).UTC()} // 2000-01-01
	commitMessage   = "Claude Code plugins granted to you through Agnes\n"
	servedBranch    = plumbing.NewBranchReferenceName("main")
)

// maxPacks is how many pack files a cache entry may have before it is
// repacked: each entry links its parent's packs and adds one.
const maxPacks = 16

// gitTree is the tree objects of a view. Blobs are not included: they are
// read from the clones when a repository is built.
type gitTree struct {
	Root  plumbing.Hash
	Trees []plumbing.EncodedObject
}

// buildGitTree computes the trees of a view's files (sorted by path) from
// their blob ids alone, without reading any content.
func buildGitTree(files []viewFile) (*gitTree, error) {
	type dir struct {
		entries []object.TreeEntry
		subdirs map[string]*dir
		order   []string
	}
	newDir := func() *dir { return &dir{subdirs: map[string]*dir{}} }
	root := newDir()
	for _, f := range files {
		parts := strings.Split(f.Path, "/")
		d := root
		for _, name := range parts[:len(parts)-1] {
			sub := d.subdirs[name]
			if sub == nil {
				sub = newDir()
				d.subdirs[name] = sub
				d.order = append(d.order, name)
			}
			d = sub
		}
		mode := filemode.Regular
		if f.Exec {
			mode = filemode.Executable
		}
		d.entries = append(d.entries, object.TreeEntry{Name: parts[len(parts)-1], Mode: mode, Hash: f.Blob})
	}
	t := &gitTree{}
	var encode func(d *dir) (plumbing.Hash, error)
	encode = func(d *dir) (plumbing.Hash, error) {
		entries := append([]object.TreeEntry(nil), d.entries...)
		for _, name := range d.order {
			h, err := encode(d.subdirs[name])
			if err != nil {
				return plumbing.ZeroHash, err
			}
			entries = append(entries, object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: h})
		}
		sort.Sort(object.TreeEntrySorter(entries))
		obj := &plumbing.MemoryObject{}
		if err := (&object.Tree{Entries: entries}).Encode(obj); err != nil {
			return plumbing.ZeroHash, err
		}
		t.Trees = append(t.Trees, obj)
		return obj.Hash(), nil
	}
	h, err := encode(root)
	if err != nil {
		return nil, fmt.Errorf("build git tree: %w", err)
	}
	t.Root = h
	return t, nil
}

// servedCommit is the commit of a tree on top of parent (zero for none).
func servedCommit(tree, parent plumbing.Hash) (plumbing.EncodedObject, error) {
	c := &object.Commit{Author: commitSignature, Committer: commitSignature, Message: commitMessage, TreeHash: tree}
	if !parent.IsZero() {
		c.ParentHashes = []plumbing.Hash{parent}
	}
	obj := &plumbing.MemoryObject{}
	if err := c.Encode(obj); err != nil {
		return nil, err
	}
	return obj, nil
}

// lineageHead is the last commit a user was served and its cache entry.
type lineageHead struct {
	Commit    string    `json:"commit"`
	Entry     string    `json:"entry"`
	Digest    string    `json:"digest"`
	UpdatedAt time.Time `json:"updated_at"`
}

// gitCache holds the bare repositories served over git smart HTTP, one
// directory per commit under root (named by the SHA-256 of the commit id),
// and under root/heads one small file per user naming their current entry.
type gitCache struct {
	root   string
	gitBin string
	log    *slog.Logger
	flight flightGroup
	users  keyedMutex
	// pruning is held for writing while unused entries are removed and for
	// reading while a lineage head is read, built on and moved.
	pruning sync.RWMutex
}

func (g *gitCache) headPath(userID string) string {
	sum := sha256.Sum256([]byte(userID))
	return filepath.Join(g.root, "heads", hex.EncodeToString(sum[:])+".json")
}

func (g *gitCache) readHead(userID string) *lineageHead {
	b, err := os.ReadFile(g.headPath(userID))
	if err != nil {
		return nil
	}
	var h lineageHead
	if json.Unmarshal(b, &h) != nil || h.Entry == "" {
		return nil
	}
	return &h
}

func entryKey(commit plumbing.Hash) string {
	sum := sha256.Sum256([]byte("agnes-git v1\n" + commit.String()))
	return hex.EncodeToString(sum[:])
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// repoFor returns the cache entry serving view v to a user, building it
// when needed, and moves the user's lineage head to it. The new commit's
// parent is the commit the user was served before, so their clones can
// fast-forward to it.
func (g *gitCache) repoFor(ctx context.Context, userID string, v *view, open func() *objectSources) (string, error) {
	g.pruning.RLock()
	defer g.pruning.RUnlock()
	unlock := g.users.lock(userID)
	defer unlock()
	head := g.readHead(userID)
	if head != nil && head.Digest == v.Digest && isDir(filepath.Join(g.root, head.Entry)) {
		return filepath.Join(g.root, head.Entry), nil
	}
	tree, err := v.gitTreeOf()
	if err != nil {
		return "", err
	}
	parent, parentDir := plumbing.ZeroHash, ""
	if head != nil {
		if d := filepath.Join(g.root, head.Entry); isDir(d) {
			parent, parentDir = plumbing.NewHash(head.Commit), d
		} else {
			g.log.Warn("marketplace git cache: a user's last entry is gone; their clones will need a fresh clone", "entry", head.Entry)
		}
	}
	commit, err := servedCommit(tree.Root, parent)
	if err != nil {
		return "", err
	}
	key := entryKey(commit.Hash())
	dir := filepath.Join(g.root, key)
	if !isDir(dir) {
		err := g.flight.do(key, func() error {
			if isDir(dir) {
				return nil
			}
			return g.build(ctx, dir, parentDir, tree, commit, v, open)
		})
		if err != nil {
			return "", fmt.Errorf("build marketplace repository: %w", err)
		}
	}
	now := time.Now()
	os.Chtimes(dir, now, now)
	b, _ := json.Marshal(lineageHead{Commit: commit.Hash().String(), Entry: key, Digest: v.Digest, UpdatedAt: now.UTC()})
	if err := writeFileAtomic(g.headPath(userID), b, 0o600); err != nil {
		return "", err
	}
	return dir, nil
}

// build writes a bare repository holding commit (and, through the parent
// entry's packs, its whole history) in a temporary directory and renames it
// to dir.
func (g *gitCache) build(ctx context.Context, dir, parentDir string, tree *gitTree, commit plumbing.EncodedObject, v *view, open func() *objectSources) error {
	if err := os.MkdirAll(g.root, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(g.root, ".tmp-"+filepath.Base(dir)[:16]+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // a no-op after the rename
	if _, err := git.PlainInitWithOptions(tmp, &git.PlainInitOptions{Bare: true, InitOptions: git.InitOptions{DefaultBranch: servedBranch}}); err != nil {
		return err
	}
	if parentDir != "" {
		if err := linkPacks(parentDir, tmp); err != nil {
			return fmt.Errorf("reuse parent packs: %w", err)
		}
	}
	st := filesystem.NewStorage(osfs.New(tmp), cache.NewObjectLRUDefault())
	defer st.Close()

	// Only objects the parent's history lacks go into the new pack.
	src := open()
	defer src.Close()
	mem := memory.NewStorage()
	var hashes []plumbing.Hash
	add := func(obj plumbing.EncodedObject) error {
		if parentDir != "" && st.HasEncodedObject(obj.Hash()) == nil {
			return nil
		}
		if _, err := mem.SetEncodedObject(obj); err != nil {
			return err
		}
		hashes = append(hashes, obj.Hash())
		return nil
	}
	seen := map[plumbing.Hash]bool{}
	for _, f := range v.Files {
		if seen[f.Blob] {
			continue
		}
		seen[f.Blob] = true
		if parentDir != "" && st.HasEncodedObject(f.Blob) == nil {
			continue
		}
		obj, err := src.object(f)
		if err != nil {
			return err
		}
		if err := add(obj); err != nil {
			return err
		}
	}
	for _, t := range tree.Trees {
		if err := add(t); err != nil {
			return err
		}
	}
	if err := add(commit); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	pw, err := st.PackfileWriter()
	if err != nil {
		return err
	}
	if _, err := packfile.NewEncoder(pw, mem, false).Encode(hashes, 0); err != nil {
		pw.Close()
		return fmt.Errorf("write pack: %w", err)
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("write pack: %w", err)
	}
	if err := st.SetReference(plumbing.NewHashReference(servedBranch, commit.Hash())); err != nil {
		return err
	}
	cfg, err := st.Config()
	if err != nil {
		return err
	}
	cfg.Raw.Section("http").SetOption("receivepack", "false")
	cfg.Raw.Section("uploadpack").SetOption("allowFilter", "true")
	if err := st.SetConfig(cfg); err != nil {
		return err
	}
	if n, _ := countPacks(tmp); n > maxPacks {
		if err := g.repack(ctx, tmp); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if isDir(dir) {
			return nil // built concurrently by another process
		}
		return err
	}
	return nil
}

// linkPacks hard-links the pack files of one repository into another (pack
// files are immutable), copying when the file system cannot link.
func linkPacks(from, to string) error {
	src := filepath.Join(from, "objects", "pack")
	dst := filepath.Join(to, "objects", "pack")
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, "pack-") || !(strings.HasSuffix(name, ".pack") || strings.HasSuffix(name, ".idx") || strings.HasSuffix(name, ".rev")) {
			continue
		}
		if err := os.Link(filepath.Join(src, name), filepath.Join(dst, name)); err != nil {
			if err := copyFile(filepath.Join(src, name), filepath.Join(dst, name)); err != nil {
				return err
			}
		}
	}
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	return writeAtomic(to, 0o444, func(f *os.File) error {
		_, err := io.Copy(f, in)
		return err
	})
}

func countPacks(repo string) (int, error) {
	entries, err := os.ReadDir(filepath.Join(repo, "objects", "pack"))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".pack") {
			n++
		}
	}
	return n, nil
}

// repack folds an entry's packs into one with the real git.
func (g *gitCache) repack(ctx context.Context, repo string) error {
	if g.gitBin == "" {
		return nil // served by nothing anyway
	}
	cmd := exec.CommandContext(ctx, g.gitBin, "repack", "-a", "-d", "-q")
	cmd.Dir = repo
	cmd.Env = gitEnv(repo)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git repack: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// gitEnv is the environment of git processes run on a cache entry: no user
// or system configuration, no prompts.
func gitEnv(repo string) []string {
	env := []string{"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + os.DevNull, "GIT_TERMINAL_PROMPT=0", "HOME=" + repo}
	if p := os.Getenv("PATH"); p != "" {
		env = append(env, "PATH="+p)
	}
	return env
}

// errNoGit is returned by the git channel when the server has no git binary.
var errNoGit = errors.New("the git channel needs the git binary on the server's PATH")
