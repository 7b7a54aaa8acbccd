package wire

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"testing"

	"github.com/duckdb/duckdb-go/v2"
)

func TestZZProbe(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil { t.Fatal(err) }
	ctx := context.Background()
	conn, _ := db.Conn(ctx)
	if _, err := conn.ExecContext(ctx, "SET arrow_lossless_conversion = true"); err != nil { t.Fatal(err) }
	exprs := []string{"true", "1::TINYINT", "1::SMALLINT", "1::INTEGER", "1::BIGINT", "1::UTINYINT", "1::USMALLINT", "1::UINTEGER", "1::UBIGINT", "1::HUGEINT", "1::UHUGEINT", "1.5::FLOAT", "1.5::DOUBLE", "1.5::DECIMAL(10,2)", "1.5::DECIMAL(4,1)", "1.5::DECIMAL(18,3)", "1.5::DECIMAL(38,10)", "'a'::VARCHAR", "'a'::BLOB", "DATE '2024-01-02'", "TIME '01:02:03'", "'01:02:03+02'::TIMETZ", "TIMESTAMP '2024-01-02 03:04:05'", "'2024-01-02 03:04:05+00'::TIMESTAMPTZ", "TIMESTAMP_S '2024-01-02 03:04:05'", "TIMESTAMP_MS '2024-01-02 03:04:05'", "TIMESTAMP_NS '2024-01-02 03:04:05'", "INTERVAL 1 DAY", "uuid()", "'{\"a\":1}'::JSON", "'x'::ENUM('x','y')", "[1,2]", "[1,2]::INTEGER[2]", "{'a':1}", "MAP {'a':1}", "'101'::BIT", "1::VARINT", "union_value(a := 1)", "NULL", "[[1,2],[3]]", "['a']", "[DATE '2024-01-01']"}
	for _, e := range exprs {
		var info duckdb.TypeInfo
		conn.Raw(func(dc any) error {
			st, err := dc.(driver.ConnPrepareContext).PrepareContext(ctx, "SELECT "+e+" AS c")
			if err != nil { return err }
			ds := st.(*duckdb.Stmt)
			info, err = ds.ColumnTypeInfo(0)
			if err != nil { fmt.Println("cti err", e, err) }
			st.Close()
			return nil
		})
		var sch string
		var val string
		conn.Raw(func(dc any) error {
			ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
			if err != nil { return err }
			rr, err := ar.QueryContext(ctx, "SELECT "+e+" AS c")
			if err != nil { sch = err.Error(); return nil }
			defer rr.Release()
			sch = rr.Schema().Field(0).String() + " md=" + rr.Schema().Field(0).Metadata.String()
			if rr.Next() { val = rr.RecordBatch().Column(0).String() }
			return nil
		})
		it := "nil"
		if info != nil { it = fmt.Sprintf("%v alias=%q det=%T", info.InternalType(), info.Alias(), info.Details()) }
		fmt.Printf("%-45s | %-40s | %s | %s\n", e, it, sch, val)
	}
}
