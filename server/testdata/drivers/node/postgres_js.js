'use strict'
// postgres.js (npm `postgres`) against an Agnes gateway.
//
// Usage: node postgres_js.js DSN
// The analyst behind DSN may read `orders` and not `customers`. Prints OK and
// exits 0 when every check passes; any failed check throws and exits non-zero.
// Every expectation is what postgres.js returns from a real PostgreSQL server
// with its default types: postgres.js fetches array types when it connects,
// prepares every tagged-template query as a named statement (Parse, Describe
// and Flush before Bind, parameters serialized by the described types), and
// sends sql.unsafe() without parameters as a simple Query.

// A zone with a UTC offset makes local-time parsing visible.
process.env.TZ = 'Europe/Prague'

const assert = require('node:assert/strict')
const postgres = require('postgres')

const dsn = process.argv[2]
if (!dsn) throw new Error('usage: node postgres_js.js DSN')

// connect opens a pool of one connection, so "still usable" checks run on
// the connection that saw the error.
function connect(extra) {
  return postgres(dsn, { ssl: false, max: 1, onnotice: () => {}, ...extra })
}

// expectCode awaits a query that must fail with SQLSTATE code (and
// message, when given).
async function expectCode(query, code, what, message) {
  await assert.rejects(query, (err) => {
    assert.equal(err.code, code, `${what}: SQLSTATE ${err.code} (${err.message}), want ${code}`)
    if (message !== undefined) assert.equal(err.message, message, `${what}: message`)
    return true
  }, `${what}: query succeeded, want SQLSTATE ${code}`)
}

async function stillUsable(sql, after) {
  const rows = await sql`SELECT 1 AS one`
  assert.deepEqual([...rows], [{ one: 1 }], `connection unusable after ${after}`)
}

async function checkConnect(sql) {
  const rows = await sql`SELECT count(*) AS n FROM orders`
  assert.deepEqual([...rows], [{ n: '100000' }], 'count(*) of orders (bigint arrives as a string)')
  assert.equal(rows.columns[0].type, 20, 'count(*) type OID')
  const [{ u }] = await sql`SELECT current_user AS u`
  assert.equal(typeof u, 'string', 'current_user is text')
  // Identifiers escaped by the driver.
  const [first] = await sql`SELECT ${sql('id')} FROM ${sql('orders')} ORDER BY ${sql('id')} LIMIT 1`
  assert.deepEqual(first, { id: '1' }, 'query with driver-escaped identifiers')
}

async function checkMetadata(sql) {
  const tables = await sql`
    SELECT table_schema, table_name, table_type
    FROM information_schema.tables
    WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
    ORDER BY table_schema, table_name`
  assert.deepEqual([...tables], [{ table_schema: 'public', table_name: 'orders', table_type: 'BASE TABLE' }],
    'information_schema.tables lists exactly the granted table')

  const rels = await sql`
    SELECT n.nspname, c.relname, c.relkind
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = ANY(${['r', 'v', 'm', 'p', 'f']})
      AND n.nspname <> ALL(${['pg_catalog', 'information_schema']})
    ORDER BY 1, 2`
  assert.deepEqual([...rels], [{ nspname: 'public', relname: 'orders', relkind: 'r' }],
    'pg_class ⋈ pg_namespace lists exactly the granted table')

  const [hidden] = await sql`SELECT count(*) AS n FROM pg_catalog.pg_class WHERE relname = ${'customers'}`
  assert.equal(hidden.n, '0', 'ungranted table appears in pg_class')

  const cols = await sql`
    SELECT column_name, ordinal_position, data_type, udt_name, numeric_precision, numeric_scale
    FROM information_schema.columns
    WHERE table_schema = ${'public'} AND table_name = ${'orders'}
    ORDER BY ordinal_position`
  assert.deepEqual(cols.map((c) => c.column_name),
    ['id', 'customer_id', 'product_id', 'amount', 'status', 'created_at', 'region'], 'orders columns in order')
  const byName = Object.fromEntries(cols.map((c) => [c.column_name, c]))
  assert.deepEqual([byName.id.data_type, byName.id.udt_name, byName.id.ordinal_position], ['bigint', 'int8', 1], 'id type')
  assert.deepEqual([byName.amount.data_type, byName.amount.numeric_precision, byName.amount.numeric_scale],
    ['numeric', 12, 2], 'amount type')
  assert.ok(['text', 'character varying'].includes(byName.region.data_type),
    `region data_type ${byName.region.data_type}, want a PostgreSQL string type`)
  assert.equal(byName.created_at.data_type, 'timestamp without time zone', 'created_at type')

  const [none] = await sql`SELECT count(*) AS n FROM information_schema.columns WHERE table_name = ${'customers'}`
  assert.equal(none.n, '0', 'columns of an ungranted table are visible')
}

const typedSQL = `SELECT
  42::int AS i, 9000000000::bigint AS b, 1.5::float8 AS d, 12.34::numeric(10,2) AS n,
  'héllo'::text AS t, true AS bo, DATE '2024-01-02' AS da,
  TIMESTAMP '2024-01-02 03:04:05.123456' AS ts, TIMESTAMPTZ '2024-01-02 03:04:05+00' AS tz,
  INTERVAL '1 day 02:03:04' AS iv, '6f1c1d58-2b1e-4a7e-9c3b-1f2e3d4c5b6a'::uuid AS u,
  '\\xdeadbeef'::bytea AS by, ARRAY[1,2,3] AS ia, ARRAY['a','b c',NULL] AS ta, NULL::int AS nu`

const typedOIDs = [23, 20, 701, 1700, 25, 16, 1082, 1114, 1184, 1186, 2950, 17, 1007, 1009, 23]

// checkParsed compares one row of typedSQL (or its parameterised twin) as
// postgres.js's default types deliver it.
function checkParsed(row, columns, how) {
  assert.deepEqual(columns.map((c) => c.type), typedOIDs, `${how}: column type OIDs`)
  assert.equal(row.i, 42, `${how}: int`)
  assert.equal(row.b, '9000000000', `${how}: bigint arrives as a string`)
  assert.equal(row.d, 1.5, `${how}: float8`)
  assert.equal(row.n, '12.34', `${how}: numeric arrives as a string`)
  assert.equal(row.t, 'héllo', `${how}: text`)
  assert.equal(row.bo, true, `${how}: bool`)
  assert.ok(row.da instanceof Date, `${how}: date arrives as a Date`)
  assert.equal(row.da.toISOString(), '2024-01-02T00:00:00.000Z', `${how}: date (new Date of an ISO date is UTC midnight)`)
  assert.ok(row.ts instanceof Date, `${how}: timestamp arrives as a Date`)
  assert.equal(row.ts.getTime(), new Date(2024, 0, 2, 3, 4, 5, 123).getTime(),
    `${how}: timestamp is local wall-clock time, got ${row.ts.toISOString()}`)
  assert.ok(row.tz instanceof Date, `${how}: timestamptz arrives as a Date`)
  assert.equal(row.tz.toISOString(), '2024-01-02T03:04:05.000Z', `${how}: timestamptz instant`)
  assert.equal(row.iv, '1 day 02:03:04', `${how}: interval arrives as PostgreSQL's text`)
  assert.equal(row.u, '6f1c1d58-2b1e-4a7e-9c3b-1f2e3d4c5b6a', `${how}: uuid`)
  assert.ok(Buffer.isBuffer(row.by), `${how}: bytea arrives as a Buffer`)
  assert.equal(row.by.toString('hex'), 'deadbeef', `${how}: bytea bytes`)
  assert.deepEqual(row.ia, [1, 2, 3], `${how}: int[]`)
  // postgres.js's array parser reads an unquoted NULL element of a text
  // array as the string 'NULL' (from PostgreSQL too: '{a,"b c",NULL}').
  assert.deepEqual(row.ta, ['a', 'b c', 'NULL'], `${how}: text[]`)
  assert.equal(row.nu, null, `${how}: NULL`)
}

async function checkTypes(sql) {
  await sql.unsafe("SET TimeZone = 'UTC'")

  // Simple protocol.
  const simple = await sql.unsafe(typedSQL)
  checkParsed(simple[0], simple.columns, 'simple protocol')

  // Several statements in one simple Query: one result per statement.
  const multi = await sql.unsafe('SELECT 1 AS a; SELECT $$two$$ AS b')
  assert.deepEqual(multi.map((r) => [...r]), [[{ a: 1 }], [{ b: 'two' }]], 'multi-statement simple query')

  // Extended protocol: a prepared statement whose parameters postgres.js
  // serializes by the types the gateway described. Date, timestamp and
  // timestamptz parameters go out as toISOString() (UTC with Z), which
  // PostgreSQL reads as wall-clock time for a timestamp: the UTC fields of
  // the Date come back as local time.
  const ext = await sql`SELECT ${42}::int AS i, ${'9000000000'}::bigint AS b, ${1.5}::float8 AS d,
    ${'12.34'}::numeric(10,2) AS n, ${'héllo'}::text AS t, ${true}::bool AS bo, ${'2024-01-02'}::date AS da,
    ${new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 123))}::timestamp AS ts, ${new Date(Date.UTC(2024, 0, 2, 3, 4, 5))}::timestamptz AS tz,
    ${'1 day 02:03:04'}::interval AS iv, ${'6f1c1d58-2b1e-4a7e-9c3b-1f2e3d4c5b6a'}::uuid AS u,
    ${Buffer.from('deadbeef', 'hex')}::bytea AS by, ${[1, 2, 3]}::int[] AS ia, ${sql.array(['a', 'b c', null])}::text[] AS ta,
    ${null}::int AS nu`
  checkParsed(ext[0], ext.columns, 'extended protocol')

  // The typed literals through Parse/Bind/Execute without parameters.
  const prepared = await sql.unsafe(typedSQL, [], { prepare: true })
  checkParsed(prepared[0], prepared.columns, 'extended protocol, no parameters')

  // Parameters typed by their JavaScript value (postgres.js declares Date as
  // timestamptz, booleans, Buffers) or left to the server (text).
  const [bare] = await sql`SELECT ${new Date(Date.UTC(2024, 0, 2, 3, 4, 5))} AS d, ${true} AS b,
    ${Buffer.from('ff00', 'hex')} AS by, ${'x'} AS t, ${null} IS NULL AS n`
  assert.ok(bare.d instanceof Date, `bare timestamptz parameter: got ${typeof bare.d} ${bare.d}`)
  assert.equal(bare.d.toISOString(), '2024-01-02T03:04:05.000Z', 'bare timestamptz parameter')
  assert.equal(bare.b, true, 'bare bool parameter')
  assert.ok(Buffer.isBuffer(bare.by) && bare.by.toString('hex') === 'ff00', `bare bytea parameter: ${bare.by}`)
  assert.equal(bare.t, 'x', 'bare text parameter')
  assert.equal(bare.n, true, 'NULL parameter IS NULL')

  const optional = (status) => sql`SELECT count(*) AS n FROM orders WHERE ${status} IS NULL OR status = ${status}`
  assert.equal((await optional(null))[0].n, '100000', 'optional filter left out')
  const pending = Number((await optional('pending'))[0].n)
  assert.ok(pending > 0 && pending < 100000, `optional filter applied: ${pending} pending orders`)

  // A list of values as one array parameter.
  const listed = await sql`SELECT id FROM orders WHERE id = ANY(${[3, 1, 2, 0]}) ORDER BY id`
  assert.deepEqual(listed.map((r) => r.id), ['1', '2', '3'], 'WHERE id = ANY(array)')
  const [byStatus] = await sql`SELECT count(*) AS n FROM orders WHERE id <= 10
    AND status = ANY(${sql.array(['completed', 'shipped', 'pending', 'cancelled', 'refunded'])})`
  assert.equal(byStatus.n, '10', 'WHERE status = ANY(array)')

  // Table data through parameters.
  const rows = await sql`SELECT id, amount, status, created_at FROM orders WHERE id IN ${sql([7, 8])} ORDER BY id`
  assert.deepEqual(rows.map((r) => r.id), ['7', '8'], 'orders by a list of ids')
  assert.match(rows[0].amount, /^\d+\.\d{2}$/, 'orders.amount is numeric(12,2) text')
  assert.ok(rows[0].created_at instanceof Date, 'orders.created_at is a Date')
  await sql.unsafe('RESET TimeZone')
}

async function checkPrepared(sql) {
  for (let i = 0; i < 20; i++) {
    const rows = await sql`SELECT ${i}::int * 2 AS a, ${'v' + i}::text AS s`
    assert.deepEqual([...rows], [{ a: i * 2, s: `v${i}` }], `prepared statement, run ${i}`)
  }
  for (const id of [1, 500, 99999, 100000]) {
    const rows = await sql`SELECT id, region FROM orders WHERE id = ${id}`
    assert.equal(rows.length, 1, `prepared order by id ${id}: rows`)
    assert.equal(rows[0].id, String(id), `prepared order by id ${id}: id`)
  }
  const none = await sql`SELECT id, region FROM orders WHERE id = ${0}`
  assert.equal(none.length, 0, 'prepared statement with no matching row')
}

async function checkCursor(sql) {
  let n = 0
  let chunks = 0
  for await (const rows of sql`SELECT id FROM orders ORDER BY id`.cursor(1000)) {
    chunks++
    assert.ok(rows.length <= 1000, `cursor chunk of ${rows.length} rows, want at most 1000`)
    for (const row of rows) {
      n++
      assert.equal(row.id, String(n), `cursor row ${n} out of order`)
    }
  }
  assert.equal(n, 100000, 'rows read through the cursor')
  assert.equal(chunks, 100, 'cursor chunks of 1000')

  // Leaving a cursor early closes it; the connection goes on.
  let seen = 0
  for await (const rows of sql`SELECT id FROM orders WHERE id > ${50000} ORDER BY id`.cursor(10)) {
    seen += rows.length
    assert.equal(rows[0].id, '50001', 'first row of a cursor with a parameter')
    break
  }
  assert.equal(seen, 10, 'rows of an abandoned cursor')
  await stillUsable(sql, 'a cursor')

  // forEach streams row by row.
  let sum = 0
  await sql`SELECT id FROM orders WHERE id <= ${1000}`.forEach((row) => { sum += Number(row.id) })
  assert.equal(sum, 500500, 'rows streamed by forEach')
}

// longQuery runs for minutes on the demo data, long past every cancel here.
const longQuery = 'SELECT count(*) FROM orders a, orders b'

// PostgreSQL's messages for the two causes of 57014.
const byTimeout = 'canceling statement due to statement timeout'
const byUser = 'canceling statement due to user request'

async function checkCancel() {
  // statement_timeout as a startup parameter.
  const timed = connect({ connection: { statement_timeout: 500 } })
  const [st] = await timed`SHOW statement_timeout`
  assert.equal(st.statement_timeout, '500ms', 'statement_timeout from the startup packet')
  await expectCode(timed.unsafe(longQuery), '57014', 'statement_timeout from the startup packet', byTimeout)
  await stillUsable(timed, 'a statement timeout')
  await timed.end()

  const sql = connect()
  // query.cancel() sends CancelRequest with the connection's key.
  for (const [how, start] of [
    ['simple', () => sql.unsafe(longQuery)],
    ['prepared', () => sql`SELECT count(*) FROM orders a, orders b WHERE a.id > ${0}`],
  ]) {
    const q = start().execute()
    await new Promise((resolve) => setTimeout(resolve, 300))
    q.cancel()
    await expectCode(q, '57014', `query.cancel() of a ${how} query`, byUser)
    await stillUsable(sql, `a cancelled ${how} query`)
  }
  await sql.end()
}

async function checkErrors(sql) {
  await expectCode(sql`SELECT * FROM customers`, '42P01', 'ungranted table (prepared)')
  await stillUsable(sql, '42P01')
  await expectCode(sql.unsafe('SELECT * FROM customers'), '42P01', 'ungranted table (simple)')
  await stillUsable(sql, '42P01 (simple)')
  await expectCode(sql`SELECT * FROM customers WHERE id = ${1}`, '42P01', 'ungranted table with a parameter')
  await stillUsable(sql, '42P01 with a parameter')
  await expectCode(sql`SELEC 1`, '42601', 'syntax error (prepared)')
  await stillUsable(sql, '42601')
  await expectCode(sql.unsafe('SELEC 1'), '42601', 'syntax error (simple)')
  await stillUsable(sql, '42601 (simple)')

  // sql.begin rolls back when its callback throws.
  await assert.rejects(sql.begin(async (tx) => {
    const [{ n }] = await tx`SELECT count(*) AS n FROM orders WHERE id <= ${10}`
    assert.equal(n, '10', 'query inside a transaction')
    await tx`SELECT * FROM customers`
  }), (err) => {
    assert.equal(err.code, '42P01', `error inside sql.begin: ${err.code} (${err.message})`)
    return true
  }, 'ungranted table inside sql.begin succeeded')
  await stillUsable(sql, 'a rolled-back transaction')

  // The same by hand on the reserved connection: the aborted transaction
  // refuses statements until ROLLBACK.
  const conn = await sql.reserve()
  await conn`BEGIN`
  await expectCode(conn`SELEC 1`, '42601', 'syntax error inside a transaction')
  await expectCode(conn`SELECT 1`, '25P02', 'statement in an aborted transaction')
  await conn`ROLLBACK`
  await stillUsable(conn, 'ROLLBACK of a failed transaction')
  conn.release()

  // Unnamed statements (prepare: false), as behind a transaction pooler.
  const unnamed = connect({ prepare: false })
  for (let i = 0; i < 3; i++) {
    const rows = await unnamed`SELECT ${i}::int AS i, ${'x'} AS s`
    assert.deepEqual([...rows], [{ i, s: 'x' }], `unnamed statement, run ${i}`)
  }
  await expectCode(unnamed`SELECT * FROM customers WHERE id = ${1}`, '42P01', 'ungranted table (unnamed statement)')
  await stillUsable(unnamed, '42P01 (unnamed statement)')
  await unnamed.end()

  // A committed read-only transaction.
  const res = await sql.begin(async (tx) => [await tx`SELECT 1 AS a`, await tx`SELECT 2 AS b`])
  assert.deepEqual(res.map((r) => [...r]), [[{ a: 1 }], [{ b: 2 }]], 'results of sql.begin')
}

// check runs one group of checks, naming it on stderr so a hang or a
// failure shows where it happened.
async function check(name, fn, ...args) {
  console.error(`check: ${name}`)
  await fn(...args)
}

async function main() {
  const sql = connect()
  await check('connect', checkConnect, sql)
  await check('metadata', checkMetadata, sql)
  await check('types', checkTypes, sql)
  await check('prepared', checkPrepared, sql)
  await check('cursor', checkCursor, sql)
  await check('errors', checkErrors, sql)
  await sql.end()
  await check('cancel', checkCancel)
  console.log('OK')
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
