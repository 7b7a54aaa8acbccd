package server

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// pgExpressionCases are expressions whose PostgreSQL semantics DuckDB lacks or
// answers differently; each must print exactly what PostgreSQL prints.
var pgExpressionCases = []string{
	`to_char(timestamp '2024-03-05 14:07:09.123456', 'YYYY-MM-DD HH24:MI:SS')`,
	`to_char(timestamp '2024-03-05 14:07:09', 'DD.MM.YYYY')`,
	`to_char(timestamp '2024-03-05 14:07:09', 'Mon DD, YYYY')`,
	`to_char(timestamp '2024-03-05 14:07:09', 'FMMonth FMDD, YYYY')`,
	`to_char(timestamp '2024-03-05 14:07:09', 'Month|Day|DY|dy|MON|mon|MONTH|DAY')`,
	`to_char(timestamp '2024-03-05 14:07:09', 'HH12:MI AM')`,
	`to_char(timestamp '2024-03-05 09:07:09', 'HH:MI pm a.m. P.M.')`,
	`to_char(timestamp '2024-03-05 14:07:09', 'YYYY"Q"Q')`,
	`to_char(timestamp '2024-12-30 14:07:09', 'IYYY-IW-ID')`,
	`to_char(timestamp '2024-03-05 14:07:09', 'YYYY-"W"WW W DDD FMDDD D CC J SSSS')`,
	`to_char(timestamp '2024-03-05 14:07:09.123456', 'MS US')`,
	`to_char(timestamp '2024-03-05 14:07:09', 'Y,YYY YYY YY Y FMHH24 BC A.D.')`,
	`to_char(timestamp '2024-03-05 14:07:09', 'YYYY-MM-DD"T"HH24:MI:SS')`,
	`to_char(date '2024-01-07', 'D Day FMDay')`,
	`to_char(date '2024-03-05', 'YYYY/MM')`,
	`to_char(NULL::timestamp, 'YYYY')`,
	`to_char(1234.5, '9999.99')`,
	`to_char(-5, '999')`,
	`to_char(5, '000')`,
	`to_char(0.5, '0.00')`,
	`to_char(0.5, '9.99')`,
	`to_char(1234567, 'FM9,999,999')`,
	`to_char(1234.5, 'FM9999.99')`,
	`to_char(1234.5, 'FM9999.00')`,
	`to_char(2.5, 'FM9')`,
	`to_char(1234567.891, '9,999,999.99')`,
	`to_char(-0.5, 'FM990.0')`,
	`to_date('2024-03-05', 'YYYY-MM-DD')`,
	`to_date('05/03/2024', 'DD/MM/YYYY')`,
	`to_timestamp('2024-03-05 14:07:09', 'YYYY-MM-DD HH24:MI:SS')`,
	// Unconstrained numeric keeps its literal's digits; round(x, n) has
	// scale n.
	`3.14159::numeric`,
	`'3.14159'::numeric`,
	`'-0.001'::numeric`,
	`123456789012345678901234.5::numeric`,
	`5::numeric`,
	`'0.1'::decimal`,
	`round(2.5)`,
	`round(1234.5678, 2)`,
	`round(5, 2)`,
	`round(1234.5678::numeric, -2)`,
	`round(avg(amount)::numeric, 2) FROM orders`,
	`round(sum(amount), 1) FROM orders`,
	`(amount * 3)::numeric(14,3) FROM orders WHERE id = 7`,
	// regexp_match: capture groups, the whole match, no match, NULL.
	`regexp_match('order 2024-03-05 done', '(\d{4})-(\d{2})-(\d{2})')`,
	`regexp_match('order 2024-03-05 done', '\d{4}-\d{2}')`,
	`regexp_match('abc', 'x(y)')`,
	`regexp_match(NULL, 'a')`,
	`regexp_match('ABC', 'b(c)', 'i')`,
	`(regexp_match(customer, '_(\d+)$'))[1] FROM orders WHERE id = 42`,
	// JSON set-returning functions, in FROM and in the select list.
	`string_agg(value::text, '|') FROM json_array_elements('[1,"a",{"b":2},null]')`,
	`string_agg(coalesce(value, '<null>'), '|') FROM json_array_elements_text('[1,"a",{"b":2},null]')`,
	`string_agg(e::text, '|' ORDER BY e::text) FROM jsonb_array_elements('[3,1,2]') AS t(e)`,
	`string_agg(json_object_keys, ',' ORDER BY json_object_keys) FROM json_object_keys('{"b":1,"a":2}')`,
	`string_agg(key || '=' || value::text, ',' ORDER BY key) FROM json_each('{"a":1,"b":"x"}')`,
	`string_agg(k || '=' || v, ',' ORDER BY k) FROM json_each_text('{"a":1,"b":"x","c":null}') AS j(k, v) WHERE v IS NOT NULL`,
	`count(*) FROM (SELECT json_array_elements('[1,2,3]')) s`,
	`string_agg(x, ',') FROM (SELECT json_array_elements_text('["p","q"]') AS x) s`,
	// JSON path and index operators.
	`'{"a":{"b":[10,{"c":"x"}]}}'::json #> '{a,b,1}'`,
	`'{"a":{"b":[10,{"c":"x"}]}}'::jsonb #>> '{a,b,1,c}'`,
	`'{"a":{"b":[10,{"c":"x"}]}}'::json #>> '{a,b,0}'`,
	`'{"a b":1}'::json #>> '{a b}'`,
	`'{"a":1}'::json #>> '{x}'`,
	`'[1,"two",3]'::json -> 1`,
	`'[1,"two",3]'::json ->> 1`,
	`'{"a":{"b":2}}'::json -> 'a' ->> 'b'`,
	// generate_series in a select list gives rows; encode/decode formats.
	`count(*) FROM (SELECT generate_series(1, 3)) s`,
	`sum(g) FROM (SELECT generate_series(1, 10, 3) AS g) s`,
	`pg_typeof(g)::text FROM (SELECT generate_series(1, 2) AS g) s LIMIT 1`,
	`encode('abc'::bytea, 'hex')`,
	`encode('\x00ff'::bytea, 'base64')`,
	`encode(decode('616263', 'hex'), 'base64')`,
	`decode('YWJj', 'base64') = 'abc'::bytea`,
	// Division: integer division, NULL stays NULL.
	`7 / 2`,
	`-7 % 3`,
	`NULL::int / 0`,
	`count(*) / 7 FROM orders`,
	`sum(id) / nullif(count(*) - count(*), 0) FROM orders`,
}

// failingCases fail on PostgreSQL; Agnes must fail with the same SQLSTATE.
var failingCases = []string{
	`1 / 0`,
	`7 % 0`,
	`7.5 / 0`,
	`id / (id - id) FROM orders`,
	`regexp_match('abc', 'b', 'g')`,
}

func TestExpressionsMatchPostgres(t *testing.T) {
	ts, token := startBIServer(t)
	pg := startReferencePostgres(t)
	ctx := context.Background()
	agnes := connectPG(t, ts.dsn("bi_user@example.com", token))
	ref := connectPG(t, pg.dsn)
	value := func(c *pgconn.PgConn, expr string) (string, error) {
		res := c.ExecParams(ctx, "SELECT "+expr, nil, nil, nil, nil).Read()
		if res.Err != nil {
			return "", res.Err
		}
		if res.Rows[0][0] == nil {
			return "<NULL>", nil
		}
		return string(res.Rows[0][0]), nil
	}
	for _, expr := range pgExpressionCases {
		want, err := value(ref, expr)
		if err != nil {
			t.Fatalf("PostgreSQL: %s: %v", expr, err)
		}
		got, err := value(agnes, expr)
		if err != nil {
			t.Errorf("%s: %v (PostgreSQL: %q)", expr, err, want)
			continue
		}
		if got != want {
			t.Errorf("%s\n agnes    %q\n postgres %q", expr, got, want)
		}
	}
	for _, expr := range failingCases {
		_, want := value(ref, expr)
		_, got := value(agnes, expr)
		if want == nil || sqlState(got) != sqlState(want) {
			t.Errorf("%s: agnes %v, postgres %v", expr, got, want)
		}
	}
	// A template that is not a constant, or a pattern Agnes cannot
	// reproduce, is refused rather than answered differently.
	for _, expr := range []string{`to_char(now(), customer) FROM orders`, `to_char(now(), 'TZ')`, `to_char(now(), 'DDth')`,
		`regexp_match(customer, customer) FROM orders`} {
		if _, err := value(agnes, expr); sqlState(err) != "0A000" {
			t.Errorf("%s: %v, want 0A000", expr, err)
		}
	}
}
