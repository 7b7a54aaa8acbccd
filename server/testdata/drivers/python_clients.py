"""Real Python clients against an Agnes gateway: psycopg2, SQLAlchemy, pandas.

Usage: python3 python_clients.py DSN
The analyst behind DSN may read `orders` and not `customers`. Prints OK and
exits 0 when every check passes; otherwise raises.
"""
import datetime
import decimal
import sys
import threading
import time

import pandas as pd
import psycopg2
import psycopg2.errors
import sqlalchemy as sa

dsn = sys.argv[1]

# psycopg2: typed round trip, parameters, errors, server-side cursor.
conn = psycopg2.connect(dsn)
cur = conn.cursor()
cur.execute("SELECT count(*) FROM orders")
assert cur.fetchone()[0] == 100000
cur.execute(
    "SELECT %s::int, %s::bigint, %s::float8, %s::numeric(10,2), %s::text, %s::bool, %s::date, %s::timestamp",
    (1, 2**40, 1.5, decimal.Decimal("12.34"), "héllo", True, datetime.date(2024, 1, 2), datetime.datetime(2024, 1, 2, 3, 4, 5)),
)
row = cur.fetchone()
assert row == (1, 2**40, 1.5, decimal.Decimal("12.34"), "héllo", True, datetime.date(2024, 1, 2), datetime.datetime(2024, 1, 2, 3, 4, 5)), row
cur.execute("SELECT NULL::int, ARRAY[1,2,3]")
assert cur.fetchone() == (None, [1, 2, 3])
try:
    cur.execute("SELECT * FROM customers")
    raise AssertionError("ungranted table was readable")
except psycopg2.errors.UndefinedTable:
    pass
conn.rollback()
named = conn.cursor(name="big")  # DECLARE … CURSOR + FETCH
named.itersize = 1000
named.execute("SELECT id FROM orders ORDER BY id")
n = sum(1 for _ in named)
assert n == 100000, n
named.close()
conn.commit()
# A scrollable named cursor (DECLARE … SCROLL CURSOR) moves both ways.
sc = conn.cursor(name="sc", scrollable=True)
sc.execute("SELECT id FROM orders WHERE id <= 10 ORDER BY id")
assert [r[0] for r in sc.fetchmany(3)] == [1, 2, 3]
sc.scroll(-2)
assert sc.fetchone()[0] == 2
sc.scroll(7, mode="absolute")
assert sc.fetchone()[0] == 8
sc.close()
conn.commit()

# Cancel: conn.cancel() from another thread stops a long query with
# QueryCanceled (57014); the connection is usable after the rollback.
def cancel_soon():
    time.sleep(0.5)
    conn.cancel()

threading.Thread(target=cancel_soon).start()
try:
    cur.execute("SELECT count(*) FROM orders a, orders b, orders c")
    raise AssertionError("the cancelled query finished")
except psycopg2.errors.QueryCanceled:
    pass
conn.rollback()
cur.execute("SELECT 1")
assert cur.fetchone() == (1,)
# Division by zero fails as in PostgreSQL.
try:
    cur.execute("SELECT 1 / 0")
    raise AssertionError("1 / 0 succeeded")
except psycopg2.errors.DivisionByZero:
    conn.rollback()
conn.close()

# SQLAlchemy reflection: only the granted table is visible.
engine = sa.create_engine(dsn.replace("postgres://", "postgresql+psycopg2://", 1))
insp = sa.inspect(engine)
assert "public" in insp.get_schema_names()
tables = insp.get_table_names(schema="public")
assert tables == ["orders"], tables
cols = {c["name"]: c["type"] for c in insp.get_columns("orders", schema="public")}
assert set(cols) >= {"id", "customer_id", "amount", "status", "created_at", "region"}, cols
assert isinstance(cols["amount"], sa.Numeric), cols["amount"]
insp.get_pk_constraint("orders", schema="public")
insp.get_foreign_keys("orders", schema="public")
insp.get_indexes("orders", schema="public")
assert insp.get_view_names(schema="public") == []

# pandas over SQLAlchemy.
df = pd.read_sql("SELECT region, count(*) AS n FROM orders GROUP BY region ORDER BY region", engine)
assert int(df["n"].sum()) == 100000 and len(df) >= 2, df
print("OK")
