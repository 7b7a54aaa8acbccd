package marketplace

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// upstreamToken reads the token of a private upstream from the environment
// variable the registry names. The value is only ever held in memory.
func upstreamToken(m *Marketplace) (string, error) {
	if m.TokenEnv == "" {
		return "", nil
	}
	tok := strings.TrimSpace(os.Getenv(m.TokenEnv))
	if tok == "" {
		return "", fmt.Errorf("environment variable %s (token_env) is not set on the server", m.TokenEnv)
	}
	return tok, nil
}

// fetchUpstream brings the bare clone in dir up to date with m's URL and
// hard-resets its HEAD to the commit to serve: the branch tip, the pinned
// tag or SHA, or the remote's default branch. The first fetch happens in a
// temporary directory that install moves into place, so dir is either
// absent or a complete clone.
func fetchUpstream(ctx context.Context, dir string, m *Marketplace, token string, install func(fresh string) error) (plumbing.Hash, error) {
	var auth transport.AuthMethod
	if token != "" {
		// GitHub, GitLab and Bitbucket accept a token as the password of
		// HTTP Basic auth with any user name.
		auth = &githttp.BasicAuth{Username: "x-access-token", Password: token}
	}
	repo, fresh, err := openClone(dir, m.URL)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	target := dir
	if fresh != "" {
		target = fresh
		defer os.RemoveAll(fresh) // a no-op once renamed
	}
	remote, err := repo.Remote("origin")
	if err != nil {
		return plumbing.ZeroHash, err
	}

	// Default branch: ask the remote where its HEAD points.
	branch := m.Branch
	if branch == "" && m.Ref == "" {
		refs, err := remote.ListContext(ctx, &git.ListOptions{Auth: auth})
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("fetch %s: %w", m.URL, err)
		}
		branch, err = remoteDefaultBranch(refs)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("%s: %w", m.URL, err)
		}
	}
	specs := []gitconfig.RefSpec{"+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"}
	if m.Branch != "" {
		specs = []gitconfig.RefSpec{gitconfig.RefSpec("+refs/heads/" + m.Branch + ":refs/remotes/origin/" + m.Branch)}
	}
	err = remote.FetchContext(ctx, &git.FetchOptions{Auth: auth, RefSpecs: specs, Tags: git.NoTags, Force: true, Prune: true})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		if errors.Is(err, transport.ErrEmptyRemoteRepository) {
			return plumbing.ZeroHash, fmt.Errorf("fetch %s: the repository is empty", m.URL)
		}
		if m.Branch != "" && strings.Contains(err.Error(), "couldn't find remote ref") {
			return plumbing.ZeroHash, fmt.Errorf("fetch %s: branch %q does not exist", m.URL, m.Branch)
		}
		return plumbing.ZeroHash, fmt.Errorf("fetch %s: %w", m.URL, err)
	}

	commit, err := resolveTarget(repo, branch, m.Ref)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("%s: %w", m.URL, err)
	}
	// The hard reset of a bare clone: HEAD is the commit every reader uses.
	if err := repo.Storer.SetReference(plumbing.NewHashReference(plumbing.HEAD, commit)); err != nil {
		return plumbing.ZeroHash, err
	}
	if target != dir {
		if err := install(target); err != nil {
			return plumbing.ZeroHash, fmt.Errorf("install clone: %w", err)
		}
	}
	return commit, nil
}

// openClone opens the bare clone in dir, or starts a new one in a temporary
// sibling directory (returned as fresh) when there is none, it is unreadable,
// or it was cloned from another URL. A stale clone stays where it is until
// the new one replaces it: downloads may still be reading it.
func openClone(dir, url string) (repo *git.Repository, fresh string, err error) {
	if _, statErr := os.Stat(dir); statErr == nil {
		repo, err = git.PlainOpen(dir)
		if err == nil {
			if r, rerr := repo.Remote("origin"); rerr == nil && len(r.Config().URLs) == 1 && r.Config().URLs[0] == url {
				return repo, "", nil
			}
		}
	}
	fresh = dir + ".tmp-" + randomSuffix()
	repo, err = git.PlainInit(fresh, true)
	if err != nil {
		return nil, "", fmt.Errorf("init clone: %w", err)
	}
	if _, err := repo.CreateRemote(&gitconfig.RemoteConfig{Name: "origin", URLs: []string{url}}); err != nil {
		os.RemoveAll(fresh)
		return nil, "", err
	}
	return repo, fresh, nil
}

// remoteDefaultBranch finds the branch the remote's HEAD points to.
func remoteDefaultBranch(refs []*plumbing.Reference) (string, error) {
	byName := map[plumbing.ReferenceName]*plumbing.Reference{}
	for _, r := range refs {
		byName[r.Name()] = r
	}
	head := byName[plumbing.HEAD]
	if head == nil {
		return "", errors.New("the remote has no HEAD; register it with --branch")
	}
	if head.Type() == plumbing.SymbolicReference && head.Target().IsBranch() {
		return head.Target().Short(), nil
	}
	// No symref capability: pick the branch HEAD's commit is on.
	for _, r := range refs {
		if r.Name().IsBranch() && r.Hash() == head.Hash() {
			return r.Name().Short(), nil
		}
	}
	return "", errors.New("cannot tell which branch the remote's HEAD is; register it with --branch")
}

// resolveTarget finds the commit to serve after a fetch.
func resolveTarget(repo *git.Repository, branch, ref string) (plumbing.Hash, error) {
	if ref != "" && shaRe.MatchString(ref) {
		h := plumbing.NewHash(ref)
		if _, err := repo.CommitObject(h); err != nil {
			return plumbing.ZeroHash, fmt.Errorf("commit %s is not on any branch or tag", ref)
		}
		return h, nil
	}
	if ref != "" {
		if r, err := repo.Reference(plumbing.NewTagReferenceName(ref), true); err == nil {
			if tag, err := repo.TagObject(r.Hash()); err == nil {
				c, err := tag.Commit()
				if err != nil {
					return plumbing.ZeroHash, fmt.Errorf("tag %s does not point to a commit", ref)
				}
				return c.Hash, nil
			}
			if _, err := repo.CommitObject(r.Hash()); err != nil {
				return plumbing.ZeroHash, fmt.Errorf("tag %s does not point to a commit", ref)
			}
			return r.Hash(), nil
		}
		branch = ref // a branch name given as --ref
	}
	r, err := repo.Reference(plumbing.NewRemoteReferenceName("origin", branch), true)
	if err != nil {
		if ref != "" {
			return plumbing.ZeroHash, fmt.Errorf("no tag or branch named %q", ref)
		}
		return plumbing.ZeroHash, fmt.Errorf("branch %q does not exist", branch)
	}
	if _, err := object.GetCommit(repo.Storer, r.Hash()); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("branch %q: %w", branch, err)
	}
	return r.Hash(), nil
}

func randomSuffix() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}
