package httpapi

import (
	"net"
	"net/http"
	"strconv"

	"github.com/keboola/agnes/rbac"
)

// Connection is the body of GET /api/connection: how to reach the
// PostgreSQL gateway as the caller (the password is the caller's personal
// access token, which the client already holds).
type Connection struct {
	PGHost     string `json:"pg_host"`
	PGPort     int    `json:"pg_port"`
	PGDatabase string `json:"pg_database"`
	User       string `json:"user"`
}

// connection answers GET /api/connection. A gateway that listens on every
// interface (":5433", "0.0.0.0:5433") is reachable under the name the
// caller used for the HTTP API, so that name is returned as the host.
func (s *Server) connection(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	if s.deps.PGListen == "" {
		WriteError(w, http.StatusServiceUnavailable, CodeUnavailable, "this server has no PostgreSQL gateway configured")
		return
	}
	host, portText, err := net.SplitHostPort(s.deps.PGListen)
	port, perr := strconv.Atoi(portText)
	if err != nil || perr != nil || port <= 0 {
		s.log.ErrorContext(r.Context(), "pg listen address has no usable port", "pg_listen", s.deps.PGListen)
		WriteError(w, http.StatusServiceUnavailable, CodeUnavailable, "the PostgreSQL gateway's address is not known to the HTTP API")
		return
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = requestHost(r)
	}
	db := s.deps.PGDatabase
	if db == "" {
		db = "agnes"
	}
	WriteJSON(w, http.StatusOK, Connection{PGHost: host, PGPort: port, PGDatabase: db, User: p.Email})
}

// requestHost is the host part of the request's Host header.
func requestHost(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.Host); err == nil {
		return h
	}
	return r.Host
}
