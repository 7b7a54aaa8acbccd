package httpapi

import "strings"

// etagMatches reports whether an If-None-Match header value names etag.
// It uses the weak comparison RFC 9110 §13.1.2 prescribes for
// If-None-Match: "W/" prefixes are ignored, and "*" matches anything.
func etagMatches(ifNoneMatch, etag string) bool {
	if ifNoneMatch == "" || etag == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, candidate := range strings.Split(ifNoneMatch, ",") {
		candidate = strings.TrimSpace(candidate)
		if candidate == "*" || strings.TrimPrefix(candidate, "W/") == want {
			return true
		}
	}
	return false
}
