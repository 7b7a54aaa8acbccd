package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ManifestTable is one table of GET /api/manifest.
type ManifestTable struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Schema      string   `json:"schema"`
	Description string   `json:"description"`
	QueryMode   string   `json:"query_mode"`
	SourceType  string   `json:"source_type"`
	ServerOnly  bool     `json:"server_only"`
	Columns     []Column `json:"columns"`
	Rows        int64    `json:"rows"`
	SizeBytes   int64    `json:"size_bytes"`
	MD5         string   `json:"md5"`
	// SHA256 is the hex SHA-256 of the same file, what a download is
	// verified against; servers that do not send it get the md5 checked.
	SHA256    string    `json:"sha256,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
	// URL is the download path relative to the server; empty for tables
	// that are not distributed (remote, server-only, no data yet).
	URL string `json:"url,omitempty"`
}

// Manifest is GET /api/manifest: every table the caller may read.
type Manifest struct {
	Tables []ManifestTable `json:"tables"`
	// ETag identifies this manifest; send it back to Manifest to learn
	// cheaply that nothing changed.
	ETag string `json:"-"`
}

// Connection is GET /api/connection: where the PostgreSQL gateway listens
// and the user name to log in with (the password is the token).
type Connection struct {
	PGHost     string `json:"pg_host"`
	PGPort     int    `json:"pg_port"`
	PGDatabase string `json:"pg_database"`
	User       string `json:"user"`
}

// Token returns the personal access token the client sends.
func (c *Client) Token() string { return c.token }

// get sends a GET with extra headers. 2xx and 304 answers are returned for
// the caller to read and close; other statuses are an *APIError, no answer
// an *UnreachableError.
func (c *Client) get(ctx context.Context, path string, header http.Header) (*http.Response, error) {
	if c.server == "" {
		return nil, fmt.Errorf("GET %s: no server configured", path)
	}
	req, err := http.NewRequestWithContext(ctx, "GET", c.server+path, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("GET %s: %w", path, ctxErr)
		}
		return nil, &UnreachableError{Server: c.server, Err: err}
	}
	if (resp.StatusCode >= 200 && resp.StatusCode < 300) || resp.StatusCode == http.StatusNotModified {
		return resp, nil
	}
	defer resp.Body.Close()
	return nil, decodeError(resp)
}

// Manifest calls GET /api/manifest. With the ETag of an earlier manifest it
// sends If-None-Match, and notModified reports the server's 304 (m is nil
// then: the earlier manifest is still current).
func (c *Client) Manifest(ctx context.Context, etag string) (m *Manifest, notModified bool, err error) {
	h := http.Header{"Accept": {"application/json"}}
	if etag != "" {
		h.Set("If-None-Match", etag)
	}
	resp, err := c.get(ctx, "/api/manifest", h)
	if err != nil {
		return nil, false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified {
		io.Copy(io.Discard, resp.Body)
		return nil, true, nil
	}
	m = &Manifest{}
	if err := json.NewDecoder(resp.Body).Decode(m); err != nil {
		return nil, false, fmt.Errorf("GET /api/manifest: the server's answer is not the expected JSON: %w", err)
	}
	if m.Tables == nil {
		m.Tables = []ManifestTable{}
	}
	m.ETag = resp.Header.Get("ETag")
	return m, false, nil
}

// Connection calls GET /api/connection.
func (c *Client) Connection(ctx context.Context) (*Connection, error) {
	return call[Connection](ctx, c, "GET", "/api/connection", nil)
}

// TableDownload is an open download of a table's parquet file.
type TableDownload struct {
	// Body holds the bytes from Offset to the end of the file; the caller
	// reads and closes it.
	Body io.ReadCloser
	// Offset is where Body starts in the file: the requested offset when
	// the server resumed (206), 0 when it sent the whole file (200) because
	// the file changed since the partial copy was made or no offset was
	// asked for.
	Offset int64
	// Size is the size of the whole file.
	Size int64
	// ETag is the server's ETag, the quoted md5 of the file.
	ETag string
}

// DownloadTable starts the download of a table's parquet file. path is the
// manifest's url (a path on this server, never another host: the token
// goes with the request). offset > 0 asks for the rest of the file from
// there (Range) on condition that it is still the file whose ETag is
// ifRange (If-Range); the server answers with the whole file otherwise, and
// Offset says which happened.
func (c *Client) DownloadTable(ctx context.Context, path string, offset int64, ifRange string) (*TableDownload, error) {
	if !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "//") {
		return nil, fmt.Errorf("download %q: not a path on the server", path)
	}
	// identity: a compressed answer would have no usable byte offsets.
	h := http.Header{"Accept-Encoding": {"identity"}}
	if offset > 0 {
		h.Set("Range", "bytes="+strconv.FormatInt(offset, 10)+"-")
		if ifRange != "" {
			h.Set("If-Range", ifRange)
		}
	}
	resp, err := c.get(ctx, path, h)
	if err != nil {
		return nil, err
	}
	d := &TableDownload{Body: resp.Body, ETag: resp.Header.Get("ETag")}
	switch resp.StatusCode {
	case http.StatusOK:
		d.Size = resp.ContentLength
	case http.StatusPartialContent:
		start, size, ok := parseContentRange(resp.Header.Get("Content-Range"))
		if !ok || start != offset {
			resp.Body.Close()
			return nil, fmt.Errorf("GET %s: unexpected Content-Range %q for a resume at %d", path, resp.Header.Get("Content-Range"), offset)
		}
		d.Offset, d.Size = start, size
	default:
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: unexpected status %s", path, resp.Status)
	}
	if d.Size < 0 {
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: the server did not say how large the file is", path)
	}
	return d, nil
}

// parseContentRange reads "bytes <start>-<end>/<size>".
func parseContentRange(v string) (start, size int64, ok bool) {
	rest, found := strings.CutPrefix(v, "bytes ")
	if !found {
		return 0, 0, false
	}
	span, total, found := strings.Cut(rest, "/")
	if !found {
		return 0, 0, false
	}
	first, _, found := strings.Cut(span, "-")
	if !found {
		return 0, 0, false
	}
	start, err1 := strconv.ParseInt(first, 10, 64)
	size, err2 := strconv.ParseInt(total, 10, 64)
	if err1 != nil || err2 != nil || start < 0 || start > size {
		return 0, 0, false
	}
	return start, size, true
}
