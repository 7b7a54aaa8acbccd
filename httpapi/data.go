package httpapi

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"regexp"
	"strings"

	"github.com/keboola/agnes/catalog"
	"github.com/keboola/agnes/rbac"
	"github.com/keboola/agnes/store"
)

// ParquetContentType is the media type of a table download.
const ParquetContentType = "application/vnd.apache.parquet"

// tableIDRe is the shape of every registry id (catalog.NormalizeID). It is
// checked before the id reaches the registry or the file system, so "..",
// slashes and quotes never get that far.
var tableIDRe = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// tableData answers GET /api/tables/{id}/data with the table's parquet
// file. Checks, in order: the id's shape (404), the registry (404), the
// caller's grant (403), whether the table is distributed at all (403 for
// remote and server-only tables, admins included), then the file itself.
// http.ServeContent does the HTTP part: Content-Length, Range (206) for
// resuming, If-None-Match against the ETag (304), If-Range. The body is
// copied from the *os.File straight into the connection (sendfile on
// Linux), never buffered whole.
func (s *Server) tableData(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	id := r.PathValue("id")
	if !tableIDRe.MatchString(id) {
		WriteError(w, http.StatusNotFound, CodeNotFound, "table "+quoteID(id)+" not found: run `agnes catalog` to see the tables you can read")
		return
	}
	t, err := s.deps.Registry.Get(r.Context(), id)
	if errors.Is(err, rbac.ErrNotFound) {
		WriteError(w, http.StatusNotFound, CodeNotFound, "table "+id+" not found: run `agnes catalog` to see the tables you can read")
		return
	}
	if err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	deny := func(message string) {
		s.audit(r, store.AuditEntry{UserID: p.UserID, Action: "data.download", Target: id, Outcome: "denied"})
		WriteError(w, http.StatusForbidden, CodeForbidden, message)
	}
	switch {
	case !s.deps.RBAC.Can(r.Context(), p, rbac.ResourceTable, id):
		deny("table " + id + " is not granted to you: ask an admin for a grant")
		return
	case t.QueryMode == catalog.ModeRemote:
		deny("table " + id + " is a remote table and is not distributed: its data stays upstream; query it with `agnes query --remote`")
		return
	case t.ServerOnly:
		deny("table " + id + " is server-only and is not distributed: query it on the server with `agnes query --remote`")
		return
	case !distributable(t):
		WriteError(w, http.StatusNotFound, CodeNotFound, "table "+id+" has no data file yet: its extract has not produced one")
		return
	}

	f, err := os.Open(t.Location)
	if errors.Is(err, fs.ErrNotExist) {
		WriteError(w, http.StatusServiceUnavailable, CodeUnavailable, "the data file of table "+id+" is being replaced: retry in a moment")
		return
	}
	if err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	// The ETag is the registry's md5. A file replaced on disk whose
	// registry row has not caught up yet would be served under the old
	// md5; its size almost always gives that away.
	if fi.Size() != t.SizeBytes {
		WriteError(w, http.StatusServiceUnavailable, CodeUnavailable, "table "+id+" is being refreshed: retry in a moment")
		return
	}

	h := w.Header()
	h.Set("ETag", `"`+t.MD5+`"`)
	if d := reprDigest(t.SHA256); d != "" {
		// RFC 9530: the digest of the whole file, also on a 206.
		h.Set("Repr-Digest", d)
	}
	h.Set("Content-Type", ParquetContentType)
	h.Set("Content-Disposition", `attachment; filename="`+id+`.parquet"`)
	h.Set("Cache-Control", "private, no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	out := &fileResponse{ResponseWriter: w, body: innermostReaderFrom(w)}
	http.ServeContent(out, r, id+".parquet", fi.ModTime(), f)

	detail := map[string]any{"bytes": out.written, "status": out.status}
	if rng := r.Header.Get("Range"); rng != "" {
		detail["range"] = rng
	}
	outcome := "ok"
	if out.status >= 400 {
		outcome = "error"
	}
	s.audit(r, store.AuditEntry{UserID: p.UserID, Action: "data.download", Target: id, Outcome: outcome, Detail: detail})
}

// reprDigest is the Repr-Digest field value (RFC 9530) for a hex SHA-256,
// "" when there is none.
func reprDigest(sha256Hex string) string {
	sum, err := hex.DecodeString(sha256Hex)
	if err != nil || len(sum) != sha256.Size {
		return ""
	}
	return "sha-256=:" + base64.StdEncoding.EncodeToString(sum) + ":"
}

// quoteID shortens and quotes a malformed id for an error message.
func quoteID(id string) string {
	if len(id) > 80 {
		id = id[:80] + "…"
	}
	return `"` + id + `"`
}

// fileResponse passes headers and the status through the wrapped writer
// (so the request log sees them) and the body through the connection's own
// io.ReaderFrom. The middleware wrappers have no ReadFrom, so io.Copy
// through them would fall back to a 32 KiB buffer loop; the innermost
// net/http writer turns ReadFrom of an *os.File into sendfile.
//
// The few errors http.ServeContent answers itself (416 for a range past
// the end, 412 for a failed If-Match) it writes with http.Error as plain
// text; they are turned into the API's JSON error shape here.
type fileResponse struct {
	http.ResponseWriter
	body      io.ReaderFrom // nil when the writer chain has none
	status    int
	written   int64
	errorCode string // set once an error status was written
}

func (f *fileResponse) WriteHeader(code int) {
	if f.status != 0 {
		return
	}
	f.status = code
	if code >= 400 {
		f.errorCode = strings.ReplaceAll(strings.ToLower(http.StatusText(code)), " ", "_")
		f.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	f.ResponseWriter.WriteHeader(code)
}

func (f *fileResponse) Write(b []byte) (int, error) {
	if f.status == 0 {
		f.WriteHeader(http.StatusOK)
	}
	if f.errorCode != "" {
		body, _ := json.Marshal(ErrorBody{Error: f.errorCode, Message: strings.TrimSpace(string(b))})
		if _, err := f.ResponseWriter.Write(append(body, '\n')); err != nil {
			return 0, err
		}
		return len(b), nil
	}
	n, err := f.ResponseWriter.Write(b)
	f.written += int64(n)
	return n, err
}

func (f *fileResponse) ReadFrom(src io.Reader) (int64, error) {
	if f.status == 0 {
		f.WriteHeader(http.StatusOK)
	}
	var n int64
	var err error
	if f.body != nil {
		n, err = f.body.ReadFrom(src)
	} else {
		n, err = io.Copy(writerOnly{f.ResponseWriter}, src)
	}
	f.written += n
	return n, err
}

// writerOnly hides every method but Write, so io.Copy cannot recurse into
// a ReadFrom.
type writerOnly struct{ io.Writer }

// innermostReaderFrom follows Unwrap() through the middleware's writers to
// the net/http one and returns it if it can ReadFrom.
func innermostReaderFrom(w http.ResponseWriter) io.ReaderFrom {
	for {
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			break
		}
		w = u.Unwrap()
	}
	rf, _ := w.(io.ReaderFrom)
	return rf
}
