package wire

import (
	"context"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/duckdb/duckdb-go/v2"

	"github.com/keboola/agnes/pgerr"
	"github.com/keboola/agnes/rbac"
)

// testBackend implements Backend for the tests on a real in-memory DuckDB:
// statements run through duckdb-go's Arrow interface, Describe prepares
// them with *duckdb.Stmt, and users log in with real SCRAM verifiers.
type testBackend struct {
	connector *duckdb.Connector
	// lossless sets arrow_lossless_conversion on every session, so UUID,
	// JSON, TIMETZ and HUGEINT keep their types in Arrow.
	lossless bool

	mu     sync.Mutex
	users  map[string]*testUser // by email and by user id
	audits []loginAttempt
}

type testUser struct {
	p      rbac.Principal
	salt   []byte
	tokens map[string]string // token id → token
}

type loginAttempt struct {
	user   string
	method string
	ok     bool
	reason string
	token  string
}

// Test users: alice has two tokens (both must work), bob one.
const (
	aliceEmail = "alice@example.com"
	aliceTok1  = "agnes_pat_alice_one"
	aliceTok2  = "agnes_pat_alice_two"
	bobEmail   = "bob@example.com"
	bobTok     = "agnes_pat_bob"
)

func newTestBackend() (*testBackend, error) {
	c, err := duckdb.NewConnector("", nil)
	if err != nil {
		return nil, err
	}
	b := &testBackend{connector: c, lossless: true, users: map[string]*testUser{}}
	b.addUser("u-alice", aliceEmail, map[string]string{"tok-a1": aliceTok1, "tok-a2": aliceTok2})
	b.addUser("u-bob", bobEmail, map[string]string{"tok-b": bobTok})
	return b, nil
}

func (b *testBackend) addUser(id, email string, tokens map[string]string) {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	u := &testUser{
		p:      rbac.Principal{UserID: id, Email: email, Name: id, GroupIDs: []string{"everyone"}, GroupNames: []string{"Everyone"}},
		salt:   salt,
		tokens: tokens,
	}
	b.users[email] = u
	b.users[id] = u
}

// scramVerifier computes RFC 5802 StoredKey and ServerKey of a password.
func scramVerifier(password string, salt []byte, iters int) (storedKey, serverKey []byte) {
	salted, err := pbkdf2.Key(sha256.New, password, salt, iters, sha256.Size)
	if err != nil {
		panic(err)
	}
	mac := func(key []byte, msg string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(msg))
		return h.Sum(nil)
	}
	clientKey := mac(salted, "Client Key")
	sk := sha256.Sum256(clientKey)
	return sk[:], mac(salted, "Server Key")
}

func (b *testBackend) SCRAMCredentials(_ context.Context, user string) (*rbac.Principal, []rbac.SCRAMCredential, error) {
	b.mu.Lock()
	u := b.users[user]
	b.mu.Unlock()
	if u == nil {
		return nil, nil, nil
	}
	var creds []rbac.SCRAMCredential
	for id, tok := range u.tokens {
		stored, server := scramVerifier(tok, u.salt, 4096)
		creds = append(creds, rbac.SCRAMCredential{TokenID: id, Salt: u.salt, Iters: 4096, StoredKey: stored, ServerKey: server})
	}
	p := u.p
	return &p, creds, nil
}

func (b *testBackend) CheckPassword(_ context.Context, user, token string) (*rbac.Principal, error) {
	b.mu.Lock()
	u := b.users[user]
	b.mu.Unlock()
	if u == nil {
		return nil, nil
	}
	for id, tok := range u.tokens {
		if hmac.Equal([]byte(tok), []byte(token)) {
			p := u.p
			p.TokenID = id
			return &p, nil
		}
	}
	return nil, nil
}

func (b *testBackend) LoginAudit(_ context.Context, user string, p *rbac.Principal, _ net.Addr, method string, ok bool, reason string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	a := loginAttempt{user: user, method: method, ok: ok, reason: reason}
	if p != nil {
		a.token = p.TokenID
	}
	b.audits = append(b.audits, a)
}

func (b *testBackend) attempts() []loginAttempt {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]loginAttempt(nil), b.audits...)
}

func (b *testBackend) NewSession(ctx context.Context, p *rbac.Principal, info SessionInfo) (Session, error) {
	dc, err := b.connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	conn := dc.(*duckdb.Conn)
	if b.lossless {
		if _, err := conn.ExecContext(ctx, "SET arrow_lossless_conversion = true", nil); err != nil {
			return nil, err
		}
	}
	ar, err := duckdb.NewArrowFromConn(dc)
	if err != nil {
		return nil, err
	}
	s := &testSession{
		conn: conn, arrow: ar, principal: p, tx: 'I',
		params: map[string]string{
			"server_version":   "16.4 (Agnes test)",
			"TimeZone":         "UTC",
			"application_name": info.StartupParams["application_name"],
		},
	}
	if tz := info.StartupParams["TimeZone"]; tz != "" {
		s.params["TimeZone"] = tz
	}
	return s, nil
}

// testSession runs statements on one DuckDB connection.
type testSession struct {
	conn      *duckdb.Conn
	arrow     *duckdb.Arrow
	principal *rbac.Principal
	params    map[string]string
	tx        byte
}

func (s *testSession) TxStatus() byte { return s.tx }

func (s *testSession) Fail() {
	if s.tx == 'T' {
		s.tx = 'E'
	}
}

func (s *testSession) Parameter(name string) (string, bool) {
	for k, v := range s.params {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

func (s *testSession) StatusParams() map[string]string {
	return map[string]string{
		"server_version":   s.params["server_version"],
		"TimeZone":         s.params["TimeZone"],
		"application_name": s.params["application_name"],
	}
}

func (s *testSession) Close() error { return s.conn.Close() }

var (
	reSet      = regexp.MustCompile(`(?is)^set\s+(?:session\s+)?(\w+)\s*(?:=|to)\s*'?([^']*?)'?\s*$`)
	reSetTZ    = regexp.MustCompile(`(?is)^set\s+time\s+zone\s+'?([^']*?)'?\s*$`)
	reShow     = regexp.MustCompile(`(?is)^show\s+(\w+)\s*$`)
	reCopy     = regexp.MustCompile(`(?is)^copy\s*\((.*)\)\s*to\s+stdout\s*(.*)$`)
	reDelim    = regexp.MustCompile(`(?i)delimiter\s+'(.)'`)
	reBegin    = regexp.MustCompile(`(?i)^(begin|start\s+transaction)\b`)
	reCommit   = regexp.MustCompile(`(?i)^(commit|end)\b`)
	reRollback = regexp.MustCompile(`(?i)^(rollback|abort)\b`)
)

// Prepare splits the text and classifies each statement. It runs nothing.
func (s *testSession) Prepare(_ context.Context, query string, _ []uint32) ([]Statement, error) {
	var out []Statement
	for _, q := range splitSQL(query) {
		out = append(out, &testStatement{s: s, sql: q})
	}
	return out, nil
}

type testStatement struct {
	s   *testSession
	sql string
}

func (st *testStatement) SQL() string { return st.sql }

// session statements are answered without DuckDB
func (st *testStatement) sessionKind() string {
	q := st.sql
	switch {
	case reSetTZ.MatchString(q), reSet.MatchString(q):
		return "SET"
	case reShow.MatchString(q):
		return "SHOW"
	case reBegin.MatchString(q):
		return "BEGIN"
	case reCommit.MatchString(q):
		return "COMMIT"
	case reRollback.MatchString(q):
		return "ROLLBACK"
	case reCopy.MatchString(q):
		return "COPY"
	case strings.Contains(q, "test_panic()"):
		return "PANIC"
	case strings.Contains(q, "test_internal_error()"):
		return "INTERNAL"
	case strings.Contains(q, "test_notice()"):
		return "NOTICE"
	}
	return ""
}

func (st *testStatement) Describe(ctx context.Context) (*Description, error) {
	switch st.sessionKind() {
	case "SHOW":
		ti, _ := duckdb.NewTypeInfo(duckdb.TYPE_VARCHAR)
		name := reShow.FindStringSubmatch(st.sql)[1]
		return &Description{Columns: []Column{{Name: name, Type: ti}}}, nil
	case "":
	default:
		return &Description{}, nil
	}
	ds, err := st.s.conn.PrepareContext(ctx, st.sql)
	if err != nil {
		return nil, duckError(err)
	}
	defer ds.Close()
	stmt := ds.(*duckdb.Stmt)
	d := &Description{}
	for i := 1; i <= stmt.NumInput(); i++ {
		t, err := stmt.ParamType(i)
		if err != nil {
			return nil, err
		}
		ti, err := duckdb.NewTypeInfo(t)
		if t == duckdb.TYPE_LIST {
			ti, err = listParamType(st.sql, i)
		}
		if err != nil {
			ti = nil // complex or unresolved: sent as text
		}
		d.ParamTypes = append(d.ParamTypes, ti)
	}
	kind, err := stmt.StatementType()
	if err != nil {
		return nil, err
	}
	if kind != duckdb.STATEMENT_TYPE_SELECT && kind != duckdb.STATEMENT_TYPE_EXPLAIN && kind != duckdb.STATEMENT_TYPE_PRAGMA {
		return d, nil
	}
	n, err := stmt.ColumnCount()
	if err != nil {
		return nil, err
	}
	d.Columns = []Column{}
	for i := 0; i < n; i++ {
		name, err := stmt.ColumnName(i)
		if err != nil {
			return nil, err
		}
		ti, err := stmt.ColumnTypeInfo(i)
		if err != nil {
			return nil, err
		}
		d.Columns = append(d.Columns, Column{Name: name, Type: ti})
	}
	return d, nil
}

func (st *testStatement) Execute(ctx context.Context, args []any) (Result, error) {
	s := st.s
	kind := st.sessionKind()
	if s.tx == 'E' && kind != "COMMIT" && kind != "ROLLBACK" {
		return nil, pgerr.New(pgerr.InFailedSQLTransaction, "current transaction is aborted, commands ignored until end of transaction block")
	}
	switch kind {
	case "SET":
		name, value := "", ""
		if m := reSetTZ.FindStringSubmatch(st.sql); m != nil {
			name, value = "TimeZone", m[1]
		} else {
			m := reSet.FindStringSubmatch(st.sql)
			name, value = m[1], m[2]
		}
		for k := range s.params {
			if strings.EqualFold(k, name) {
				name = k
			}
		}
		s.params[name] = value
		res := &staticResult{tag: "SET"}
		if name == "TimeZone" || name == "application_name" {
			res.changes = map[string]string{name: value}
		}
		return res, nil
	case "SHOW":
		name := reShow.FindStringSubmatch(st.sql)[1]
		v, ok := s.Parameter(name)
		if !ok {
			return nil, pgerr.New(pgerr.UndefinedObject, "unrecognized configuration parameter %q", name)
		}
		return newStaticStrings(name, []string{v}, "SHOW"), nil
	case "BEGIN":
		if _, err := s.conn.ExecContext(ctx, "BEGIN TRANSACTION", nil); err != nil {
			return nil, duckError(err)
		}
		s.tx = 'T'
		return &staticResult{tag: "BEGIN"}, nil
	case "COMMIT", "ROLLBACK":
		tag := kind
		stmt := kind
		if s.tx == 'E' {
			tag, stmt = "ROLLBACK", "ROLLBACK"
		}
		if s.tx != 'I' {
			if _, err := s.conn.ExecContext(ctx, stmt, nil); err != nil {
				return nil, duckError(err)
			}
		}
		s.tx = 'I'
		return &staticResult{tag: tag}, nil
	case "COPY":
		m := reCopy.FindStringSubmatch(st.sql)
		opts := strings.ToLower(m[2])
		co := &CopyOptions{Format: "text"}
		if strings.Contains(opts, "csv") {
			co.Format = "csv"
		}
		co.Header = strings.Contains(opts, "header")
		if d := reDelim.FindStringSubmatch(m[2]); d != nil {
			co.Delimiter = d[1]
		}
		rr, err := s.arrow.QueryContext(ctx, m[1], args...)
		if err != nil {
			return nil, duckError(err)
		}
		return &arrowResult{rr: rr, tag: "COPY", copyOut: co}, nil
	case "PANIC":
		panic("test_panic() called")
	case "INTERNAL":
		return nil, errors.New("secret internal detail: connection to warehouse-7 refused")
	case "NOTICE":
		r := newStaticStrings("n", []string{"x"}, "SELECT")
		r.notices = []string{"hello", "WARNING: careful"}
		return r, nil
	}

	// plain DuckDB statement: rows through Arrow, everything else by Exec
	if isQuery(st.sql) {
		rr, err := s.arrow.QueryContext(ctx, st.sql, args...)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, duckError(err)
		}
		return &arrowResult{rr: rr, tag: "SELECT"}, nil
	}
	named := make([]driver.NamedValue, len(args))
	for i, a := range args {
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	r, err := s.conn.ExecContext(ctx, st.sql, named)
	if err != nil {
		return nil, duckError(err)
	}
	n, _ := r.RowsAffected()
	word := strings.ToUpper(strings.Fields(st.sql)[0])
	tag := word
	switch word {
	case "INSERT":
		tag = fmt.Sprintf("INSERT 0 %d", n)
	case "UPDATE", "DELETE":
		tag = fmt.Sprintf("%s %d", word, n)
	case "CREATE":
		tag = "CREATE TABLE"
	case "DROP":
		tag = "DROP TABLE"
	}
	return &staticResult{tag: tag}, nil
}

// listParamType recovers the type of a LIST parameter from its cast in the
// text ($1::INTEGER[]): duckdb-go reports only TYPE_LIST for it.
func listParamType(sql string, n int) (duckdb.TypeInfo, error) {
	m := regexp.MustCompile(fmt.Sprintf(`\$%d::(\w+)\[\]`, n)).FindStringSubmatch(sql)
	if m == nil {
		return nil, errors.New("unknown list type")
	}
	names := map[string]duckdb.Type{"INTEGER": duckdb.TYPE_INTEGER, "BIGINT": duckdb.TYPE_BIGINT,
		"VARCHAR": duckdb.TYPE_VARCHAR, "DOUBLE": duckdb.TYPE_DOUBLE, "BOOLEAN": duckdb.TYPE_BOOLEAN}
	t, ok := names[strings.ToUpper(m[1])]
	if !ok {
		return nil, errors.New("unknown list type")
	}
	child, err := duckdb.NewTypeInfo(t)
	if err != nil {
		return nil, err
	}
	return duckdb.NewListInfo(child)
}

func isQuery(q string) bool {
	w := strings.ToLower(strings.Fields(q)[0])
	return w == "select" || w == "with" || w == "values" || w == "from" || w == "table" || w == "(select"
}

// duckError maps DuckDB errors to PostgreSQL codes the way a planner would.
func duckError(err error) error {
	var de *duckdb.Error
	if !errors.As(err, &de) {
		return err
	}
	code := pgerr.SyntaxErrorOrAccessRule
	switch de.Type {
	case duckdb.ErrorTypeParser:
		code = pgerr.SyntaxError
	case duckdb.ErrorTypeCatalog:
		code = pgerr.UndefinedTable
	case duckdb.ErrorTypeBinder:
		code = pgerr.UndefinedColumn
	case duckdb.ErrorTypeConversion:
		code = pgerr.InvalidTextRepresentation
	case duckdb.ErrorTypeOutOfRange:
		code = pgerr.NumericValueOutOfRange
	case duckdb.ErrorTypeDivideByZero:
		code = pgerr.DivisionByZero
	case duckdb.ErrorTypeInterrupt:
		code = pgerr.QueryCanceled
	}
	msg := de.Msg
	if i := strings.Index(msg, "\n"); i > 0 {
		msg = msg[:i]
	}
	return pgerr.New(code, "%s", msg)
}

// splitSQL splits statements on semicolons outside quotes and comments and
// drops empty and comment-only ones.
func splitSQL(q string) []string {
	var out []string
	var cur strings.Builder
	meaningful := false
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" && meaningful {
			out = append(out, s)
		}
		cur.Reset()
		meaningful = false
	}
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(q) && q[j] != c {
				j++
			}
			cur.WriteString(q[i:min(j+1, len(q))])
			meaningful = true
			i = j
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			for i < len(q) && q[i] != '\n' {
				i++
			}
			cur.WriteByte(' ')
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			j := strings.Index(q[i+2:], "*/")
			if j < 0 {
				i = len(q)
			} else {
				i += j + 3
			}
			cur.WriteByte(' ')
		case c == ';':
			flush()
		default:
			if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
				meaningful = true
			}
			cur.WriteByte(c)
		}
	}
	flush()
	return out
}

// arrowResult streams a DuckDB Arrow record reader.
type arrowResult struct {
	rr interface {
		Schema() *arrow.Schema
		Next() bool
		RecordBatch() arrow.RecordBatch
		Err() error
		Release()
	}
	tag     string
	copyOut *CopyOptions
	closed  bool
}

func (r *arrowResult) Schema() *arrow.Schema { return r.rr.Schema() }
func (r *arrowResult) Columns() []Column     { return nil }
func (r *arrowResult) Next() arrow.RecordBatch {
	if r.rr.Next() {
		return r.rr.RecordBatch()
	}
	return nil
}
func (r *arrowResult) Err() error {
	if err := r.rr.Err(); err != nil {
		return duckError(err)
	}
	return nil
}
func (r *arrowResult) Tag() string                         { return r.tag }
func (r *arrowResult) ParameterChanges() map[string]string { return nil }
func (r *arrowResult) Notices() []string                   { return nil }
func (r *arrowResult) CopyOut() *CopyOptions               { return r.copyOut }
func (r *arrowResult) Close() error {
	if !r.closed {
		r.closed = true
		r.rr.Release()
	}
	return nil
}

// staticResult is a result built in Go: no rows, or one batch.
type staticResult struct {
	schema  *arrow.Schema
	cols    []Column
	batch   arrow.RecordBatch
	sent    bool
	tag     string
	changes map[string]string
	notices []string
}

func newStaticStrings(name string, values []string, tag string) *staticResult {
	schema := arrow.NewSchema([]arrow.Field{{Name: name, Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	b := array.NewStringBuilder(memory.DefaultAllocator)
	b.AppendValues(values, nil)
	arr := b.NewArray()
	return &staticResult{schema: schema, batch: array.NewRecordBatch(schema, []arrow.Array{arr}, int64(len(values))), tag: tag}
}

func (r *staticResult) Schema() *arrow.Schema { return r.schema }
func (r *staticResult) Columns() []Column     { return r.cols }
func (r *staticResult) Next() arrow.RecordBatch {
	if r.batch == nil || r.sent {
		return nil
	}
	r.sent = true
	return r.batch
}
func (r *staticResult) Err() error                          { return nil }
func (r *staticResult) Tag() string                         { return r.tag }
func (r *staticResult) ParameterChanges() map[string]string { return r.changes }
func (r *staticResult) Notices() []string                   { return r.notices }
func (r *staticResult) CopyOut() *CopyOptions               { return nil }
func (r *staticResult) Close() error                        { return nil }
