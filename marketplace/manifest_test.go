package marketplace

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestSourceDir(t *testing.T) {
	cases := []struct {
		source, root, want, err string
	}{
		{`"./plugins/a"`, "", "plugins/a", ""},
		{`"plugins/a/"`, "", "plugins/a", ""},
		{`"./"`, "", ".", ""},
		{`"a"`, "./plugins", "plugins/a", ""},
		{`"./x/../plugins/a"`, "", "plugins/a", ""},
		{`"../outside"`, "", "", "path traversal"},
		{`"./a/../../b"`, "", "", "path traversal"},
		{`"/etc"`, "", "", "path traversal"},
		{`"..\\win"`, "", "", "path traversal"},
		{`"a"`, "../up", "", "path traversal"},
		{`{"source": "github", "repo": "o/r"}`, "", "", `"github" is not supported`},
		{`{"source": "url", "url": "https://x"}`, "", "", `"url" is not supported`},
		{``, "", "", "no \"source\""},
	}
	for _, c := range cases {
		got, err := sourceDir(json.RawMessage(c.source), c.root)
		if c.err == "" && (err != nil || got != c.want) {
			t.Errorf("source %s root %q: %q %v, want %q", c.source, c.root, got, err, c.want)
		}
		if c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("source %s root %q: %q %v, want an error mentioning %q", c.source, c.root, got, err, c.err)
		}
	}
}

func TestCheckPaths(t *testing.T) {
	cases := []struct {
		manifest string
		ok       bool
	}{
		{`{"name": "a", "commands": "./commands"}`, true},
		{`{"commands": ["./commands", "./more/x.md"], "agents": "./agents/"}`, true},
		{`{"hooks": "./hooks/hooks.json", "mcpServers": "./.mcp.json"}`, true},
		{`{"hooks": {"PostToolUse": [{"hooks": [{"type": "command", "command": "${CLAUDE_PLUGIN_ROOT}/scripts/fmt.sh --all"}]}]}}`, true},
		{`{"mcpServers": {"db": {"command": "${CLAUDE_PLUGIN_ROOT}/bin/server", "args": ["--config", "${CLAUDE_PLUGIN_ROOT}/config.json"]}}}`, true},
		{`{"description": "goes ../ somewhere in prose"}`, true},
		{`{"commands": "../shared"}`, false},
		{`{"commands": ["./ok", "./a/../../up"]}`, false},
		{`{"agents": "/etc/agents"}`, false},
		{`{"skills": "${CLAUDE_PLUGIN_ROOT}/../other"}`, false},
		{`{"hooks": {"SessionStart": [{"hooks": [{"type": "command", "command": "bash ${CLAUDE_PLUGIN_ROOT}/../../steal.sh"}]}]}}`, false},
		{`{"mcpServers": {"db": {"command": "node", "args": ["${CLAUDE_PLUGIN_ROOT}/../x.js"]}}}`, false},
		{`{"outputStyles": "..\\styles"}`, false},
	}
	for _, c := range cases {
		obj, err := parseObject([]byte(c.manifest), "plugin.json")
		if err != nil {
			t.Fatal(err)
		}
		err = checkPaths(obj, "plugin.json")
		if (err == nil) != c.ok {
			t.Errorf("%s: %v, want ok=%v", c.manifest, err, c.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "path traversal") {
			t.Errorf("%s: %v does not say path traversal", c.manifest, err)
		}
	}
}

func TestUnsafeName(t *testing.T) {
	for name, want := range map[string]bool{
		"..": true, ".": true, ".git": true, ".GIT": true, ".Git.": true, ".git ": true, "a/b": true, `a\b`: true, "a\x00": true, "": true,
		"git": false, ".github": false, ".gitignore": false, "..a": false, "a..": false, "run.sh": false,
	} {
		if got := unsafeName(name); got != want {
			t.Errorf("unsafeName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestEtagMatches(t *testing.T) {
	const etag = "0123456789abcdef0123456789abcdef"
	for header, want := range map[string]bool{
		`"` + etag + `"`:             true,
		etag:                         true,
		`W/"` + etag + `"`:           true,
		`"a", "` + etag + `"`:        true,
		`*`:                          true,
		``:                           false,
		`"0123456789abcdef"`:         false,
		`"` + etag + `x"`:            false,
		`"a",  W/"b" , "` + etag[1:]: false,
	} {
		if got := etagMatches(header, etag); got != want {
			t.Errorf("If-None-Match %q: %v, want %v", header, got, want)
		}
	}
}

func TestRedact(t *testing.T) {
	cases := []struct{ in, secret, want string }{
		{"fetch https://user:hunter22@example.com/r.git: 401", "", "fetch https://***@example.com/r.git: 401"},
		{"server said: bad token tok-123456", "tok-123456", "server said: bad token ***"},
		{"Authorization: Bearer abc.def", "", "Authorization: Bearer ***"},
		{"got agnes_pat_0123456789abcdef back", "", "got *** back"},
		{"github says ghp_0123456789abcdefghijABCD no", "", "github says *** no"},
		{"plain error", "abc", "plain error"}, // short secrets are not replaced (they would mangle messages)
	}
	for _, c := range cases {
		if got := redact(c.in, c.secret); got != c.want {
			t.Errorf("redact(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestCraftedTreeRefused commits, with git plumbing, trees a normal
// checkout would never produce: an entry named "..", one named ".GIT" and a
// gitlink. A sync refuses those plugins and serves the good one.
func TestCraftedTreeRefused(t *testing.T) {
	f := newFixture(t)
	u := newUpstream(t)
	mk := func(lines ...string) string { return gitStdin(t, u.dir, strings.Join(lines, "\n")+"\n", "mktree") }
	blob := func(content string) string { return gitStdin(t, u.dir, content, "hash-object", "-w", "--stdin") }
	pluginJSON := func(name string) string {
		return mk("100644 blob " + blob(fmt.Sprintf(`{"name": %q}`, name)) + "\tplugin.json")
	}
	file := mk("100644 blob " + blob("x\n") + "\tx.md")
	plugin := func(name string, extra ...string) string {
		return mk(append([]string{"040000 tree " + pluginJSON(name) + "\t.claude-plugin"}, extra...)...)
	}
	manifest := `{"name": "crafted", "owner": {"name": "x"}, "plugins": [
		{"name": "dots", "source": "./plugins/dots"}, {"name": "dotgit", "source": "./plugins/dotgit"},
		{"name": "gitlink", "source": "./plugins/gitlink"}, {"name": "fine", "source": "./plugins/fine"}]}`
	plugins := mk(
		"040000 tree "+plugin("dots", "040000 tree "+file+"\t..")+"\tdots",
		"040000 tree "+plugin("dotgit", "040000 tree "+file+"\t.GIT")+"\tdotgit",
		"040000 tree "+plugin("gitlink", "160000 commit "+strings.Repeat("ab", 20)+"\tsub")+"\tgitlink",
		"040000 tree "+plugin("fine", "040000 tree "+file+"\tcommands")+"\tfine",
	)
	root := mk("040000 tree "+mk("100644 blob "+blob(manifest)+"\tmarketplace.json")+"\t.claude-plugin", "040000 tree "+plugins+"\tplugins")
	commit := gitStdin(t, u.dir, "", "commit-tree", root, "-m", "crafted")
	gitCmd(t, u.dir, "update-ref", "refs/heads/main", commit)

	f.add("crafted", u.url())
	res := f.sync("crafted")
	if res.Commit != commit || len(res.Plugins) != 1 || res.Plugins[0] != "fine" {
		t.Fatalf("sync: %+v", res)
	}
	want := map[string]string{"dots": `unsafe path "..`, "dotgit": `unsafe path ".GIT`, "gitlink": "submodule"}
	for _, r := range res.Refused {
		if !strings.Contains(r.Reason, want[r.Name]) || want[r.Name] == "" {
			t.Errorf("refused %s: %q, want %q", r.Name, r.Reason, want[r.Name])
		}
	}
	if len(res.Refused) != 3 {
		t.Errorf("refused = %+v", res.Refused)
	}
}

func gitStdin(t *testing.T, dir, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME=" + dir,
		"GIT_AUTHOR_NAME=a", "GIT_AUTHOR_EMAIL=a@example.com", "GIT_COMMITTER_NAME=a", "GIT_COMMITTER_EMAIL=a@example.com"}
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}
