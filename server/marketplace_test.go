package server

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
)

// TestMarketplaceMounted checks that Run serves the marketplace: the admin
// API, the info endpoint and the git channel's authentication.
func TestMarketplaceMounted(t *testing.T) {
	ts := startServer(t, filepath.Join(t.TempDir(), "agnes-data"))
	ctx := context.Background()
	ms, err := ts.api(t).Marketplaces(ctx)
	if err != nil || len(ms) != 0 {
		t.Fatalf("marketplaces on a fresh server: %v %v", ms, err)
	}
	info, err := ts.api(t).MarketplaceInfo(ctx)
	if err != nil || info.MarketplaceName != "agnes" || info.PluginCount != 0 || len(info.ETag) != 32 {
		t.Fatalf("info: %+v %v", info, err)
	}
	resp, err := http.Get("http://" + ts.l.HTTP.String() + "/marketplace.git/info/refs?service=git-upload-pack")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != `Basic realm="agnes"` {
		t.Errorf("git channel without credentials: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
}
