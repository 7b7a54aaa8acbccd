"""psycopg 3 against an Agnes gateway: server-side binding, binary results,
server-side cursors, pipeline mode, COPY.

Usage: python3 psycopg3_client.py DSN
The analyst behind DSN may read `orders` and not `customers`. Prints OK and
exits 0 when every check passes; otherwise raises.
"""
import datetime
import decimal
import sys

import psycopg

dsn = sys.argv[1]
with psycopg.connect(dsn) as conn:
    cur = conn.cursor()
    # Parameters are bound server-side ($1 … with types).
    cur.execute("SELECT count(*) FROM orders WHERE id < %s", (100,))
    assert cur.fetchone() == (99,)
    ts = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    cur.execute("SELECT %s::int, %s::text, %s::date, %s::timestamptz, %s::int[], %s::bool",
                (1, "héllo", datetime.date(2024, 1, 2), ts, [1, 2, None], True))
    row = cur.fetchone()
    assert row == (1, "héllo", datetime.date(2024, 1, 2), ts, [1, 2, None], True), row
    cur.execute("SELECT %s::numeric(10,5)", (decimal.Decimal("3.14159"),))
    assert cur.fetchone()[0] == decimal.Decimal("3.14159")
    # Binary results.
    cur.execute("SELECT id, amount, created_at FROM orders ORDER BY id LIMIT 3", binary=True)
    rows = cur.fetchall()
    assert [r[0] for r in rows] == [1, 2, 3] and all(isinstance(r[1], decimal.Decimal) for r in rows), rows
    # Server-side cursor: DECLARE, Describe of the cursor's portal, FETCH.
    with conn.cursor(name="srv") as sc:
        sc.itersize = 5000
        sc.execute("SELECT id FROM orders ORDER BY id")
        assert [d.name for d in sc.description] == ["id"]
        ids = [r[0] for r in sc]
        assert len(ids) == 100000 and ids[:3] == [1, 2, 3] and ids[-1] == 100000
    # Arrays as parameters.
    cur.execute("SELECT id FROM orders WHERE id = ANY(%s) ORDER BY id", ([1, 5, 9],))
    assert cur.fetchall() == [(1,), (5,), (9,)]
    # The ungranted table is refused; the session recovers.
    try:
        cur.execute("SELECT * FROM customers")
        raise AssertionError("ungranted table was readable")
    except psycopg.errors.UndefinedTable:
        conn.rollback()
    cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
    assert cur.fetchall() == [("orders",)]
    # Pipeline mode.
    with conn.pipeline():
        c1 = conn.execute("SELECT 1")
        c2 = conn.execute("SELECT count(*) FROM orders WHERE id <= %s", (10,))
    assert c1.fetchone() == (1,) and c2.fetchone() == (10,)
    # COPY TO STDOUT.
    with cur.copy("COPY (SELECT id FROM orders ORDER BY id LIMIT 3) TO STDOUT") as cp:
        assert [r for r in cp.rows()] == [("1",), ("2",), ("3",)]
print("OK")
