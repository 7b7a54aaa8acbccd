// Package marketplace serves Claude Code plugins from upstream git
// repositories to each user, filtered by their grants.
//
// An admin registers upstream repositories that hold a Claude Code plugin
// marketplace (.claude-plugin/marketplace.json plus one directory per
// plugin). Agnes fetches them, checks every plugin, and serves each user one
// aggregated marketplace named "agnes" holding exactly the plugins granted to
// their groups (resource type "plugin", id "<slug>/<plugin name>"). Admin is
// an ordinary group here: admins see what is granted to Admin, nothing more.
//
// # Flow
//
//	registry (registry.go)      marketplace_registry rows: slug, url, branch or
//	                            pinned ref, token_env (a variable name, never
//	                            the secret), last sync outcome
//	   │ Sync / SyncAll (sync.go), daily by cron (schedule.go) and on demand
//	   ▼
//	fetch (fetch.go)            go-git fetch into the bare clone
//	                            <data_dir>/marketplaces/<slug>/, then a hard
//	                            reset of its HEAD to the branch tip, tag or SHA
//	   ▼
//	inspect (manifest.go,       read marketplace.json and each plugin.json from
//	 tree.go)                   the commit's objects; refuse plugins with a
//	                            symlink, a submodule, a path leaving the plugin
//	                            directory, bad JSON or a missing directory
//	   ▼
//	catalog (catalog.go)        marketplace_plugins rows and, in memory, one
//	                            immutable snapshot: per plugin its files as
//	                            (path, exec bit, git blob id)
//	   │ per request
//	   ▼
//	view (view.go)              the caller's granted plugins from the catalog,
//	                            the synthesised marketplace.json, and a digest
//	                            of all of it (the ETag); cached per group set,
//	                            RBAC version and catalog generation
//	   ├──▶ GET /marketplace.zip (zip.go)   deterministic ZIP, cached on disk
//	   │                                    by ETag; If-None-Match → 304
//	   ├──▶ /marketplace.git/… (gitrepo.go, githttp.go)
//	   │                                    bare repository per view, served
//	   │                                    by `git http-backend`
//	   └──▶ GET /marketplace/info (http.go)  JSON summary of the view
//
// # Invariants
//
//   - Upstream trees are never checked out: the clones are bare and every
//     consumer reads objects at the commit the last good sync recorded. A
//     hostile tree (symlinks, "..", ".git") therefore never touches the disk,
//     a fetch in progress never tears a download, and a failed sync leaves the
//     previous content served.
//   - A failed sync is recorded on its marketplace (last_error, secrets
//     redacted) and never stops the others.
//   - The served content is a pure function of the granted plugins' files and
//     metadata: entries sorted, fixed timestamps, mode 0644 or 0755 (only the
//     exec bit is kept), no .git, no symlinks. The ETag is a SHA-256 over
//     (path, mode, git blob id) of every file, computed without zipping, so it
//     is stable across calls, users with the same view, and servers.
//   - Git channel: a view's tree is content-addressed and its commit has a
//     fixed author, committer, time and message. The first commit a user is
//     served is a root commit and so depends on the content only; later ones
//     take the commit that user was last served as their parent, because
//     Claude Code updates a marketplace with `git pull` (a fast-forward): two
//     unrelated root commits could not be pulled. Cache entries live under
//     <data_dir>/marketplaces/git-cache/<sha256 of the commit id>/ (the id
//     covers the tree and the parent), so users with the same view and
//     history share one repository; an entry links its parent's pack files
//     and adds one pack of what is new. A user's history only ever holds
//     content that was served to that user. Entries no user's head points
//     to, and ZIPs not downloaded for a day, are pruned (prune.go).
//   - Files are written atomically (temporary name, then rename): ZIPs, cache
//     repositories, lineage heads, first clones.
//
// # Why git http-backend
//
// The git channel spawns the real `git http-backend` CGI (net/http/cgi) on
// the cached bare repository rather than go-git's server-side upload-pack:
// http-backend is what git itself ships for smart HTTP, speaks protocol v0,
// v1 and v2 (the Git-Protocol header is forwarded), and implements every
// negotiation capability real clients use (multi_ack_detailed, side-band-64k,
// shallow/deepen, filters, thin packs), where go-git's server covers a
// subset and no protocol v2. Only info/refs?service=git-upload-pack and
// git-upload-pack are routed; pushes and the dumb protocol are refused.
//
// # Debugging
//
//   - `agnes admin marketplace list` shows each upstream's last commit and
//     last error; `agnes admin marketplace plugins SLUG` shows refused
//     plugins and why.
//   - GET /marketplace/info with a user's token shows what that user is
//     served and the ETag; the same ETag means the same bytes.
//   - A cache entry is an ordinary bare repository: `git -C
//     <data_dir>/marketplaces/git-cache/<key> log --stat` shows what a user
//     was served; git-cache/heads/ maps each user (by SHA-256 of the user id)
//     to their current entry.
package marketplace
