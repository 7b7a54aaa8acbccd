package main

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// localRows runs a statement on local.duckdb and returns its columns and
// a row iterator of normalised values (see rowWriter).
func localRows(ctx context.Context, db *sql.DB, query string) (columns []string, next func() ([]any, error), closeFn func() error, err error) {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return nil, nil, nil, err
	}
	types, err := rows.ColumnTypes()
	if err != nil {
		rows.Close()
		return nil, nil, nil, err
	}
	columns = make([]string, len(types))
	typeNames := make([]string, len(types))
	for i, t := range types {
		columns[i], typeNames[i] = t.Name(), t.DatabaseTypeName()
	}
	raw := make([]any, len(types))
	ptrs := make([]any, len(types))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	next = func() ([]any, error) {
		if !rows.Next() {
			if err := rows.Err(); err != nil {
				return nil, err
			}
			return nil, errNoMoreRows
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out := make([]any, len(raw))
		for i, v := range raw {
			out[i] = normalizeDuckDB(v, typeNames[i])
		}
		return out, nil
	}
	return columns, next, rows.Close, nil
}

// normalizeDuckDB turns a value of the DuckDB driver into one of the
// rowWriter's types. Dates and times are written the way DuckDB prints
// them; decimals and 128-bit integers stay exact.
func normalizeDuckDB(v any, typeName string) any {
	switch x := v.(type) {
	case nil, string, bool, int64, float64, json.Number:
		return v
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case int:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		return json.Number(strconv.FormatUint(x, 10))
	case float32:
		return float64(x)
	case *big.Int:
		return json.Number(x.String())
	case duckdb.Decimal:
		return json.Number(decimalText(x))
	case time.Time:
		return formatTime(x, typeName)
	case duckdb.Interval:
		return formatInterval(x)
	case duckdb.UUID:
		return x.String()
	case []byte:
		if typeName == "UUID" && len(x) == 16 {
			u := duckdb.UUID(x)
			return u.String()
		}
		return blobText(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalizeDuckDB(e, "")
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalizeDuckDB(e, "")
		}
		return out
	case duckdb.OrderedMap:
		out := make(map[string]any, x.Len())
		keys, values := x.Keys(), x.Values()
		for i := range keys {
			out[cellText(normalizeDuckDB(keys[i], ""))] = normalizeDuckDB(values[i], "")
		}
		return out
	case duckdb.Union:
		return normalizeDuckDB(x.Value, "")
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

func formatTime(t time.Time, typeName string) string {
	switch {
	case typeName == "DATE":
		return t.Format("2006-01-02")
	case strings.HasPrefix(typeName, "TIME") && !strings.HasPrefix(typeName, "TIMESTAMP"):
		if typeName == "TIMETZ" || typeName == "TIME WITH TIME ZONE" {
			return t.Format("15:04:05.999999-07:00")
		}
		return t.Format("15:04:05.999999")
	case typeName == "TIMESTAMPTZ" || typeName == "TIMESTAMP WITH TIME ZONE":
		return t.Format("2006-01-02 15:04:05.999999-07")
	}
	return t.Format("2006-01-02 15:04:05.999999999")
}

// formatInterval writes an interval the way DuckDB prints it
// ("1 year 2 months 3 days 04:05:06").
func formatInterval(iv duckdb.Interval) string {
	var parts []string
	years, months := iv.Months/12, iv.Months%12
	add := func(n int64, unit string) {
		if n != 0 {
			s := strconv.FormatInt(n, 10) + " " + unit
			if n != 1 && n != -1 {
				s += "s"
			}
			parts = append(parts, s)
		}
	}
	add(int64(years), "year")
	add(int64(months), "month")
	add(int64(iv.Days), "day")
	if iv.Micros != 0 || len(parts) == 0 {
		d := time.Duration(iv.Micros) * time.Microsecond
		sign := ""
		if d < 0 {
			sign, d = "-", -d
		}
		h, m := int64(d/time.Hour), int64(d%time.Hour/time.Minute)
		s := float64(d%time.Minute) / float64(time.Second)
		sec := strconv.FormatFloat(s, 'f', -1, 64)
		if s < 10 {
			sec = "0" + sec
		}
		parts = append(parts, fmt.Sprintf("%s%02d:%02d:%s", sign, h, m, sec))
	}
	return strings.Join(parts, " ")
}

// blobText writes bytes as DuckDB prints a BLOB: printable ASCII as is,
// everything else as \xNN.
func blobText(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		if c >= 0x20 && c < 0x7f && c != '\\' {
			sb.WriteByte(c)
			continue
		}
		sb.WriteString(`\x`)
		sb.WriteString(strings.ToUpper(hex.EncodeToString([]byte{c})))
	}
	return sb.String()
}

// decimalText writes a decimal with all digits of its scale, as DuckDB and
// PostgreSQL print it (12.50, not 12.5).
func decimalText(d duckdb.Decimal) string {
	if d.Value == nil {
		return "0"
	}
	digits := new(big.Int).Abs(d.Value).String()
	sign := ""
	if d.Value.Sign() < 0 {
		sign = "-"
	}
	scale := int(d.Scale)
	if scale == 0 {
		return sign + digits
	}
	if len(digits) <= scale {
		digits = strings.Repeat("0", scale-len(digits)+1) + digits
	}
	return sign + digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
}
