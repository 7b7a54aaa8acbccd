// Package planner turns the SQL text a client sends into checked, routed,
// rewritten plans. It is where Agnes decides what a principal may run: every
// statement is parsed with PostgreSQL's grammar (pg_query), every relation
// and function is checked against the principal's grants and the allow-lists,
// and what DuckDB eventually executes is SQL the planner printed from the
// checked tree, never the client's text.
//
// # Pipeline
//
// PlanQuery(sql, opt) handles one query string:
//
//	checkInput   limits.go     length, UTF-8, NUL, pre-parse nesting estimate
//	parse        parse.go      pg_query.Parse; split into statements
//	per statement, statement.go dispatches on the statement kind:
//	  SELECT/VALUES/TABLE  planQuery:
//	    analyze    analyze.go    walk the tree: CTE scopes, relations, functions,
//	                             parameters; refuse unreviewed node types
//	    authorize  authorize.go  bind each relation (CTE | granted table |
//	                             catalog relation, catalog.go); check each
//	                             function (functions.go)
//	    route      route.go      catalog | local | hybrid
//	    rewrite    rewrite.go    sandbox names, CTE renames, pg_catalog fixes,
//	                             catalog system columns (catalog.go); deparse;
//	                             verify (statement splitter + leading keyword,
//	                             or a full re-parse for WITH)
//	               colname.go    PostgreSQL's result column names as aliases;
//	                             Plan.Targets (what each column is)
//	               compat.go     PostgreSQL syntax DuckDB lacks or reads
//	               literals.go   differently (~ operators, '{1,2}'::int[],
//	               format.go     '\x..'::bytea, format(), generate_series
//	               fromfuncs.go  types, scalar functions in FROM); with
//	                             Options.Compat, functions, reg* casts and
//	                             CURRENT_USER & co. go to the compatibility
//	                             catalog (package pgcompat)
//	               tochar.go     to_char/to_date/to_timestamp templates
//	               numeric.go    unconstrained numeric, round(x, n), division
//	                             by zero as an error
//	               anyparam.go   x = ANY($1) / x <> ALL($1)
//	               constant.go   Plan.Constants: literal-only SELECTs answered
//	                             without the engine
//	               statement.go  Plan.Source: the one table a SELECT reads,
//	                             for result column origins
//	  EXPLAIN              statement.go  plans the inner query (Plan.Explain)
//	  COPY ... TO STDOUT   copy.go       plans the query, or SELECT * FROM table
//	  SET/SHOW/RESET, BEGIN/COMMIT/…, PREPARE/EXECUTE/DEALLOCATE,
//	  DECLARE/FETCH/CLOSE, DISCARD   session.go   route "session"
//	  anything else                 refused (42501, or 0A000)
//
// The result is one Plan per statement (plan.go): a plain value with the
// statement kind, route, tables read (for the audit row), the SQL for DuckDB
// and, for session statements, the SessionCommand the gateway carries out.
// Plan.String prints it; EXPLAIN shows that to the client. An optional
// PlanCache (cache.go) reuses the plans of repeated strings after asking the
// resolver again.
//
// # Invariants
//
//  1. DuckDB runs only Plan.SQL (and Explain/Inner SQL): the deparsed,
//     rewritten tree of exactly one checked statement, verified to re-parse
//     as one statement of the same type. Session plans carry no SQL: SHOW,
//     SET and friends are answered by the gateway, never by DuckDB, which
//     gives them other meanings (SHOW x is DESCRIBE x; SET names engine
//     settings).
//  2. Deny by default at every level: statement kinds (statement.go), parse
//     tree node types (queryNodes in analyze.go), functions (functions.go,
//     which a test keeps complete against DuckDB's own function list),
//     relations (authorize.go), SET parameters (session.go), COPY directions
//     and options (copy.go).
//  3. Every relation reference binds to exactly one of: a CTE in scope, a
//     table the resolver returns, or a PostgreSQL catalog relation. Anything
//     else, a table that does not exist or one that is not granted, gets the
//     same pgerr.UndefinedRelation error with the same position, so probing
//     reveals no table names. Rewrite makes the binding stick in DuckDB:
//     tables become schema-qualified sandbox names, catalog relations become
//     schema-qualified, and CTEs are renamed (__agnes_cteN, with the
//     client's name kept as the alias), so DuckDB cannot bind a name to
//     something other than what was checked, whatever its scoping rules.
//     CTE scoping follows DuckDB: a CTE body sees earlier siblings and,
//     under RECURSIVE, itself, never later siblings; names compare
//     case-insensitively, quoted or not.
//  4. Every error is a *pgerr.Error: 42601 with the parser's position, 42P01
//     and 42501 with the position of the refused relation or function,
//     54001/54000 for limits, 0A000 for constructs Agnes does not support.
//  5. No input crashes the process (limits.go, and the numbers below).
//  6. Result columns are named as PostgreSQL names them (FigureColname),
//     and with Options.Compat no catalog relation reaches DuckDB's own
//     pg_catalog: a relation the compatibility catalog does not serve is
//     refused (0A000), so DuckDB's settings and internals stay unseen.
//  7. The analyzer walks every field of every node: nodes it does not handle
//     itself are walked by protobuf reflection, and TestAnalyzerMissesNoField
//     places a relation under every field of every accepted node type to
//     prove it (also for fields a future pg_query adds).
//  8. The SQL printed for a SELECT parses back to the tree that was checked
//     and rewritten, so DuckDB runs the statement the planner checked.
//     printSelect (print.go) ports pg_query's C deparser and prints its text
//     byte for byte wherever that text parses back to the tree; where it
//     does not (the deparser drops parentheses an operand needs, as in
//     (a OR b) IN (…) or x AT TIME ZONE (a + b), and prints some names
//     without quotes), printSelect adds the parentheses or quotes, and it
//     leaves trees that no text expresses to the C deparser (and so to the
//     verification). The tests parse the printed text again and compare the
//     trees without locations, with only the normalizations canonicalTree
//     lists ('t'::bool printed as true, nested ANDs read back flat …): for
//     every statement the planner tests print (the checkPrinted hook), the
//     client and tool corpus, fuzzed SQL (FuzzPrintSelect) and mutated
//     trees (TestPrintSelectMutatedTrees); the text must also be the C
//     deparser's wherever the C deparser's parses back.
//
// # Limits measured
//
// pg_query parses and deparses in C on the calling thread's stack and does
// not check its depth everywhere. Measured with pg_query_go v6.2.5
// (PostgreSQL 17 grammar) on linux/amd64 with 8 MiB thread stacks (glibc's
// default; check `ulimit -s` where the gateway runs, a smaller stack lowers
// every number here), by TestMeasureParserCrashDepth:
//
//	shape (n levels)             C parser crashes   parser/Go decoder refuses   deparse crashes
//	SELECT 1+1+…+1                     23,777              4,996                      4,429
//	SELECT 1::int::int…                23,777              4,996                      4,429
//	SELECT 1 FROM t JOIN t ON … JOIN   23,778              4,997                      4,430
//	SELECT 1 UNION SELECT 1 …          47,553              9,992                      8,858
//	SELECT NOT NOT … true              none                4,996                      4,429
//	SELECT f(f(…(1)…))                 none                4,996                      4,429
//	SELECT ((…(1)…))                   none                9,994 (bison stack)        none
//	SELECT CASE WHEN CASE WHEN …       none                2,498                      2,215
//	SELECT (SELECT (…))                none                1,666                      1,477
//
// The deparser crashes on trees about 8,900 protobuf messages deep, which Go
// still decodes (its limit is 10,000). Hence:
//
//   - before parsing, roughNesting bounds the tree depth by counting
//     operators, brackets and chaining keywords; above 4,000 (6x below the
//     C parser's crash) scannedNesting measures it with PostgreSQL's own
//     lexer, and an estimate above 4,000 is refused with 54001;
//   - after parsing, the analyzer refuses trees deeper than MaxDepth
//     (default 2,000 messages, about 1,000 operator levels; 4.4x below the
//     deparser's crash), which also bounds the analyzer's own recursion;
//   - query strings are at most MaxLength bytes (default 1 MiB) and
//     MaxStatements statements (default 1,000).
//
// TestNestingLimitsKeepTheProcessAlive plans every shape from harmless to
// 100,000 levels in a child process and fails if any crashes.
//
// # Debugging
//
//   - Print the plan: p.String() shows kind, route, tables, catalog relations,
//     functions and the SQL DuckDB runs; a client sees the same with EXPLAIN.
//   - pg_query.ParseToJSON(sql) shows the tree the analyzer walks.
//   - 42P01 for a table the user expects: the resolver did not return it
//     (grants), or the name's schema is not on the session's search_path;
//     note the PostgreSQL-facing schema is "public" (DuckDB's "main" is not
//     a name clients can use).
//   - 42501 "function f() is not allowed" / 42883 for an unknown function:
//     functions.go decides; add a function there after review.
//   - 0A000 "X is not supported": the node type is not in queryNodes.
//   - TestFunctionsClassified fails after a DuckDB upgrade: classify the new
//     functions in functions.go (allowed where, or denied why).
//   - A column named differently than on PostgreSQL: colname.go
//     (TestColumnNamesMatchPostgres runs statements on a local
//     PostgreSQL and compares).
//   - 0A000 "statement uses syntax the gateway cannot rewrite safely" (detail
//     "rewritten statement failed verification"): the deparser printed
//     something that parses differently; that is a bug of printSelect or,
//     for what it leaves to pg_query's deparser, of pg_query, and the
//     statement is refused until it is fixed.
package planner
