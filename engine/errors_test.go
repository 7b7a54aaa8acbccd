package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/keboola/agnes/pgerr"
)

// TestTranslateDuckDBErrors runs statements that fail in DuckDB and checks
// the SQLSTATE and message a client gets.
func TestTranslateDuckDBErrors(t *testing.T) {
	cs := newConfinedSandbox(t)
	c := mustConn(t, cs.s)
	cases := []struct {
		sql, code, message string // message: a substring the client must see
	}{
		{"SELEC 1", pgerr.SyntaxError, `syntax error at or near "SELEC"`},
		{"SELECT * FROM nope", pgerr.UndefinedTable, `relation "nope" does not exist or is not granted to you`},
		{"SELECT * FROM nope.t", pgerr.UndefinedTable, `relation "nope.t" does not exist`},
		{"SELECT nope FROM granted", pgerr.UndefinedColumn, `Referenced column "nope" not found`},
		{"SELECT foo(1)", pgerr.UndefinedFunction, "foo does not exist"},
		{"SELECT abs()", pgerr.UndefinedFunction, "No function matches"},
		{"SELECT id, count(*) FROM granted", pgerr.GroupingError, `column "id" must appear in the GROUP BY clause`},
		{"SELECT 'x'::INT", pgerr.InvalidTextRepresentation, "Could not convert string 'x' to INT32"},
		{"SELECT 'x'::DATE", pgerr.InvalidDatetimeFormat, "invalid date field format"},
		{"SELECT 1e10::INT", pgerr.NumericValueOutOfRange, "out of range"},
		{"SELECT '2024-13-45'::DATE", pgerr.DatetimeFieldOverflow, "date field value out of range"},
		{"SELECT '25:00'::TIME", pgerr.DatetimeFieldOverflow, "time field value out of range"},
		{"SELECT '{bad'::JSON", pgerr.InvalidTextRepresentation, "Malformed JSON"},
		{"SELECT 2147483647::INTEGER + 1", pgerr.NumericValueOutOfRange, "Overflow in addition"},
		{"SELECT error('boom')", pgerr.InvalidParameterValue, "boom"},
		{"COMMIT", pgerr.NoActiveSQLTransaction, "no transaction is active"},
		{"SELECT 1; SELECT 2", pgerr.SyntaxError, "cannot insert multiple commands into a prepared statement"},
		{"", pgerr.SyntaxError, "empty query"},
		{"SELECT * FROM granted WHERE id = $1", pgerr.ProtocolViolation, "argument count"},
		{"SET threads = 1", pgerr.InsufficientPrivilege, `Cannot change configuration option "threads"`},
		{"SELECT * FROM read_parquet(" + quoteLiteral(cs.secretPQ) + ")", pgerr.InsufficientPrivilege, `permission denied to access file "secret.parquet"`},
		{"DROP VIEW granted", pgerr.ReadOnlySQLTransaction, "read-only"},
		{"LOAD httpfs", pgerr.InsufficientPrivilege, "INSTALL/LOAD statements are not allowed"},
		{"SELECT * FROM read_parquet('https://example.com/x.parquet')", pgerr.InsufficientPrivilege, `permission denied to access file "x.parquet"`},
	}
	for _, tc := range cases {
		t.Run(tc.sql, func(t *testing.T) {
			_, err := rows(c, tc.sql)
			pe, ok := pgerr.As(err)
			if !ok {
				t.Fatalf("error %v (%T) is not a *pgerr.Error", err, err)
			}
			if pe.Code != tc.code || !strings.Contains(pe.Message, tc.message) {
				t.Errorf("got %s %q, want %s containing %q", pe.Code, pe.Message, tc.code, tc.message)
			}
			if strings.Contains(pe.Message, "LINE 1") || strings.Contains(pe.Message, " Error: ") {
				t.Errorf("message keeps DuckDB decoration: %q", pe.Message)
			}
		})
	}
	// The session survives every error.
	if got := mustRows(t, c, "SELECT count(*) FROM granted"); got[0][0] != "2" {
		t.Errorf("after errors: %v", got)
	}
}

func TestTranslateErrorWithoutDuckDB(t *testing.T) {
	own := pgerr.New(pgerr.UndefinedTable, "mine")
	cases := []struct {
		name string
		err  error
		code string
	}{
		{"pgerr passes through", fmt.Errorf("wrapped: %w", own), pgerr.UndefinedTable},
		{"cancel", context.Canceled, pgerr.QueryCanceled},
		{"cancel joined with driver error", errors.Join(context.Canceled, errors.New("INTERRUPT Error: Interrupted!")), pgerr.QueryCanceled},
		{"deadline", fmt.Errorf("run: %w", context.DeadlineExceeded), pgerr.QueryCanceled},
		{"unknown", errors.New("something odd at /srv/agnes/data/x.parquet"), pgerr.InternalError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := TranslateError(tc.err)
			pe, ok := err.(*pgerr.Error)
			if !ok {
				t.Fatalf("%T is not *pgerr.Error", err)
			}
			if pe.Code != tc.code {
				t.Errorf("code %s, want %s", pe.Code, tc.code)
			}
			if strings.Contains(pe.Message, "/srv/agnes") {
				t.Errorf("message names a path: %q", pe.Message)
			}
		})
	}
	if TranslateError(nil) != nil {
		t.Error("TranslateError(nil) != nil")
	}
}

func TestSanitizePaths(t *testing.T) {
	cases := []struct{ in, want string }{
		{`Cannot access file "/srv/data/secret.parquet" - x`, `Cannot access file "secret.parquet" - x`},
		{`No files found that match the pattern "/srv/my data/t.parquet"`, `No files found that match the pattern "t.parquet"`},
		{`read 'file:///srv/data/a.csv' failed`, `read 'a.csv' failed`},
		{`GET http://10.0.0.1:8080/bucket/x.parquet failed`, `GET x.parquet failed`},
		{`bare /srv/data/t.parquet here`, `bare t.parquet here`},
		{`(/var/lib/agnes/x)`, `(x)`},
		{`1 / 2 and a/b/c and (1 // 0)`, `1 / 2 and a/b/c and (1 // 0)`},
		{`Could not convert string 'abc' to INT32`, `Could not convert string 'abc' to INT32`},
	}
	for _, tc := range cases {
		if got := sanitizePaths(tc.in); got != tc.want {
			t.Errorf("sanitizePaths(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
