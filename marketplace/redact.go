package marketplace

import (
	"regexp"
	"strings"
)

var (
	// userinfoRe matches credentials in a URL ("https://user:secret@host").
	userinfoRe = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.\-]*://)[^/@\s]+@`)
	// tokenRe matches well-known token shapes wherever they appear in a
	// message: Agnes PATs, GitHub and GitLab tokens, Authorization values.
	tokenRe = regexp.MustCompile(`\b(agnes_pat_[A-Za-z0-9]+|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_\-]{20,})\b`)
	authRe  = regexp.MustCompile(`(?i)(authorization:\s*(?:basic|bearer|token)\s+)\S+`)
)

// redact removes secrets from a message before it is stored or shown: the
// given secret values (the upstream token), credentials in URLs and token
// shapes. Sync errors come from git libraries and servers, which may echo a
// URL or header back.
func redact(msg string, secrets ...string) string {
	for _, s := range secrets {
		if len(s) >= 4 {
			msg = strings.ReplaceAll(msg, s, "***")
		}
	}
	msg = userinfoRe.ReplaceAllString(msg, "${1}***@")
	msg = authRe.ReplaceAllString(msg, "${1}***")
	return tokenRe.ReplaceAllString(msg, "***")
}
