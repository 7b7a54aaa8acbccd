package wire

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/keboola/agnes/pgerr"
)

// Causes of a cancelled statement context; pgError turns them into the
// messages PostgreSQL sends.
var (
	errCanceledByUser   = errors.New("statement canceled by user request")
	errStatementTimeout = errors.New("statement timeout")
	errAdminShutdown    = errors.New("server shutting down")
	errClientGone       = errors.New("client connection lost")
	errPortalClosed     = errors.New("portal closed")
)

// pgError turns err into the PostgreSQL error sent to the client. ctx is the
// statement's context: when it was cancelled, the cause decides the message
// whatever error the Backend returned. Errors that are not *pgerr.Error are
// logged and reported as XX000 without their text, which may hold internal
// details.
func (c *conn) pgError(ctx context.Context, err error) *pgerr.Error {
	if ctx != nil && ctx.Err() != nil {
		switch context.Cause(ctx) {
		case errCanceledByUser:
			return pgerr.New(pgerr.QueryCanceled, "canceling statement due to user request")
		case errStatementTimeout:
			return pgerr.New(pgerr.QueryCanceled, "canceling statement due to statement timeout")
		case errAdminShutdown:
			return pgerr.Fatal(pgerr.AdminShutdown, "terminating connection due to administrator command")
		case errClientGone:
			return pgerr.Fatal(pgerr.ConnectionFailure, "connection to client lost")
		}
	}
	if pe, ok := pgerr.As(err); ok {
		return pe
	}
	c.log.Error("internal error", "err", err)
	return pgerr.New(pgerr.InternalError, "internal error (session %s); the server log has the details", c.id)
}

// errorResponse is the ErrorResponse (or NoticeResponse body) for e.
func errorResponse(e *pgerr.Error) *pgproto3.ErrorResponse {
	sev := e.Severity
	if sev == "" {
		sev = "ERROR"
	}
	code := e.Code
	if code == "" {
		code = pgerr.InternalError
	}
	return &pgproto3.ErrorResponse{
		Severity:            sev,
		SeverityUnlocalized: sev,
		Code:                code,
		Message:             e.Message,
		Detail:              e.Detail,
		Hint:                e.Hint,
		Position:            e.Position,
	}
}

// isFatal reports whether the connection must close after e.
func isFatal(e *pgerr.Error) bool {
	return strings.EqualFold(e.Severity, "FATAL") || strings.EqualFold(e.Severity, "PANIC")
}

// checkText refuses text that PostgreSQL would not accept from a UTF8
// client: NUL bytes and invalid UTF-8, both 22021 with the offending bytes.
func checkText(b []byte) *pgerr.Error {
	for i := 0; i < len(b); {
		c := b[i]
		if c == 0 {
			return pgerr.New(pgerr.CharacterNotInRepertoire, `invalid byte sequence for encoding "UTF8": 0x00`)
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return invalidUTF8(b[i:])
		}
		i += size
	}
	return nil
}

// checkString is checkText for a string.
func checkString(s string) *pgerr.Error {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 || s[i] >= utf8.RuneSelf {
			return checkText([]byte(s[i:]))
		}
	}
	return nil
}

// invalidUTF8 formats the bytes of the invalid sequence at the start of b
// like PostgreSQL's report_invalid_encoding.
func invalidUTF8(b []byte) *pgerr.Error {
	n := 1
	switch c := b[0]; {
	case c >= 0xC0 && c < 0xE0:
		n = 2
	case c >= 0xE0 && c < 0xF0:
		n = 3
	case c >= 0xF0 && c < 0xF8:
		n = 4
	}
	n = min(n, len(b))
	var sb strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteByte(' ')
		}
		fmt.Fprintf(&sb, "0x%02x", b[i])
	}
	return pgerr.New(pgerr.CharacterNotInRepertoire, `invalid byte sequence for encoding "UTF8": %s`, sb.String())
}
