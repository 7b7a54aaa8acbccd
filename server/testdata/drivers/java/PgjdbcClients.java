// Real pgjdbc against an Agnes gateway: DatabaseMetaData browsing, typed
// round trips (simple protocol, extended in text, binary forced with
// prepareThreshold=-1, and past the default threshold where pgjdbc switches
// to named server-side statements), fetch-size streaming, Statement.cancel,
// errors and recovery, query timeouts, connection-level calls (isolation,
// savepoints, autosave, setMaxRows, multiple results) and a non-UTC session
// time zone.
//
// Usage: java -cp postgresql.jar PgjdbcClients.java JDBC_URL USER PASSWORD
// The user may read `orders` and not `customers` or `products`. Prints OK and
// exits 0 when every check passes; otherwise an exception (with what differed)
// ends the program with a non-zero status.

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import org.postgresql.util.PGInterval;

public class PgjdbcClients {
    static String url, user, password;

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: PgjdbcClients JDBC_URL USER PASSWORD");
        }
        url = args[0];
        user = args[1];
        password = args[2];

        metadata();
        typedRoundTrips();
        repeatedPrepared();
        fetchSizeStreaming();
        cancel();
        errors();
        timeouts();
        connectionBehaviour();
        timeZones();
        System.out.println("OK");
    }

    // ---- checks ----------------------------------------------------------

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    static void eq(Object want, Object got, String what) {
        boolean same = want instanceof Object[] && got instanceof Object[]
                ? Arrays.deepEquals((Object[]) want, (Object[]) got)
                : want instanceof byte[] && got instanceof byte[]
                        ? Arrays.equals((byte[]) want, (byte[]) got)
                        : Objects.equals(want, got);
        if (!same) {
            throw new AssertionError(what + ": want " + show(want) + ", got " + show(got)
                    + (got == null ? "" : " (" + got.getClass().getName() + ")"));
        }
    }

    static String show(Object v) {
        if (v instanceof Object[]) {
            return Arrays.deepToString((Object[]) v);
        }
        if (v instanceof byte[]) {
            return Arrays.toString((byte[]) v);
        }
        return String.valueOf(v);
    }

    interface SqlAction {
        void run() throws SQLException;
    }

    // expectState runs action and requires it to fail with SQLSTATE state.
    static SQLException expectState(String state, String what, SqlAction action) {
        try {
            action.run();
        } catch (SQLException e) {
            if (!state.equals(e.getSQLState())) {
                throw new AssertionError(what + ": want SQLSTATE " + state + ", got " + e.getSQLState()
                        + ": " + e.getMessage(), e);
            }
            return e;
        }
        throw new AssertionError(what + ": want SQLSTATE " + state + ", but it succeeded");
    }

    static Connection connect(String... props) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        for (int i = 0; i < props.length; i += 2) {
            p.setProperty(props[i], props[i + 1]);
        }
        return DriverManager.getConnection(url, p);
    }

    static void selectOneWorks(Connection c, String after) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
            check(rs.next(), after + ": SELECT 1 returned no row");
            eq(1, rs.getInt(1), after + ": SELECT 1");
        } catch (SQLException e) {
            throw new AssertionError(after + ": connection no longer works: " + e.getSQLState() + " " + e.getMessage(), e);
        }
    }

    // wireFormat reports how the driver received column col: 0 text, 1
    // binary. pgjdbc keeps this in org.postgresql.core.Field, reached from the
    // result set's fields array.
    static int wireFormat(ResultSet rs, int col) throws Exception {
        java.lang.reflect.Field f = org.postgresql.jdbc.PgResultSet.class.getDeclaredField("fields");
        f.setAccessible(true);
        org.postgresql.core.Field[] fields = (org.postgresql.core.Field[]) f.get(rs.unwrap(org.postgresql.jdbc.PgResultSet.class));
        return fields[col - 1].getFormat();
    }

    static List<String> column(ResultSet rs, String name) throws SQLException {
        List<String> out = new ArrayList<>();
        while (rs.next()) {
            out.add(rs.getString(name));
        }
        rs.close();
        return out;
    }

    // ---- 1. DatabaseMetaData ---------------------------------------------

    static void metadata() throws Exception {
        try (Connection c = connect()) {
            DatabaseMetaData md = c.getMetaData();
            check(md.getDatabaseProductName().equals("PostgreSQL"), "product name: " + md.getDatabaseProductName());
            check(md.getDatabaseMajorVersion() >= 9, "server major version: " + md.getDatabaseMajorVersion());

            List<String> catalogs = column(md.getCatalogs(), "TABLE_CAT");
            check(catalogs.contains("agnes"), "getCatalogs lacks agnes: " + catalogs);

            List<String> schemas = column(md.getSchemas(), "TABLE_SCHEM");
            check(schemas.contains("public"), "getSchemas lacks public: " + schemas);

            List<String> tables = new ArrayList<>();
            try (ResultSet rs = md.getTables(null, null, "%", new String[] {"TABLE"})) {
                while (rs.next()) {
                    eq("TABLE", rs.getString("TABLE_TYPE"), "getTables TABLE_TYPE of " + rs.getString("TABLE_NAME"));
                    tables.add(rs.getString("TABLE_SCHEM") + "." + rs.getString("TABLE_NAME"));
                }
            }
            check(tables.contains("public.orders"), "getTables lacks public.orders: " + tables);
            for (String hidden : new String[] {"customers", "products"}) {
                check(tables.stream().noneMatch(t -> t.endsWith("." + hidden)), "getTables shows ungranted " + hidden + ": " + tables);
            }

            // getColumns must agree with what a query reports for the same
            // columns, and with the demo schema.
            Map<String, Object[]> fromQuery = new TreeMap<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM orders LIMIT 0")) {
                ResultSetMetaData rm = rs.getMetaData();
                for (int i = 1; i <= rm.getColumnCount(); i++) {
                    fromQuery.put(rm.getColumnName(i), new Object[] {i, rm.getColumnType(i), rm.getColumnTypeName(i)});
                }
            }
            // Result metadata knows where a plain column comes from (table
            // OID and column number in RowDescription, resolved through
            // pg_class and pg_attribute).
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id, status, id + 1 AS next FROM orders LIMIT 1")) {
                org.postgresql.PGResultSetMetaData pm = rs.getMetaData().unwrap(org.postgresql.PGResultSetMetaData.class);
                eq("orders", pm.getBaseTableName(1), "getBaseTableName(id)");
                eq("public", pm.getBaseSchemaName(2), "getBaseSchemaName(status)");
                eq("status", pm.getBaseColumnName(2), "getBaseColumnName(status)");
                eq("", pm.getBaseTableName(3), "getBaseTableName(computed column)");
            }
            Map<String, Object[]> fromMeta = new TreeMap<>();
            Map<String, int[]> sizes = new TreeMap<>();
            try (ResultSet rs = md.getColumns(null, "public", "orders", "%")) {
                while (rs.next()) {
                    eq("orders", rs.getString("TABLE_NAME"), "getColumns TABLE_NAME");
                    eq("public", rs.getString("TABLE_SCHEM"), "getColumns TABLE_SCHEM");
                    String name = rs.getString("COLUMN_NAME");
                    fromMeta.put(name, new Object[] {rs.getInt("ORDINAL_POSITION"), rs.getInt("DATA_TYPE"), rs.getString("TYPE_NAME")});
                    sizes.put(name, new int[] {rs.getInt("COLUMN_SIZE"), rs.getInt("DECIMAL_DIGITS")});
                }
            }
            check(!fromMeta.isEmpty(), "getColumns(orders) returned nothing");
            check(fromMeta.keySet().equals(fromQuery.keySet()),
                    "getColumns names " + fromMeta.keySet() + " differ from the query's " + fromQuery.keySet());
            for (String col : fromQuery.keySet()) {
                eq(fromQuery.get(col), fromMeta.get(col), "getColumns (position, JDBC type, type name) of orders." + col + " vs query metadata");
            }
            Object[][] want = {
                {"id", Types.BIGINT, "int8"},
                {"customer_id", Types.BIGINT, "int8"},
                {"product_id", Types.BIGINT, "int8"},
                {"amount", Types.NUMERIC, "numeric"},
                {"status", Types.VARCHAR, "text"},
                {"created_at", Types.TIMESTAMP, "timestamp"},
                {"region", Types.VARCHAR, "text"},
            };
            for (Object[] w : want) {
                Object[] got = fromMeta.get((String) w[0]);
                check(got != null, "getColumns lacks orders." + w[0] + ": " + fromMeta.keySet());
                eq(w[1], got[1], "JDBC type of orders." + w[0]);
                eq(w[2], got[2], "type name of orders." + w[0]);
            }
            eq(12, sizes.get("amount")[0], "COLUMN_SIZE (precision) of orders.amount");
            eq(2, sizes.get("amount")[1], "DECIMAL_DIGITS (scale) of orders.amount");

            try (ResultSet rs = md.getPrimaryKeys(null, "public", "orders")) {
                while (rs.next()) {
                    eq("orders", rs.getString("TABLE_NAME"), "getPrimaryKeys TABLE_NAME");
                }
            }
            try (ResultSet rs = md.getIndexInfo(null, "public", "orders", false, true)) {
                while (rs.next()) {
                    eq("orders", rs.getString("TABLE_NAME"), "getIndexInfo TABLE_NAME");
                }
            }
            try (ResultSet rs = md.getImportedKeys(null, "public", "orders")) {
                while (rs.next()) {
                    eq("orders", rs.getString("FKTABLE_NAME"), "getImportedKeys FKTABLE_NAME");
                }
            }

            List<String> typeNames = column(md.getTypeInfo(), "TYPE_NAME");
            check(!typeNames.isEmpty(), "getTypeInfo returned nothing");
            for (String t : new String[] {"int4", "int8", "text", "numeric", "timestamp"}) {
                check(typeNames.contains(t), "getTypeInfo lacks " + t + ": " + typeNames);
            }

            for (String hidden : new String[] {"customers", "products"}) {
                try (ResultSet rs = md.getColumns(null, null, hidden, "%")) {
                    if (rs.next()) {
                        throw new AssertionError("getColumns shows ungranted " + hidden + "." + rs.getString("COLUMN_NAME"));
                    }
                }
                try (ResultSet rs = md.getTables(null, null, hidden, null)) {
                    check(!rs.next(), "getTables shows ungranted " + hidden);
                }
            }
        }
    }

    // ---- 2. typed round trips --------------------------------------------

    static final String[] TYPE_NAMES = {"int4", "int8", "float8", "numeric", "text", "bool", "date", "timestamp",
        "timestamptz", "interval", "uuid", "bytea", "_int4", "_text", "int4"};
    static final UUID THE_UUID = UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    static final byte[] THE_BYTES = {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef, 0, 0x27, 0x5c};
    static final String LITERALS = "SELECT 42::int4 AS i, 9000000000::int8 AS b, 1.5::float8 AS d, 12.34::numeric(10,2) AS n,"
            + " 'héllo, wörld'::text AS t, true AS bo, DATE '2024-01-02' AS da,"
            + " TIMESTAMP '2024-01-02 03:04:05.123456' AS ts, TIMESTAMPTZ '2024-01-02 03:04:05.5+00' AS tz,"
            + " INTERVAL '1 day 02:03:04' AS iv, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS u,"
            + " '\\xdeadbeef00275c'::bytea AS by, ARRAY[1,2,3]::int4[] AS ia,"
            + " ARRAY['a', 'b,c', 'd\"e', NULL, '']::text[] AS ta, NULL::int4 AS nu";
    static final String PARAMS = "SELECT ?::int4 AS i, ?::int8 AS b, ?::float8 AS d, ?::numeric(10,2) AS n, ?::text AS t,"
            + " ?::bool AS bo, ?::date AS da, ?::timestamp AS ts, ?::timestamptz AS tz, ?::interval AS iv, ?::uuid AS u,"
            + " ?::bytea AS by, ?::int4[] AS ia, ?::text[] AS ta, ?::int4 AS nu";

    static void bindAll(Connection c, PreparedStatement ps, int i) throws SQLException {
        bindAll(c, ps, i, false);
    }

    // bindAll binds PARAMS. In simple mode pgjdbc inlines parameters as
    // literals but cannot inline a binary setBytes value (it writes a bare
    // "?", on PostgreSQL too), so the bytea goes in as its text form.
    static void bindAll(Connection c, PreparedStatement ps, int i, boolean simple) throws SQLException {
        ps.setInt(1, i);
        ps.setLong(2, 9000000000L);
        ps.setDouble(3, 1.5);
        ps.setBigDecimal(4, new BigDecimal("12.34"));
        ps.setString(5, "héllo, wörld");
        ps.setBoolean(6, true);
        ps.setObject(7, LocalDate.of(2024, 1, 2));
        ps.setObject(8, LocalDateTime.of(2024, 1, 2, 3, 4, 5, 123456000));
        ps.setObject(9, OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 500000000, ZoneOffset.UTC));
        ps.setObject(10, new PGInterval(0, 0, 1, 2, 3, 4));
        ps.setObject(11, THE_UUID);
        if (simple) {
            ps.setString(12, "\\xdeadbeef00275c");
        } else {
            ps.setBytes(12, THE_BYTES);
        }
        ps.setArray(13, c.createArrayOf("int4", new Integer[] {1, 2, 3}));
        ps.setArray(14, c.createArrayOf("text", new String[] {"a", "b,c", "d\"e", null, ""}));
        ps.setNull(15, Types.INTEGER);
    }

    // checkTyped checks one row of LITERALS or PARAMS (with i as column i).
    static void checkTyped(ResultSet rs, int i, String how) throws Exception {
        check(rs.next(), how + ": no row");
        ResultSetMetaData rm = rs.getMetaData();
        eq(TYPE_NAMES.length, rm.getColumnCount(), how + ": column count");
        for (int col = 1; col <= TYPE_NAMES.length; col++) {
            eq(TYPE_NAMES[col - 1], rm.getColumnTypeName(col), how + ": type name of column " + rm.getColumnLabel(col));
        }
        eq(10, rm.getPrecision(4), how + ": precision of numeric(10,2)");
        eq(2, rm.getScale(4), how + ": scale of numeric(10,2)");

        eq(i, rs.getInt("i"), how + ": int4");
        eq(Integer.valueOf(i), rs.getObject("i"), how + ": int4 as object");
        eq(9000000000L, rs.getLong("b"), how + ": int8");
        eq(Long.valueOf(9000000000L), rs.getObject("b"), how + ": int8 as object");
        eq(1.5, rs.getDouble("d"), how + ": float8");
        eq(new BigDecimal("12.34"), rs.getBigDecimal("n"), how + ": numeric");
        eq("héllo, wörld", rs.getString("t"), how + ": text");
        eq(Boolean.TRUE, rs.getObject("bo"), how + ": bool");
        if (wireFormat(rs, 6) == 0) {
            // pgjdbc passes text through; a binary bool it renders as "true".
            eq("t", rs.getString("bo"), how + ": bool as string");
        }
        eq(LocalDate.of(2024, 1, 2), rs.getObject("da", LocalDate.class), how + ": date");
        eq(java.sql.Date.valueOf("2024-01-02"), rs.getDate("da"), how + ": date as java.sql.Date");
        eq(LocalDateTime.of(2024, 1, 2, 3, 4, 5, 123456000), rs.getObject("ts", LocalDateTime.class), how + ": timestamp");
        eq(Instant.parse("2024-01-02T03:04:05.5Z"), rs.getObject("tz", OffsetDateTime.class).toInstant(), how + ": timestamptz");
        eq(Instant.parse("2024-01-02T03:04:05.5Z"), rs.getTimestamp("tz").toInstant(), how + ": timestamptz as java.sql.Timestamp");
        eq(new PGInterval(0, 0, 1, 2, 3, 4), rs.getObject("iv"), how + ": interval");
        eq(THE_UUID, rs.getObject("u"), how + ": uuid");
        eq(THE_BYTES, rs.getBytes("by"), how + ": bytea");
        Array ia = rs.getArray("ia");
        eq("int4", ia.getBaseTypeName(), how + ": int4[] base type");
        eq(new Integer[] {1, 2, 3}, ia.getArray(), how + ": int4[]");
        Array ta = rs.getArray("ta");
        eq("text", ta.getBaseTypeName(), how + ": text[] base type");
        eq(new String[] {"a", "b,c", "d\"e", null, ""}, ta.getArray(), how + ": text[]");
        eq(null, rs.getObject("nu"), how + ": NULL");
        eq(0, rs.getInt("nu"), how + ": NULL as int");
        check(rs.wasNull(), how + ": wasNull after NULL");
        check(!rs.next(), how + ": more than one row");
    }

    static void typedRoundTrips() throws Exception {
        String[][] modes = {
            {"default", "prepareThreshold", "5"},
            {"simple protocol", "preferQueryMode", "simple"},
            {"binary (prepareThreshold=-1)", "prepareThreshold", "-1"},
            // pgjdbc reads bool and text in text unless asked (it has no
            // binary decoder for interval).
            {"binary incl. bool/text", "prepareThreshold", "-1", "binaryTransferEnable", "BOOL,TEXT"},
        };
        for (String[] m : modes) {
            boolean binary = m[2].equals("-1");
            try (Connection c = connect(Arrays.copyOfRange(m, 1, m.length))) {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(LITERALS)) {
                    if (!m[1].equals("preferQueryMode")) {
                        eq(binary ? 1 : 0, wireFormat(rs, 1), m[0] + " Statement: wire format of int4");
                    }
                    checkTyped(rs, 42, m[0] + " Statement");
                }
                edgeValues(c, m[0]);
                if (m[1].equals("preferQueryMode")) {
                    continue; // simple mode inlines parameters; covered below
                }
                try (PreparedStatement ps = c.prepareStatement(PARAMS)) {
                    bindAll(c, ps, 7);
                    try (ResultSet rs = ps.executeQuery()) {
                        eq(binary ? 1 : 0, wireFormat(rs, 1), m[0] + " PreparedStatement: wire format of int4");
                        checkTyped(rs, 7, m[0] + " PreparedStatement");
                    }
                }
            }
        }
        // preferQueryMode=simple with parameters: pgjdbc inlines literals.
        try (Connection c = connect("preferQueryMode", "simple"); PreparedStatement ps = c.prepareStatement(PARAMS)) {
            bindAll(c, ps, 8, true);
            try (ResultSet rs = ps.executeQuery()) {
                checkTyped(rs, 8, "simple protocol PreparedStatement");
            }
        }
    }

    // edgeValues checks numbers whose encodings have corners: numeric
    // scales, signs and base-10000 groups; float shortest round trip and
    // specials; integer limits. Each runs as a plain Statement and as a
    // PreparedStatement (binary when the connection forces it).
    static void edgeValues(Connection c, String mode) throws Exception {
        Object[][] cases = {
            {"0::numeric(10,2)", new BigDecimal("0.00")},
            {"-0.000123::numeric(10,6)", new BigDecimal("-0.000123")},
            {"12345678901234.5678::numeric(18,4)", new BigDecimal("12345678901234.5678")},
            {"99999999999999999999999999999999999999::numeric(38,0)", new BigDecimal("99999999999999999999999999999999999999")},
            {"0.0000000001::numeric(20,12)", new BigDecimal("0.000000000100")},
            {"10000::numeric(10,0)", new BigDecimal("10000")},
            {"-100000000.5::numeric(12,1)", new BigDecimal("-100000000.5")},
            {"0.1::float8 + 0.2::float8", 0.30000000000000004},
            {"1e300::float8", 1e300},
            {"'-Infinity'::float8", Double.NEGATIVE_INFINITY},
            {"'NaN'::float8", Double.NaN},
            {"2::float4 / 3", 2f / 3},
            {"(-2147483648)::int4", Integer.MIN_VALUE},
            {"9223372036854775807::int8", Long.MAX_VALUE},
            {"(-32768)::int2", -32768},
        };
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < cases.length; i++) {
            sql.append(i == 0 ? "" : ", ").append(cases[i][0]).append(" AS c").append(i);
        }
        for (boolean prepared : new boolean[] {false, true}) {
            String how = mode + (prepared ? " PreparedStatement" : " Statement") + " edge values";
            try (Statement st = c.createStatement();
                    PreparedStatement ps = c.prepareStatement(sql.toString());
                    ResultSet rs = prepared ? ps.executeQuery() : st.executeQuery(sql.toString())) {
                check(rs.next(), how + ": no row");
                for (int i = 0; i < cases.length; i++) {
                    Object want = cases[i][1];
                    String what = how + ": " + cases[i][0];
                    if (want instanceof BigDecimal) {
                        eq(want, rs.getBigDecimal(i + 1), what);
                    } else if (want instanceof Double) {
                        eq(want, rs.getDouble(i + 1), what);
                    } else if (want instanceof Float) {
                        eq(want, rs.getFloat(i + 1), what);
                    } else if (want instanceof Long) {
                        eq(want, rs.getLong(i + 1), what);
                    } else {
                        eq(want, rs.getInt(i + 1), what);
                    }
                }
            }
        }
    }

    // repeatedPrepared executes the same PreparedStatement past the default
    // prepareThreshold (5): pgjdbc moves from the unnamed statement in text
    // to a named server-side statement with binary results.
    static void repeatedPrepared() throws Exception {
        try (Connection c = connect()) {
            boolean sawBinary = false;
            try (PreparedStatement ps = c.prepareStatement(PARAMS)) {
                for (int run = 1; run <= 8; run++) {
                    bindAll(c, ps, 100 + run);
                    try (ResultSet rs = ps.executeQuery()) {
                        sawBinary |= wireFormat(rs, 1) == 1;
                        checkTyped(rs, 100 + run, "PreparedStatement run " + run);
                    }
                }
            }
            check(sawBinary, "8 runs of one PreparedStatement never switched to binary results");

            sawBinary = false;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, customer_id, amount, status, created_at, region FROM orders WHERE id = ? AND status <> ?")) {
                String[] first = null;
                for (int run = 1; run <= 8; run++) {
                    ps.setLong(1, 4242);
                    ps.setString(2, "no such status");
                    try (ResultSet rs = ps.executeQuery()) {
                        check(rs.next(), "orders lookup run " + run + ": no row");
                        sawBinary |= wireFormat(rs, 1) == 1;
                        eq(4242L, rs.getLong("id"), "orders lookup run " + run + ": id");
                        String[] got = {rs.getString("customer_id"), rs.getBigDecimal("amount").toPlainString(),
                            rs.getString("status"), String.valueOf(rs.getObject("created_at", LocalDateTime.class)),
                            rs.getString("region")};
                        eq(2, rs.getBigDecimal("amount").scale(), "orders lookup run " + run + ": scale of amount");
                        if (first == null) {
                            first = got;
                        } else {
                            eq(first, got, "orders lookup run " + run + " vs run 1");
                        }
                        check(!rs.next(), "orders lookup run " + run + ": more than one row");
                    }
                }
            }
            check(sawBinary, "8 runs of the orders lookup never switched to binary results");
        }
    }

    // ---- 3. setFetchSize streaming ---------------------------------------

    static void fetchSizeStreaming() throws Exception {
        for (String threshold : new String[] {"5", "-1"}) {
            try (Connection c = connect("prepareThreshold", threshold)) {
                c.setAutoCommit(false);
                try (PreparedStatement st = c.prepareStatement("SELECT id FROM orders ORDER BY id")) {
                    st.setFetchSize(1000);
                    long n = 0;
                    try (ResultSet rs = st.executeQuery()) {
                        while (rs.next()) {
                            n++;
                            long id = rs.getLong(1);
                            if (id != n) {
                                throw new AssertionError("streaming (prepareThreshold=" + threshold + "): row " + n + " has id " + id);
                            }
                        }
                    }
                    eq(100000L, n, "streaming (prepareThreshold=" + threshold + "): rows");
                }
                c.commit();
                c.setAutoCommit(true);
                selectOneWorks(c, "after streaming");
            }
        }
    }

    // ---- 4. cancel -------------------------------------------------------

    static final String LONG_QUERY = "SELECT count(*) FROM orders a, orders b, orders c";

    // cancelWhileRunning runs query on st and cancels it from another thread
    // (repeating, in case a cancel lands before the query started) until it
    // ends; it returns the failure.
    static SQLException cancelWhileRunning(Statement st, String query, String what) throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        Thread canceller = new Thread(() -> {
            try {
                for (int i = 0; i < 60 && !done.get(); i++) {
                    Thread.sleep(500);
                    if (!done.get()) {
                        st.cancel();
                    }
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        canceller.start();
        try {
            return expectState("57014", what, () -> st.executeQuery(query).close());
        } finally {
            done.set(true);
            canceller.join();
        }
    }

    static void cancel() throws Exception {
        try (Connection c = connect()) {
            try (Statement st = c.createStatement()) {
                SQLException e = cancelWhileRunning(st, LONG_QUERY, "Statement.cancel of a cross join");
                check(e.getMessage().contains("canceling statement due to user request"), "cancel message: " + e.getMessage());
            }
            selectOneWorks(c, "after Statement.cancel");
            try (Statement st = c.createStatement()) {
                cancelWhileRunning(st, "SELECT count(*) FROM range(10000000000000)", "Statement.cancel of range()");
            }
            selectOneWorks(c, "after Statement.cancel of range()");
            // A cancelled statement inside a transaction aborts it, as in PostgreSQL.
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                cancelWhileRunning(st, LONG_QUERY, "Statement.cancel inside a transaction");
                expectState("25P02", "statement after a cancelled one in a transaction",
                        () -> st.executeQuery("SELECT 1").close());
            }
            c.rollback();
            c.setAutoCommit(true);
            selectOneWorks(c, "after cancel and rollback");
        }
    }

    // ---- 5. errors -------------------------------------------------------

    static void errors() throws Exception {
        String[][] cases = {
            {"SELECT * FROM customers", "42P01"},
            {"SELECT id FROM products", "42P01"},
            {"SELEC 1", "42601"},
            {"SELECT FROM WHERE", "42601"},
        };
        try (Connection c = connect()) {
            for (String[] k : cases) {
                try (Statement st = c.createStatement()) {
                    expectState(k[1], "Statement " + k[0], () -> st.executeQuery(k[0]).close());
                }
                selectOneWorks(c, "after " + k[0]);
                expectState(k[1], "PreparedStatement " + k[0], () -> {
                    try (PreparedStatement ps = c.prepareStatement(k[0])) {
                        ps.executeQuery().close();
                    }
                });
                selectOneWorks(c, "after prepared " + k[0]);
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM customers WHERE id = ?")) {
                for (int run = 1; run <= 6; run++) {
                    ps.setInt(1, run);
                    expectState("42P01", "ungranted table with a parameter, run " + run, () -> ps.executeQuery().close());
                }
            }
            selectOneWorks(c, "after the ungranted table with a parameter");
            SQLException e = expectState("42P01", "ungranted table", () -> c.createStatement().executeQuery("SELECT * FROM customers"));
            check(e.getMessage().contains("customers"), "42P01 message does not name the table: " + e.getMessage());

            c.setAutoCommit(false);
            for (String[] k : cases) {
                try (Statement st = c.createStatement()) {
                    st.executeQuery("SELECT count(*) FROM orders").close();
                    expectState(k[1], "in a transaction: " + k[0], () -> st.executeQuery(k[0]).close());
                    expectState("25P02", "in an aborted transaction after " + k[0],
                            () -> st.executeQuery("SELECT 1").close());
                }
                c.rollback();
                selectOneWorks(c, "after rollback of " + k[0]);
                c.commit();
            }
            c.setAutoCommit(true);
            selectOneWorks(c, "after the transaction cases");
        }
    }

    // ---- 6. timeouts -----------------------------------------------------

    static void timeouts() throws Exception {
        try (Connection c = connect()) {
            try (Statement st = c.createStatement()) {
                st.setQueryTimeout(1);
                SQLException e = expectState("57014", "setQueryTimeout(1)", () -> st.executeQuery(LONG_QUERY).close());
                check(e.getMessage().contains("canceling statement due to user request"), "setQueryTimeout message: " + e.getMessage());
            }
            selectOneWorks(c, "after setQueryTimeout");
            try (Statement st = c.createStatement()) {
                st.execute("SET statement_timeout = '500ms'");
                SQLException e = expectState("57014", "statement_timeout", () -> st.executeQuery(LONG_QUERY).close());
                check(e.getMessage().contains("canceling statement due to statement timeout"), "statement_timeout message: " + e.getMessage());
                st.execute("SET statement_timeout = 0");
            }
            selectOneWorks(c, "after statement_timeout");
        }
        try (Connection c = connect("options", "-c statement_timeout=500")) {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW statement_timeout")) {
                check(rs.next(), "SHOW statement_timeout: no row");
                eq("500ms", rs.getString(1), "statement_timeout from startup options");
            }
            try (Statement st = c.createStatement()) {
                expectState("57014", "statement_timeout from startup options", () -> st.executeQuery(LONG_QUERY).close());
            }
            selectOneWorks(c, "after startup statement_timeout");
        }
    }

    // ---- 7. connection-level JDBC calls ----------------------------------

    static void connectionBehaviour() throws Exception {
        try (Connection c = connect()) {
            check(c.isValid(5), "isValid");
            // setTransactionIsolation sends SET SESSION CHARACTERISTICS,
            // getTransactionIsolation reads SHOW TRANSACTION ISOLATION LEVEL.
            eq(Connection.TRANSACTION_READ_COMMITTED, c.getTransactionIsolation(), "default isolation");
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            eq(Connection.TRANSACTION_REPEATABLE_READ, c.getTransactionIsolation(), "isolation after setTransactionIsolation(REPEATABLE_READ)");
            c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            eq(Connection.TRANSACTION_SERIALIZABLE, c.getTransactionIsolation(), "isolation after setTransactionIsolation(SERIALIZABLE)");
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            eq(Connection.TRANSACTION_READ_COMMITTED, c.getTransactionIsolation(), "isolation after setTransactionIsolation(READ_COMMITTED)");
            c.setReadOnly(true);
            selectOneWorks(c, "after setReadOnly(true)");
            c.setReadOnly(false);
            selectOneWorks(c, "after setReadOnly(false)");

            // setMaxRows: the row limit travels in the Execute message.
            try (Statement st = c.createStatement()) {
                st.setMaxRows(10);
                long n = 0;
                try (ResultSet rs = st.executeQuery("SELECT id FROM orders ORDER BY id")) {
                    while (rs.next()) {
                        eq(++n, rs.getLong(1), "setMaxRows(10): id of row " + n);
                    }
                }
                eq(10L, n, "setMaxRows(10): rows");
            }
            selectOneWorks(c, "after setMaxRows");

            // Several statements in one execute: one result per statement.
            try (Statement st = c.createStatement()) {
                check(st.execute("SELECT 1 AS a; SELECT 'two' AS b, 3 AS c"), "multi-statement: first result is not a result set");
                try (ResultSet rs = st.getResultSet()) {
                    check(rs.next(), "multi-statement: first result empty");
                    eq(1, rs.getInt("a"), "multi-statement: first result");
                }
                check(st.getMoreResults(), "multi-statement: no second result set");
                try (ResultSet rs = st.getResultSet()) {
                    check(rs.next(), "multi-statement: second result empty");
                    eq("two", rs.getString("b"), "multi-statement: second result");
                    eq(2, rs.getMetaData().getColumnCount(), "multi-statement: second result columns");
                }
                check(!st.getMoreResults() && st.getUpdateCount() == -1, "multi-statement: more than two results");
            }

            // Labels keep case and non-ASCII letters.
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1 AS \"Mixed Case\", 2 AS ünï")) {
                eq("Mixed Case", rs.getMetaData().getColumnLabel(1), "quoted label");
                eq("ünï", rs.getMetaData().getColumnLabel(2), "non-ASCII label");
            }

            // Savepoints: rolling back to one clears the error.
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.executeQuery("SELECT 1").close();
                java.sql.Savepoint sp = c.setSavepoint();
                expectState("42P01", "error after a savepoint", () -> st.executeQuery("SELECT * FROM customers").close());
                c.rollback(sp);
                selectOneWorks(c, "after rollback to savepoint");
                c.releaseSavepoint(c.setSavepoint("named"));
            }
            c.commit();
            c.setAutoCommit(true);
        }
        // autosave=always wraps each statement in a savepoint, so an error
        // does not abort the transaction.
        try (Connection c = connect("autosave", "always")) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.executeQuery("SELECT 1").close();
                expectState("42P01", "autosave: ungranted table", () -> st.executeQuery("SELECT * FROM customers").close());
                selectOneWorks(c, "autosave: after an error in a transaction");
            }
            c.commit();
        }
    }

    // ---- 8. session time zone --------------------------------------------

    // timeZones connects with a non-UTC JVM zone: pgjdbc sends it as the
    // session TimeZone, and timestamptz text comes back in that zone.
    static void timeZones() throws Exception {
        java.util.TimeZone saved = java.util.TimeZone.getDefault();
        java.util.TimeZone.setDefault(java.util.TimeZone.getTimeZone("America/Sao_Paulo"));
        try {
            for (String threshold : new String[] {"5", "-1"}) {
                String how = "time zone (prepareThreshold=" + threshold + ")";
                try (Connection c = connect("prepareThreshold", threshold);
                        PreparedStatement ps = c.prepareStatement(
                                "SELECT TIMESTAMPTZ '2024-01-02 03:04:05+00' AS tz, TIMESTAMP '2024-01-02 03:04:05' AS ts,"
                                        + " ?::timestamptz AS p, current_setting('TimeZone') AS zone")) {
                    ps.setObject(1, OffsetDateTime.parse("2024-06-01T10:00:00+02:00"));
                    for (int run = 1; run <= 6; run++) {
                        try (ResultSet rs = ps.executeQuery()) {
                            check(rs.next(), how + " run " + run + ": no row");
                            eq("America/Sao_Paulo", rs.getString("zone"), how + ": session TimeZone");
                            if (wireFormat(rs, 1) == 0) {
                                eq("2024-01-02 00:04:05-03", rs.getString("tz"), how + " run " + run + ": timestamptz text");
                            }
                            eq(Instant.parse("2024-01-02T03:04:05Z"), rs.getObject("tz", OffsetDateTime.class).toInstant(), how + " run " + run + ": timestamptz");
                            eq(java.sql.Timestamp.valueOf("2024-01-02 03:04:05"), rs.getTimestamp("ts"), how + " run " + run + ": timestamp");
                            eq(Instant.parse("2024-06-01T08:00:00Z"), rs.getObject("p", OffsetDateTime.class).toInstant(), how + " run " + run + ": timestamptz parameter");
                        }
                    }
                }
            }
        } finally {
            java.util.TimeZone.setDefault(saved);
        }
    }
}
