package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInitIsIdempotentAndKeepsOtherSettings runs agnes init twice over a
// workspace whose settings.json and CLAUDE.md already have content.
func TestInitIsIdempotentAndKeepsOtherSettings(t *testing.T) {
	ws := t.TempDir()
	settingsPath := filepath.Join(ws, ".claude", "settings.json")
	claudePath := filepath.Join(ws, "CLAUDE.md")
	if err := os.MkdirAll(filepath.Dir(settingsPath), 0o755); err != nil {
		t.Fatal(err)
	}
	existing := `{
  "model": "opus",
  "permissions": {"allow": ["Bash(ls:*)"], "deny": []},
  "env": {"FOO": "bar"},
  "hooks": {
    "SessionStart": [{"matcher": "startup", "hooks": [{"type": "command", "command": "echo hello"}]}],
    "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "./check.sh"}]}]
  }
}`
	if err := os.WriteFile(settingsPath, []byte(existing), 0o600); err != nil {
		t.Fatal(err)
	}
	userNotes := "# Project notes\n\nKeep answers short.\n"
	if err := os.WriteFile(claudePath, []byte(userNotes), 0o644); err != nil {
		t.Fatal(err)
	}

	r := run(t, "", "init", "--workspace", ws)
	if r.code != 0 || strings.Count(r.stdout, "written") != 2 {
		t.Fatalf("first init: %+v", r)
	}
	firstSettings, _ := os.ReadFile(settingsPath)
	firstClaude, _ := os.ReadFile(claudePath)

	r = run(t, "", "init", "--workspace", ws)
	if r.code != 0 || strings.Count(r.stdout, "up to date") != 2 {
		t.Fatalf("second init: %+v", r)
	}
	secondSettings, _ := os.ReadFile(settingsPath)
	secondClaude, _ := os.ReadFile(claudePath)
	if string(firstSettings) != string(secondSettings) || string(firstClaude) != string(secondClaude) {
		t.Fatal("a second init changed the files")
	}

	var s struct {
		Model       string                       `json:"model"`
		Permissions map[string][]string          `json:"permissions"`
		Env         map[string]string            `json:"env"`
		Hooks       map[string][]json.RawMessage `json:"hooks"`
	}
	if err := json.Unmarshal(secondSettings, &s); err != nil {
		t.Fatal(err)
	}
	if s.Model != "opus" || s.Permissions["allow"][0] != "Bash(ls:*)" || s.Env["FOO"] != "bar" || len(s.Hooks["PreToolUse"]) != 1 {
		t.Fatalf("other settings lost:\n%s", secondSettings)
	}
	start := s.Hooks["SessionStart"]
	if len(start) != 2 || !strings.Contains(string(start[0]), "echo hello") || !strings.Contains(string(start[1]), pullHookCommand) {
		t.Fatalf("SessionStart hooks:\n%s", secondSettings)
	}
	if strings.Count(string(secondSettings), "agnes pull") != 1 {
		t.Fatalf("the pull hook must appear once:\n%s", secondSettings)
	}
	if fi, _ := os.Stat(settingsPath); fi.Mode().Perm() != 0o600 {
		t.Fatalf("settings.json mode changed to %v", fi.Mode().Perm())
	}

	claude := string(secondClaude)
	if !strings.HasPrefix(claude, userNotes) || strings.Count(claude, claudeBeginMarker) != 1 || strings.Count(claude, claudeEndMarker) != 1 {
		t.Fatalf("CLAUDE.md:\n%s", claude)
	}
	for _, want := range []string{"agnes catalog", "agnes schema", "agnes describe", "agnes query", "SELECT *", "--remote"} {
		if !strings.Contains(claude, want) {
			t.Fatalf("CLAUDE.md section lacks %q", want)
		}
	}

	// An outdated section and an old form of the hook are replaced in
	// place; text after the section stays.
	outdated := userNotes + "\n" + claudeBeginMarker + "\nold advice\n" + claudeEndMarker + "\n\n## Later notes\n"
	if err := os.WriteFile(claudePath, []byte(outdated), 0o644); err != nil {
		t.Fatal(err)
	}
	oldHook := strings.Replace(string(secondSettings), pullHookCommand, "agnes pull", 1)
	if err := os.WriteFile(settingsPath, []byte(oldHook), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := run(t, "", "init", "--workspace", ws); r.code != 0 {
		t.Fatalf("init over old content: %+v", r)
	}
	third, _ := os.ReadFile(claudePath)
	if strings.Contains(string(third), "old advice") || !strings.HasSuffix(string(third), "\n## Later notes\n") || strings.Count(string(third), claudeBeginMarker) != 1 {
		t.Fatalf("outdated section not replaced:\n%s", third)
	}
	if got, _ := os.ReadFile(settingsPath); string(got) != string(secondSettings) {
		t.Fatalf("old hook not updated in place:\n%s", got)
	}
}

func TestInitRefusesToClobber(t *testing.T) {
	cases := []struct {
		name, settings, claude, inErr string
	}{
		{"invalid settings", "{not json", "", "not valid JSON"},
		{"hooks not an object", `{"hooks": []}`, "", "not an object"},
		{"SessionStart not an array", `{"hooks": {"SessionStart": {}}}`, "", "not an array"},
		{"begin without end", "", "x\n" + claudeBeginMarker + "\ny\n", "without"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ws := t.TempDir()
			settingsPath := filepath.Join(ws, ".claude", "settings.json")
			claudePath := filepath.Join(ws, "CLAUDE.md")
			os.MkdirAll(filepath.Dir(settingsPath), 0o755)
			if c.settings != "" {
				os.WriteFile(settingsPath, []byte(c.settings), 0o644)
			}
			if c.claude != "" {
				os.WriteFile(claudePath, []byte(c.claude), 0o644)
			}
			r := run(t, "", "init", "--workspace", ws)
			if r.code != 1 || !strings.Contains(r.stderr, c.inErr) {
				t.Fatalf("init: %+v", r)
			}
			if c.settings != "" {
				if got, _ := os.ReadFile(settingsPath); string(got) != c.settings {
					t.Fatalf("settings.json changed to %s", got)
				}
			}
			if c.claude != "" {
				if got, _ := os.ReadFile(claudePath); string(got) != c.claude {
					t.Fatalf("CLAUDE.md changed to %s", got)
				}
			}
		})
	}
}
