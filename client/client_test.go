package client

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// recorded is what the test server saw of one request.
type recorded struct {
	method, uri, auth, contentType, body string
}

// server answers every request with status and body and records it.
func server(t *testing.T, status int, contentType, body string) (*httptest.Server, *recorded) {
	t.Helper()
	rec := &recorded{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		*rec = recorded{method: r.Method, uri: r.RequestURI, auth: r.Header.Get("Authorization"),
			contentType: r.Header.Get("Content-Type"), body: string(b)}
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, rec
}

func TestRequestsCarryTokenPathAndBody(t *testing.T) {
	srv, rec := server(t, http.StatusCreated, "application/json", `{"user_id":"u_1","email":"a@example.com","source":"admin","active":true}`)
	c := New(srv.URL+"/", "agnes_pat_secret")
	m, err := c.AddMember(t.Context(), "Data Team/EU", "a@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if m.UserID != "u_1" || !m.Active {
		t.Fatalf("member = %+v", m)
	}
	want := recorded{method: "POST", uri: "/api/admin/groups/Data%20Team%2FEU/members", auth: "Bearer agnes_pat_secret",
		contentType: "application/json", body: `{"user":"a@example.com"}`}
	if *rec != want {
		t.Fatalf("request\n got %+v\nwant %+v", *rec, want)
	}
}

func TestQueryStrings(t *testing.T) {
	srv, rec := server(t, http.StatusOK, "application/json", `[]`)
	c := New(srv.URL, "tok")
	cases := []struct {
		call func() error
		uri  string
	}{
		{func() error {
			_, err := c.Grants(t.Context(), GrantFilter{Group: "a&b", ResourceType: "table"})
			return err
		}, "/api/admin/grants?group=a%26b&type=table"},
		{func() error { _, err := c.Grants(t.Context(), GrantFilter{}); return err }, "/api/admin/grants"},
		{func() error { _, err := c.Tokens(t.Context(), "a+b@example.com"); return err }, "/api/admin/tokens?user=a%2Bb%40example.com"},
		{func() error { _, err := c.Tokens(t.Context(), ""); return err }, "/api/admin/tokens"},
	}
	for _, cs := range cases {
		if err := cs.call(); err != nil {
			t.Fatal(err)
		}
		if rec.uri != cs.uri || rec.method != "GET" || rec.body != "" {
			t.Errorf("got %s %s body %q, want GET %s", rec.method, rec.uri, rec.body, cs.uri)
		}
	}
	// Lists are never nil on success.
	grants, err := c.Grants(t.Context(), GrantFilter{})
	if err != nil || grants == nil {
		t.Fatalf("grants = %#v, %v", grants, err)
	}
}

func TestAPIErrors(t *testing.T) {
	cases := []struct {
		name        string
		status      int
		contentType string
		body        string
		want        APIError
		text        string
	}{
		{"api error", 403, "application/json", `{"error":"forbidden","message":"admin access required"}`,
			APIError{403, "forbidden", "admin access required"}, "admin access required (HTTP 403 forbidden)"},
		{"plain proxy text", 502, "text/plain", "upstream connect error",
			APIError{502, "bad_gateway", "upstream connect error"}, "upstream connect error (HTTP 502 bad_gateway)"},
		{"html page", 503, "text/html", "<html><body>down</body></html>",
			APIError{503, "service_unavailable", "the server refused the request"}, "the server refused the request (HTTP 503 service_unavailable)"},
		{"empty", 404, "", "",
			APIError{404, "not_found", "the server refused the request"}, "the server refused the request (HTTP 404 not_found)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, _ := server(t, c.status, c.contentType, c.body)
			_, err := New(srv.URL, "t").Me(t.Context())
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %T %v, want *APIError", err, err)
			}
			if *apiErr != c.want || err.Error() != c.text {
				t.Fatalf("got %+v %q, want %+v %q", *apiErr, err.Error(), c.want, c.text)
			}
		})
	}
}

func TestUnexpectedAnswer(t *testing.T) {
	srv, _ := server(t, 200, "text/html", "<html>login page</html>")
	_, err := New(srv.URL, "t").Me(t.Context())
	var apiErr *APIError
	if err == nil || errors.As(err, &apiErr) || !strings.Contains(err.Error(), "not the expected JSON") {
		t.Fatalf("err = %v", err)
	}
}

func TestNoContent(t *testing.T) {
	srv, rec := server(t, http.StatusNoContent, "", "")
	if err := New(srv.URL, "t").DeleteGroup(t.Context(), "Ops"); err != nil {
		t.Fatal(err)
	}
	if rec.method != "DELETE" || rec.uri != "/api/admin/groups/Ops" {
		t.Fatalf("request %+v", rec)
	}
}

func TestUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = New(addr, "t").Me(t.Context())
	var ue *UnreachableError
	if !errors.As(err, &ue) {
		t.Fatalf("error %T %v, want *UnreachableError", err, err)
	}
	want := "cannot reach http://" + addr + ": connection refused — is `agnes serve` running?"
	if err.Error() != want {
		t.Fatalf("error %q, want %q", err.Error(), want)
	}
	if _, err := New("", "t").Me(t.Context()); err == nil || !strings.Contains(err.Error(), "no server") {
		t.Fatalf("empty server: %v", err)
	}
}

func TestNormalizeServer(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:8000/":     "http://127.0.0.1:8000",
		" https://agnes.example.com": "https://agnes.example.com",
		"localhost:8000":             "http://localhost:8000",
		"http://h/prefix//":          "http://h/prefix",
		"":                           "",
	} {
		if got := NormalizeServer(in); got != want {
			t.Errorf("NormalizeServer(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTokenStatus(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	past, future := now.Add(-time.Second), now.Add(time.Hour)
	cases := []struct {
		tok  Token
		want string
	}{
		{Token{}, "active"},
		{Token{ExpiresAt: &future}, "active"},
		{Token{ExpiresAt: &past}, "expired"},
		{Token{ExpiresAt: &now}, "expired"},
		{Token{ExpiresAt: &future, RevokedAt: &past}, "revoked"},
	}
	for _, c := range cases {
		if got := c.tok.Status(now); got != c.want {
			t.Errorf("%+v: %s, want %s", c.tok, got, c.want)
		}
	}
}
