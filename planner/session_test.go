package planner

import (
	"reflect"
	"testing"
)

func boolPtr(b bool) *bool { return &b }

// Session statements are answered by the gateway: route "session", no SQL
// for DuckDB, and a SessionCommand that says exactly what to do.
func TestSessionStatements(t *testing.T) {
	cases := []struct {
		sql  string
		kind Kind
		want SessionCommand
	}{
		{"SET extra_float_digits = 3", KindSet, SessionCommand{Verb: "set", Name: "extra_float_digits", Value: "3"}},
		{"SET application_name = 'PostgreSQL JDBC Driver'", KindSet, SessionCommand{Verb: "set", Name: "application_name", Value: "PostgreSQL JDBC Driver"}},
		{"SET datestyle TO 'ISO, MDY'", KindSet, SessionCommand{Verb: "set", Name: "DateStyle", Value: "ISO, MDY"}},
		// Unquoted words are identifiers, folded by the parser; the gateway
		// normalises the value as PostgreSQL does.
		{"SET DateStyle = ISO, DMY", KindSet, SessionCommand{Verb: "set", Name: "DateStyle", Value: "iso, dmy"}},
		{"SET TIME ZONE 'UTC'", KindSet, SessionCommand{Verb: "set", Name: "TimeZone", Value: "UTC"}},
		{"SET timezone = 'Europe/Prague'", KindSet, SessionCommand{Verb: "set", Name: "TimeZone", Value: "Europe/Prague"}},
		{"SET TIME ZONE LOCAL", KindSet, SessionCommand{Verb: "reset", Name: "TimeZone"}},
		{"SET NAMES 'UTF8'", KindSet, SessionCommand{Verb: "set", Name: "client_encoding", Value: "UTF8"}},
		{"SET search_path = analytics, \"My Schema\", public", KindSet, SessionCommand{Verb: "set", Name: "search_path", Value: `analytics, "My Schema", public`}},
		{"SET search_path TO \"$user\", public", KindSet, SessionCommand{Verb: "set", Name: "search_path", Value: `"$user", public`}},
		{"SET SCHEMA 'public'", KindSet, SessionCommand{Verb: "set", Name: "search_path", Value: "public"}},
		{"SET LOCAL statement_timeout TO 5000", KindSet, SessionCommand{Verb: "set", Name: "statement_timeout", Value: "5000", Local: true}},
		{"SET SESSION statement_timeout = '5s'", KindSet, SessionCommand{Verb: "set", Name: "statement_timeout", Value: "5s"}},
		{"SET standard_conforming_strings = on", KindSet, SessionCommand{Verb: "set", Name: "standard_conforming_strings", Value: "on"}},
		{"SET standard_conforming_strings TO true", KindSet, SessionCommand{Verb: "set", Name: "standard_conforming_strings", Value: "on"}},
		{"SET client_min_messages TO warning", KindSet, SessionCommand{Verb: "set", Name: "client_min_messages", Value: "warning"}},
		{"SET myapp.tenant = '42'", KindSet, SessionCommand{Verb: "set", Name: "myapp.tenant", Value: "42"}},
		{"SET jit = off", KindSet, SessionCommand{Verb: "set", Name: "jit", Value: "off"}},
		{"SET extra_float_digits TO DEFAULT", KindSet, SessionCommand{Verb: "reset", Name: "extra_float_digits"}},
		{"RESET statement_timeout", KindReset, SessionCommand{Verb: "reset", Name: "statement_timeout"}},
		{"RESET ALL", KindReset, SessionCommand{Verb: "reset_all"}},
		{"SHOW transaction isolation level", KindShow, SessionCommand{Verb: "show", Name: "transaction_isolation"}},
		{"show standard_conforming_strings", KindShow, SessionCommand{Verb: "show", Name: "standard_conforming_strings"}},
		{"SHOW server_version", KindShow, SessionCommand{Verb: "show", Name: "server_version"}},
		{"SHOW TIME ZONE", KindShow, SessionCommand{Verb: "show", Name: "TimeZone"}},
		{"SHOW search_path", KindShow, SessionCommand{Verb: "show", Name: "search_path"}},
		{"SHOW ALL", KindShow, SessionCommand{Verb: "show_all"}},
		{"BEGIN", KindBegin, SessionCommand{Verb: "begin"}},
		{"BEGIN READ ONLY", KindBegin, SessionCommand{Verb: "begin", ReadOnly: boolPtr(true)}},
		{"START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ WRITE", KindBegin,
			SessionCommand{Verb: "begin", Isolation: "repeatable read", ReadOnly: boolPtr(false)}},
		{"BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY DEFERRABLE", KindBegin,
			SessionCommand{Verb: "begin", Isolation: "serializable", ReadOnly: boolPtr(true), Deferrable: boolPtr(true)}},
		{"COMMIT", KindCommit, SessionCommand{Verb: "commit"}},
		{"END", KindCommit, SessionCommand{Verb: "commit"}},
		{"COMMIT AND CHAIN", KindCommit, SessionCommand{Verb: "commit", Chain: true}},
		{"ROLLBACK", KindRollback, SessionCommand{Verb: "rollback"}},
		{"ABORT", KindRollback, SessionCommand{Verb: "rollback"}},
		{"SAVEPOINT s1", KindSavepoint, SessionCommand{Verb: "savepoint", Name: "s1"}},
		{"RELEASE SAVEPOINT s1", KindRelease, SessionCommand{Verb: "release", Name: "s1"}},
		{"ROLLBACK TO SAVEPOINT s1", KindRollback, SessionCommand{Verb: "rollback_to", Name: "s1"}},
		{"SET TRANSACTION ISOLATION LEVEL READ COMMITTED", KindSet, SessionCommand{Verb: "set_transaction", Isolation: "read committed"}},
		{"SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY", KindSet,
			SessionCommand{Verb: "set_session_characteristics", Isolation: "serializable", ReadOnly: boolPtr(true)}},
		{"DISCARD ALL", KindDiscard, SessionCommand{Verb: "discard_all"}},
		{"DISCARD PLANS", KindDiscard, SessionCommand{Verb: "discard", Name: "plans"}},
		{"EXECUTE q(1, 'a''b', -2.5, NULL, '7'::int)", KindExecute, SessionCommand{Verb: "execute", Name: "q",
			Params: []string{"1", "a'b", "-2.5", "", "7"}, ParamNull: []bool{false, false, false, true, false}}},
		{"EXECUTE q", KindExecute, SessionCommand{Verb: "execute", Name: "q"}},
		{"DEALLOCATE q", KindDeallocate, SessionCommand{Verb: "deallocate", Name: "q"}},
		{"DEALLOCATE PREPARE ALL", KindDeallocate, SessionCommand{Verb: "deallocate_all"}},
		{`FETCH FORWARD 1000 FROM "named_cursor"`, KindFetch, SessionCommand{Verb: "fetch", Name: "named_cursor", Direction: "forward", Count: 1000}},
		{"FETCH ALL FROM c", KindFetch, SessionCommand{Verb: "fetch", Name: "c", Direction: "forward", All: true}},
		{"FETCH BACKWARD 2 c", KindFetch, SessionCommand{Verb: "fetch", Name: "c", Direction: "backward", Count: 2}},
		{"FETCH ABSOLUTE 5 FROM c", KindFetch, SessionCommand{Verb: "fetch", Name: "c", Direction: "absolute", Count: 5}},
		{"MOVE NEXT IN c", KindFetch, SessionCommand{Verb: "move", Name: "c", Direction: "forward", Count: 1}},
		{`CLOSE "named_cursor"`, KindClose, SessionCommand{Verb: "close", Name: "named_cursor"}},
		{"CLOSE ALL", KindClose, SessionCommand{Verb: "close_all"}},
	}
	for _, tc := range cases {
		t.Run(tc.sql, func(t *testing.T) {
			p := planOne(t, tc.sql, testOptions())
			if p.Kind != tc.kind || p.Route != RouteSession || p.SQL != "" || len(p.Tables) != 0 {
				t.Errorf("kind %s route %s SQL %q tables %v, want %s session no SQL", p.Kind, p.Route, p.SQL, p.Tables, tc.kind)
			}
			if p.Original != tc.sql {
				t.Errorf("original %q, want %q", p.Original, tc.sql)
			}
			if !reflect.DeepEqual(*p.Session, tc.want) {
				t.Errorf("session\n got %+v\nwant %+v", *p.Session, tc.want)
			}
		})
	}
}

func TestPrepareAndDeclarePlanTheirQuery(t *testing.T) {
	p := planOne(t, "PREPARE q (int, text[], numeric(10,2)) AS SELECT * FROM orders WHERE id = $1", testOptions())
	s := p.Session
	if p.Kind != KindPrepare || s.Verb != "prepare" || s.Name != "q" {
		t.Fatalf("got %s %+v", p.Kind, s)
	}
	if want := []string{"int4", "text[]", "numeric(10,2)"}; !reflect.DeepEqual(s.ParamTypes, want) {
		t.Errorf("param types %v, want %v", s.ParamTypes, want)
	}
	in := s.Inner
	if in.Kind != KindSelect || in.Route != RouteLocal || in.SQL != "SELECT * FROM main.orders WHERE id = $1" ||
		in.NumParams != 3 || len(in.Tables) != 1 || in.Tables[0] != ordersTable {
		t.Errorf("inner plan %s (params %d)", in, in.NumParams)
	}
	// The inner statement's own text lets the gateway re-plan it at EXECUTE.
	if in.Original != "SELECT * FROM orders WHERE id = $1" {
		t.Errorf("inner original %q", in.Original)
	}

	p = planOne(t, `DECLARE "named_cursor" SCROLL CURSOR WITH HOLD FOR SELECT g FROM generate_series(1, 10000) AS t(g)`, testOptions())
	s = p.Session
	if p.Kind != KindDeclare || s.Name != "named_cursor" || !s.Hold || !s.Scroll || s.Binary {
		t.Fatalf("got %s %+v", p.Kind, s)
	}
	// Integer generate_series is cast back to integer, as PostgreSQL types it.
	if s.Inner.SQL != "SELECT g FROM (SELECT __agnes_series::int AS g FROM generate_series(1, 10000) __agnes_series(__agnes_series)) t(g)" {
		t.Errorf("inner SQL %q", s.Inner.SQL)
	}
	p = planOne(t, "DECLARE c BINARY CURSOR WITHOUT HOLD FOR SELECT 1", testOptions())
	if s := p.Session; s.Hold || !s.Binary {
		t.Errorf("got %+v", s)
	}
}

// SET and SHOW are never handed to DuckDB, where SHOW x means DESCRIBE x
// and SET names engine settings.
func TestSessionStatementsNeverReachDuckDB(t *testing.T) {
	plans, err := PlanQuery("SET search_path = public; SHOW orders; SELECT 1", testOptions())
	if err == nil {
		t.Fatalf("SHOW orders accepted: %v", plans)
	}
	plans, err = PlanQuery("SET search_path = public; SHOW search_path; BEGIN; SELECT 1; COMMIT", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range plans {
		if (p.Route == RouteSession) != (p.SQL == "") {
			t.Errorf("%s: route %s with SQL %q", p.Original, p.Route, p.SQL)
		}
	}
	if len(plans) != 5 || plans[3].SQL != `SELECT 1 AS "?column?"` {
		t.Errorf("plans %v", plans)
	}
}

func TestParseSearchPath(t *testing.T) {
	cases := []struct {
		value string
		want  []string
	}{
		{`"$user", public`, []string{"$user", "public"}},
		{`analytics, "My Schema", PUBLIC`, []string{"analytics", "My Schema", "public"}},
		{`"a,b", "say ""hi"""`, []string{"a,b", `say "hi"`}},
		{``, nil},
	}
	for _, tc := range cases {
		if got := ParseSearchPath(tc.value); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseSearchPath(%q) = %q, want %q", tc.value, got, tc.want)
		}
	}
	// What SET stores, ParseSearchPath reads back.
	p := planOne(t, `SET search_path = analytics, "My Schema", public`, testOptions())
	if got := ParseSearchPath(p.Session.Value); !reflect.DeepEqual(got, []string{"analytics", "My Schema", "public"}) {
		t.Errorf("round trip: %q", got)
	}
}
