package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/keboola/agnes/catalog"
	"github.com/keboola/agnes/rbac"
	"github.com/keboola/agnes/store"
)

// Deps are the services the HTTP API is a thin layer over.
type Deps struct {
	RBAC     *rbac.Service
	Registry *catalog.Registry
	// Auditor records mutations that are not already audited inside an
	// rbac or catalog transaction (sync requests, denied admin calls). May be
	// nil, in which case those events are only logged.
	Auditor *store.Auditor
	// Rebuild rescans extracts and syncs the registry (POST /api/sync/rebuild).
	// When nil the endpoint answers 503.
	Rebuild func(ctx context.Context, actor rbac.Actor) (catalog.SyncResult, error)
	Logger  *slog.Logger
	Version string
	// PGListen is the address the PostgreSQL gateway listens on
	// ("host:port", the bound port when it was :0) and PGDatabase its
	// database name; GET /api/connection hands both to clients.
	PGListen   string
	PGDatabase string
	// AuthFailureBurst is how many failed authentications one client
	// address may have in a row before it must wait (0: 10).
	AuthFailureBurst int
}

// Server routes HTTP requests to handlers. Build it with New, add routes
// with Handle, HandleAuthed and HandleAdmin, then serve Handler().
type Server struct {
	deps     Deps
	log      *slog.Logger
	mux      *http.ServeMux
	public   http.Handler
	throttle *AuthThrottle
}

// New returns a server with the built-in routes (health, me, admin API)
// registered.
func New(d Deps) *Server {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	s := &Server{deps: d, log: d.Logger, mux: http.NewServeMux(), throttle: NewAuthThrottle(d.AuthFailureBurst)}
	s.public = s.recoverPanics(s.logRequests(http.HandlerFunc(s.route)))
	s.routes()
	return s
}

// Handler returns the root handler: panic recovery, request logging, then
// routing with JSON 404/405 answers.
func (s *Server) Handler() http.Handler { return s.public }

// Handle registers a raw handler for a Go 1.22 ServeMux pattern
// ("GET /api/manifest"). The handler does its own authentication, if any.
func (s *Server) Handle(pattern string, h http.Handler) {
	s.mux.Handle(pattern, h)
}

// HandleAuthed registers a handler that requires a bearer PAT. Requests
// without a valid one get 401 before h runs; p is never nil.
func (s *Server) HandleAuthed(pattern string, h func(w http.ResponseWriter, r *http.Request, p *rbac.Principal)) {
	s.mux.Handle(pattern, s.authenticate(h))
}

// HandleAdmin registers a handler that requires a bearer PAT of a member of
// the Admin group: 401 without a valid token, 403 for other users.
func (s *Server) HandleAdmin(pattern string, h func(w http.ResponseWriter, r *http.Request, p *rbac.Principal)) {
	s.mux.Handle(pattern, s.authenticate(s.requireAdmin(h)))
}

func (s *Server) routes() {
	s.Handle("GET /healthz", http.HandlerFunc(s.health))
	s.HandleAuthed("GET /api/me", s.me)

	s.HandleAdmin("POST /api/admin/users", s.createUser)
	s.HandleAdmin("GET /api/admin/users", s.listUsers)
	s.HandleAdmin("POST /api/admin/users/{user}/deactivate", s.deactivateUser)

	s.HandleAdmin("POST /api/admin/tokens", s.createToken)
	s.HandleAdmin("GET /api/admin/tokens", s.listTokens)
	s.HandleAdmin("DELETE /api/admin/tokens/{id}", s.revokeToken)
	s.HandleAuthed("GET /api/tokens", s.listOwnTokens)
	s.HandleAuthed("DELETE /api/tokens/{id}", s.revokeOwnToken)

	s.HandleAdmin("POST /api/admin/groups", s.createGroup)
	s.HandleAdmin("GET /api/admin/groups", s.listGroups)
	s.HandleAdmin("DELETE /api/admin/groups/{group}", s.deleteGroup)
	s.HandleAdmin("GET /api/admin/groups/{group}/members", s.listMembers)
	s.HandleAdmin("POST /api/admin/groups/{group}/members", s.addMember)
	s.HandleAdmin("DELETE /api/admin/groups/{group}/members/{user}", s.removeMember)

	s.HandleAdmin("POST /api/admin/grants", s.createGrant)
	s.HandleAdmin("GET /api/admin/grants", s.listGrants)
	s.HandleAdmin("DELETE /api/admin/grants/{id}", s.deleteGrant)
	s.HandleAdmin("GET /api/admin/resource-types", s.listResourceTypes)

	s.HandleAdmin("GET /api/admin/tables", s.listTables)
	s.HandleAdmin("GET /api/admin/tables/{id}", s.getTable)
	s.HandleAdmin("POST /api/admin/tables", s.registerTable)
	s.HandleAdmin("PATCH /api/admin/tables/{id}", s.updateTable)
	s.HandleAdmin("DELETE /api/admin/tables/{id}", s.deleteTable)

	s.HandleAdmin("POST /api/sync/rebuild", s.rebuild)

	s.registerAnalystRoutes()
}

// audit records an event through the Auditor (and always in the log, so a
// deployment without an Auditor still has a trace).
func (s *Server) audit(r *http.Request, e store.AuditEntry) {
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "audit",
		slog.String("action", e.Action), slog.String("user", e.UserID),
		slog.String("target", e.Target), slog.String("outcome", e.Outcome))
	if s.deps.Auditor != nil {
		if e.Time.IsZero() {
			e.Time = time.Now().UTC()
		}
		s.deps.Auditor.Record(e)
	}
}
