'use strict'
// node-postgres (pg, pg-cursor) against an Agnes gateway.
//
// Usage: node node_pg.js DSN
// The analyst behind DSN may read `orders` and not `customers`. Prints OK and
// exits 0 when every check passes; any failed check throws and exits non-zero.
// Every expectation is what pg returns from a real PostgreSQL server with pg's
// default type parsers (no setTypeParser).

// A zone with a UTC offset makes pg's local-time Date handling visible:
// timestamps without time zone must round-trip in local time.
process.env.TZ = 'Europe/Prague'

const assert = require('node:assert/strict')
const pg = require('pg')
const Cursor = require('pg-cursor')

const dsn = process.argv[2]
if (!dsn) throw new Error('usage: node node_pg.js DSN')

// rawText makes a query return every column as the server's text, to compare
// the gateway's output byte for byte with PostgreSQL's.
const rawText = { getTypeParser: () => (v) => v }

// expectCode runs a query that must fail with SQLSTATE code (and message,
// when given).
async function expectCode(client, query, code, what, message) {
  await assert.rejects(client.query(query), (err) => {
    assert.equal(err.code, code, `${what}: SQLSTATE ${err.code} (${err.message}), want ${code}`)
    if (message !== undefined) assert.equal(err.message, message, `${what}: message`)
    return true
  }, `${what}: query succeeded, want SQLSTATE ${code}`)
}

// stillUsable checks the connection answers after an error.
async function stillUsable(client, after) {
  const r = await client.query('SELECT 1 AS one')
  assert.deepEqual(r.rows, [{ one: 1 }], `connection unusable after ${after}`)
}

// connect opens a client and checks the server authenticated it with
// SCRAM-SHA-256 (the PAT is the password), never a cleartext password.
async function connect(extra) {
  const client = new pg.Client({ connectionString: dsn, application_name: 'agnes-node-pg', ...extra })
  const auth = []
  client.connection.on('authenticationSASL', (msg) => auth.push(...msg.mechanisms))
  client.connection.on('authenticationCleartextPassword', () => auth.push('cleartext'))
  client.connection.on('authenticationMD5Password', () => auth.push('md5'))
  await client.connect()
  assert.deepEqual(auth, ['SCRAM-SHA-256'], 'authentication mechanisms offered by the server')
  return client
}

async function checkConnect(client) {
  const r = await client.query('SELECT count(*) AS n FROM orders')
  assert.equal(r.rows[0].n, '100000', 'count(*) of orders (bigint arrives as a string)')
  assert.equal(r.fields[0].dataTypeID, 20, 'count(*) type OID')
  const who = await client.query('SELECT current_user AS u')
  assert.equal(typeof who.rows[0].u, 'string', 'current_user is text')
  const app = await client.query('SHOW application_name')
  assert.deepEqual(app.rows, [{ application_name: 'agnes-node-pg' }], 'application_name from the startup packet')
  // Several statements in one simple Query: one result per statement.
  const multi = await client.query('SELECT 1 AS a; SELECT $$two$$ AS b')
  assert.ok(Array.isArray(multi) && multi.length === 2, 'multi-statement query gives two results')
  assert.deepEqual(multi.map((r) => r.rows), [[{ a: 1 }], [{ b: 'two' }]], 'multi-statement query results')
  const arr = await client.query({ text: 'SELECT 1 AS a, $1::text AS b', values: ['x'], rowMode: 'array' })
  assert.deepEqual(arr.rows, [[1, 'x']], 'rowMode array')
}

async function checkMetadata(client) {
  const tables = await client.query(`
    SELECT table_schema, table_name, table_type
    FROM information_schema.tables
    WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
    ORDER BY table_schema, table_name`)
  assert.deepEqual(tables.rows, [{ table_schema: 'public', table_name: 'orders', table_type: 'BASE TABLE' }],
    'information_schema.tables lists exactly the granted table')

  const rels = await client.query(`
    SELECT n.nspname, c.relname, c.relkind
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname !~ '^pg_toast'
    ORDER BY 1, 2`)
  assert.deepEqual(rels.rows, [{ nspname: 'public', relname: 'orders', relkind: 'r' }],
    'pg_class ⋈ pg_namespace lists exactly the granted table')

  const hidden = await client.query(
    "SELECT count(*) AS n FROM pg_catalog.pg_class WHERE relname = 'customers'")
  assert.equal(hidden.rows[0].n, '0', 'ungranted table appears in pg_class')

  const cols = await client.query(`
    SELECT column_name, ordinal_position, data_type, udt_name, numeric_precision, numeric_scale
    FROM information_schema.columns
    WHERE table_schema = 'public' AND table_name = $1
    ORDER BY ordinal_position`, ['orders'])
  const byName = Object.fromEntries(cols.rows.map((c) => [c.column_name, c]))
  assert.deepEqual(cols.rows.map((c) => c.column_name),
    ['id', 'customer_id', 'product_id', 'amount', 'status', 'created_at', 'region'], 'orders columns in order')
  assert.deepEqual(cols.rows.map((c) => c.ordinal_position), [1, 2, 3, 4, 5, 6, 7], 'ordinal_position')
  assert.deepEqual([byName.id.data_type, byName.id.udt_name], ['bigint', 'int8'], 'id type')
  assert.deepEqual([byName.amount.data_type, byName.amount.udt_name, byName.amount.numeric_precision, byName.amount.numeric_scale],
    ['numeric', 'numeric', 12, 2], 'amount type')
  assert.ok(['text', 'character varying'].includes(byName.status.data_type),
    `status data_type ${byName.status.data_type}, want a PostgreSQL string type`)
  assert.deepEqual([byName.created_at.data_type, byName.created_at.udt_name],
    ['timestamp without time zone', 'timestamp'], 'created_at type')

  const none = await client.query(
    "SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'customers'")
  assert.equal(none.rows[0].n, '0', 'columns of an ungranted table are visible')

  const attrs = await client.query(`
    SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type
    FROM pg_catalog.pg_attribute a
    JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relname = 'orders' AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY a.attnum`)
  assert.deepEqual(attrs.rows.slice(0, 4).map((a) => a.type), ['bigint', 'bigint', 'bigint', 'numeric(12,2)'],
    'format_type of orders columns')
  assert.equal(attrs.rows[5].type, 'timestamp without time zone', 'format_type of created_at')
}

const typedSQL = `SELECT
  42::int AS i, 9000000000::bigint AS b, 1.5::float8 AS d, 12.34::numeric(10,2) AS n,
  'héllo'::text AS t, true AS bo, DATE '2024-01-02' AS da,
  TIMESTAMP '2024-01-02 03:04:05.123456' AS ts, TIMESTAMPTZ '2024-01-02 03:04:05+00' AS tz,
  INTERVAL '1 day 02:03:04' AS iv, '6f1c1d58-2b1e-4a7e-9c3b-1f2e3d4c5b6a'::uuid AS u,
  '\\xdeadbeef'::bytea AS by, ARRAY[1,2,3] AS ia, ARRAY['a','b c',NULL] AS ta, NULL::int AS nu`

// typedOIDs are PostgreSQL's type OIDs of typedSQL's columns.
const typedOIDs = [23, 20, 701, 1700, 25, 16, 1082, 1114, 1184, 1186, 2950, 17, 1007, 1009, 23]

// typedText is PostgreSQL's text output of typedSQL with TimeZone UTC.
const typedText = {
  i: '42', b: '9000000000', d: '1.5', n: '12.34', t: 'héllo', bo: 't', da: '2024-01-02',
  ts: '2024-01-02 03:04:05.123456', tz: '2024-01-02 03:04:05+00', iv: '1 day 02:03:04',
  u: '6f1c1d58-2b1e-4a7e-9c3b-1f2e3d4c5b6a', by: '\\xdeadbeef', ia: '{1,2,3}', ta: '{a,"b c",NULL}', nu: null,
}

// checkParsed compares one row of typedSQL (or its parameterised twin) as
// pg's default parsers deliver it.
function checkParsed(row, how) {
  assert.equal(row.i, 42, `${how}: int`)
  assert.equal(row.b, '9000000000', `${how}: bigint arrives as a string`)
  assert.equal(row.d, 1.5, `${how}: float8`)
  assert.equal(row.n, '12.34', `${how}: numeric arrives as a string`)
  assert.equal(row.t, 'héllo', `${how}: text`)
  assert.equal(row.bo, true, `${how}: bool`)
  assert.ok(row.da instanceof Date, `${how}: date arrives as a Date, got ${typeof row.da} ${row.da}`)
  assert.equal(row.da.getTime(), new Date(2024, 0, 2).getTime(), `${how}: date is local midnight, got ${row.da.toISOString()}`)
  assert.ok(row.ts instanceof Date, `${how}: timestamp arrives as a Date`)
  assert.equal(row.ts.getTime(), new Date(2024, 0, 2, 3, 4, 5, 123).getTime(),
    `${how}: timestamp is local wall-clock time, got ${row.ts.toISOString()}`)
  assert.ok(row.tz instanceof Date, `${how}: timestamptz arrives as a Date`)
  assert.equal(row.tz.getTime(), Date.UTC(2024, 0, 2, 3, 4, 5), `${how}: timestamptz instant, got ${row.tz.toISOString()}`)
  assert.deepEqual({ days: row.iv.days, hours: row.iv.hours, minutes: row.iv.minutes, seconds: row.iv.seconds },
    { days: 1, hours: 2, minutes: 3, seconds: 4 }, `${how}: interval (${JSON.stringify(row.iv)})`)
  assert.equal(row.u, '6f1c1d58-2b1e-4a7e-9c3b-1f2e3d4c5b6a', `${how}: uuid`)
  assert.ok(Buffer.isBuffer(row.by), `${how}: bytea arrives as a Buffer`)
  assert.equal(row.by.toString('hex'), 'deadbeef', `${how}: bytea bytes`)
  assert.deepEqual(row.ia, [1, 2, 3], `${how}: int[]`)
  assert.deepEqual(row.ta, ['a', 'b c', null], `${how}: text[]`)
  assert.equal(row.nu, null, `${how}: NULL`)
}

async function checkTypes(client) {
  await client.query("SET TimeZone = 'UTC'")

  // Simple protocol: a query without parameters goes out as one Query message.
  const raw = await client.query({ text: typedSQL, types: rawText })
  assert.deepEqual(raw.fields.map((f) => f.dataTypeID), typedOIDs, 'simple protocol: column type OIDs')
  assert.deepEqual(raw.rows[0], typedText, 'simple protocol: text output')
  checkParsed((await client.query(typedSQL)).rows[0], 'simple protocol')

  // Extended protocol with parameters: pg sends them as text (Buffers as
  // binary) and asks for text results.
  const paramSQL = `SELECT $1::int AS i, $2::bigint AS b, $3::float8 AS d, $4::numeric(10,2) AS n,
    $5::text AS t, $6::bool AS bo, $7::date AS da, $8::timestamp AS ts, $9::timestamptz AS tz,
    $10::interval AS iv, $11::uuid AS u, $12::bytea AS by, $13::int[] AS ia, $14::text[] AS ta, $15::int AS nu`
  const values = [42, 9000000000n, 1.5, '12.34', 'héllo', true, new Date(2024, 0, 2),
    new Date(2024, 0, 2, 3, 4, 5, 123), new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), '1 day 02:03:04',
    '6f1c1d58-2b1e-4a7e-9c3b-1f2e3d4c5b6a', Buffer.from('deadbeef', 'hex'), [1, 2, 3], ['a', 'b c', null], null]
  const ext = await client.query(paramSQL, values)
  assert.deepEqual(ext.fields.map((f) => f.dataTypeID), typedOIDs, 'extended protocol: column type OIDs')
  checkParsed(ext.rows[0], 'extended protocol')
  // The same typed literals as typedSQL, but through Parse/Bind/Execute.
  const extRaw = await client.query({ text: typedSQL.replace('42::int', '$1::int'), values: [42], types: rawText })
  assert.deepEqual(extRaw.rows[0], typedText, 'extended protocol: text output')

  // Parameters compared on the server side.
  const cmp = await client.query('SELECT $1::bigint = 9000000000 AS big, $2::text = \'héllo\' AS txt, $3::bytea = \'\\xdeadbeef\'::bytea AS bin, $4::int IS NULL AS nul',
    ['9000000000', 'héllo', Buffer.from('deadbeef', 'hex'), null])
  assert.deepEqual(cmp.rows[0], { big: true, txt: true, bin: true, nul: true }, 'parameters as the server sees them')

  // Parameters only PostgreSQL's defaulting types (as text): a bare $n in
  // the select list, $n IS NULL, the optional filter pattern.
  const untyped = await client.query('SELECT 1 AS a, $1 AS b, $2 IS NULL AS c', ['x', null])
  assert.deepEqual(untyped.fields.map((f) => [f.name, f.dataTypeID]), [['a', 23], ['b', 25], ['c', 16]],
    'columns of a statement with untyped parameters')
  assert.deepEqual(untyped.rows, [{ a: 1, b: 'x', c: true }], 'row of a statement with untyped parameters')
  const optional = 'SELECT count(*) AS n FROM orders WHERE $1 IS NULL OR status = $1'
  assert.deepEqual((await client.query(optional, [null])).rows, [{ n: '100000' }], 'optional filter left out')
  const pending = (await client.query(optional, ['pending'])).rows[0].n
  assert.ok(Number(pending) > 0 && Number(pending) < 100000, `optional filter applied: ${pending} pending orders`)

  // More of PostgreSQL's text output: zones, intervals, floats, arrays.
  await client.query("SET TimeZone = 'Europe/Prague'")
  const more = await client.query({ types: rawText, text: `SELECT
    TIMESTAMPTZ '2024-07-01 12:00:00+00' AS summer, TIMESTAMPTZ '2024-01-02 03:04:05.5+00' AS winter,
    INTERVAL '1 year 2 months 3 days 04:05:06.5' AS iv1, INTERVAL '-1 day 2 hours' AS iv2, INTERVAL '36 hours' AS iv3,
    0.1::float8 AS f1, 1e100::float8 AS f2, 'NaN'::float8 AS f3, '-Infinity'::float8 AS f4, 1e-7::float8 AS f5,
    1.5::real AS r, 1::smallint AS s, TIME '03:04:05' AS tm, 'ab'::varchar(5) AS vc, -12.5::numeric(5,2) AS neg,
    ARRAY['a"b', 'c\\d', '', 'NULL', 'x,y', ' s '] AS ta, ARRAY[9000000000]::bigint[] AS ba, ARRAY[true,false] AS bools, ARRAY[]::int[] AS empty` })
  assert.deepEqual(more.rows[0], {
    summer: '2024-07-01 14:00:00+02', winter: '2024-01-02 04:04:05.5+01',
    iv1: '1 year 2 mons 3 days 04:05:06.5', iv2: '-1 days +02:00:00', iv3: '36:00:00',
    f1: '0.1', f2: '1e+100', f3: 'NaN', f4: '-Infinity', f5: '1e-07', r: '1.5', s: '1', tm: '03:04:05', vc: 'ab', neg: '-12.50',
    ta: '{"a\\"b","c\\\\d","","NULL","x,y"," s "}', ba: '{9000000000}', bools: '{t,f}', empty: '{}',
  }, 'text output with TimeZone Europe/Prague')
  assert.deepEqual(more.fields.map((f) => f.dataTypeID),
    [1184, 1184, 1186, 1186, 1186, 701, 701, 701, 701, 701, 700, 21, 1083, 1043, 1700, 1009, 1016, 1000, 1007], 'column type OIDs')
  const parsedArr = (await client.query(`SELECT ARRAY['a"b', 'c\\d', '', 'NULL', 'x,y', ' s '] AS ta, ARRAY[9000000000]::bigint[] AS ba`)).rows[0]
  assert.deepEqual(parsedArr, { ta: ['a"b', 'c\\d', '', 'NULL', 'x,y', ' s '], ba: ['9000000000'] }, 'arrays as pg parses them')

  // A list of values as one array parameter, the usual pg idiom.
  const listed = await client.query('SELECT id FROM orders WHERE id = ANY($1) ORDER BY id', [[3, 1, 2, 0]])
  assert.deepEqual(listed.rows.map((r) => r.id), ['1', '2', '3'], 'WHERE id = ANY($1)')
  const byStatus = await client.query('SELECT count(*) AS n FROM orders WHERE id <= 10 AND status = ANY($1)',
    [['completed', 'shipped', 'pending', 'cancelled', 'refunded']])
  assert.deepEqual(byStatus.rows, [{ n: '10' }], 'WHERE status = ANY($1)')

  // Table data through parameters.
  const ord = await client.query('SELECT id, amount, status, created_at FROM orders WHERE id = $1', [7])
  assert.equal(ord.rows.length, 1, 'one order by id')
  assert.equal(ord.rows[0].id, '7', 'orders.id is bigint (string)')
  assert.match(ord.rows[0].amount, /^\d+\.\d{2}$/, 'orders.amount is numeric(12,2) text')
  assert.ok(ord.rows[0].created_at instanceof Date, 'orders.created_at is a Date')
  await client.query('RESET TimeZone')
}

async function checkPrepared(client) {
  for (let i = 0; i < 20; i++) {
    const r = await client.query({ name: 'q1', text: 'SELECT $1::int * 2 AS a, $2::text AS s', values: [i, `v${i}`] })
    assert.deepEqual(r.rows, [{ a: i * 2, s: `v${i}` }], `named statement q1, run ${i}`)
  }
  for (const id of [1, 500, 99999, 100000]) {
    const r = await client.query({ name: 'order_by_id', text: 'SELECT id, region FROM orders WHERE id = $1', values: [id] })
    assert.equal(r.rows.length, 1, `named statement order_by_id(${id}): rows`)
    assert.equal(r.rows[0].id, String(id), `named statement order_by_id(${id}): id`)
  }
  const none = await client.query({ name: 'order_by_id', text: 'SELECT id, region FROM orders WHERE id = $1', values: [0] })
  assert.equal(none.rows.length, 0, 'named statement with no matching row')
}

async function checkCursor(client) {
  const cursor = client.query(new Cursor('SELECT id FROM orders ORDER BY id'))
  let n = 0
  let chunks = 0
  for (;;) {
    const rows = await cursor.read(1000)
    if (rows.length === 0) break
    chunks++
    assert.ok(rows.length <= 1000, `cursor chunk of ${rows.length} rows, want at most 1000`)
    for (const row of rows) {
      n++
      assert.equal(row.id, String(n), `cursor row ${n} out of order`)
    }
  }
  await cursor.close()
  assert.equal(n, 100000, 'rows read through the cursor')
  assert.equal(chunks, 100, 'cursor chunks of 1000')
  await stillUsable(client, 'a cursor')

  // A cursor with a parameter, closed before its end.
  const early = client.query(new Cursor('SELECT id FROM orders WHERE id > $1 ORDER BY id', [50000]))
  const first = await early.read(10)
  assert.deepEqual(first.map((r) => r.id), Array.from({ length: 10 }, (_, i) => String(50001 + i)),
    'first rows of a cursor with a parameter')
  await early.close()
  await stillUsable(client, 'a cursor closed early')
}

// sendCancel sends a CancelRequest for client's running query over a new
// connection, with pg's own protocol writer.
function sendCancel(client) {
  return new Promise((resolve, reject) => {
    const con = new pg.Connection()
    con.on('error', () => {}) // the server closes the cancel connection
    con.once('connect', () => {
      con.cancel(client.processID, client.secretKey)
      resolve()
    })
    con.stream.once('error', reject)
    con.connect(client.port, client.host)
  })
}

// longQuery runs for minutes on the demo data, long past every cancel here.
const longQuery = 'SELECT count(*) FROM orders a, orders b'

// PostgreSQL's messages for the two causes of 57014.
const byTimeout = 'canceling statement due to statement timeout'
const byUser = 'canceling statement due to user request'

async function checkCancel() {
  // statement_timeout in the client config goes out as a startup parameter.
  const timed = await connect({ statement_timeout: 500 })
  const st = await timed.query('SHOW statement_timeout')
  assert.equal(st.rows[0].statement_timeout, '500ms', 'statement_timeout from the startup packet')
  await expectCode(timed, longQuery, '57014', 'statement_timeout from the startup packet', byTimeout)
  await stillUsable(timed, 'a statement timeout')
  await timed.end()

  const client = await connect()
  await client.query("SET statement_timeout = '300ms'")
  await expectCode(client, longQuery, '57014', 'SET statement_timeout', byTimeout)
  await stillUsable(client, 'a statement timeout')
  await client.query('SET statement_timeout = 0')

  // CancelRequest on a second connection with the first one's key
  // (BackendKeyData), as pg's Client#cancel sends it.
  const query = new pg.Query(longQuery)
  const done = new Promise((resolve, reject) => {
    query.on('end', resolve)
    query.on('error', reject)
  })
  client.query(query)
  await new Promise((resolve) => setTimeout(resolve, 300))
  await sendCancel(client)
  await assert.rejects(done, (err) => {
    assert.equal(err.code, '57014', `CancelRequest: SQLSTATE ${err.code} (${err.message})`)
    assert.equal(err.message, byUser, 'CancelRequest: message')
    return true
  }, 'CancelRequest: the long query finished')
  await stillUsable(client, 'a CancelRequest')
  await client.end()
}

async function checkErrors(client) {
  await expectCode(client, 'SELECT * FROM customers', '42P01', 'ungranted table (simple)')
  await stillUsable(client, '42P01')
  await expectCode(client, { text: 'SELECT * FROM customers WHERE id = $1', values: [1] }, '42P01', 'ungranted table (extended)')
  await stillUsable(client, '42P01 (extended)')
  await expectCode(client, 'SELEC 1', '42601', 'syntax error (simple)')
  await stillUsable(client, '42601')
  await expectCode(client, { text: 'SELEC $1', values: [1] }, '42601', 'syntax error (extended)')
  await stillUsable(client, '42601 (extended)')
  await expectCode(client, { name: 'bad', text: 'SELECT * FROM customers' }, '42P01', 'ungranted table (named statement)')
  await stillUsable(client, '42P01 (named statement)')

  await client.query('BEGIN')
  const inTx = await client.query('SELECT count(*) AS n FROM orders WHERE id <= $1', [10])
  assert.equal(inTx.rows[0].n, '10', 'query inside a transaction')
  await expectCode(client, 'SELECT * FROM customers', '42P01', 'ungranted table inside a transaction')
  await expectCode(client, 'SELECT 1', '25P02', 'statement in an aborted transaction')
  await client.query('ROLLBACK')
  await stillUsable(client, 'ROLLBACK of a failed transaction')

  await client.query('BEGIN')
  await expectCode(client, { text: 'SELEC $1', values: [1] }, '42601', 'syntax error inside a transaction (extended)')
  await client.query('ROLLBACK')
  await stillUsable(client, 'ROLLBACK after an extended-protocol error')

  // A savepoint keeps the transaction usable past an error.
  await client.query('BEGIN')
  await client.query('SAVEPOINT sp')
  await expectCode(client, 'SELECT * FROM customers', '42P01', 'ungranted table after a savepoint')
  await client.query('ROLLBACK TO SAVEPOINT sp')
  const after = await client.query('SELECT count(*) AS n FROM orders WHERE id <= $1', [5])
  assert.deepEqual(after.rows, [{ n: '5' }], 'query after ROLLBACK TO SAVEPOINT')
  await client.query('COMMIT')
  await stillUsable(client, 'COMMIT after ROLLBACK TO SAVEPOINT')
}

// check runs one group of checks, naming it on stderr so a hang or a
// failure shows where it happened.
async function check(name, fn, ...args) {
  console.error(`check: ${name}`)
  await fn(...args)
}

async function main() {
  const client = await connect()
  await check('connect', checkConnect, client)
  await check('metadata', checkMetadata, client)
  await check('types', checkTypes, client)
  await check('prepared', checkPrepared, client)
  await check('cursor', checkCursor, client)
  await check('errors', checkErrors, client)
  await client.end()
  await check('cancel', checkCancel)
  console.log('OK')
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
