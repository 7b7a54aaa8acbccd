package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Output formats of query results.
const (
	formatTable   = "table"
	formatCSV     = "csv"
	formatJSON    = "json"
	formatParquet = "parquet"
)

// rowWriter writes one result set. Values are already normalised: nil,
// string, bool, int64, float64, json.Number (decimals and big integers,
// exact), json.RawMessage, []any or map[string]any.
type rowWriter interface {
	begin(columns []string) error
	row(values []any) error
	end() error
}

// newRowWriter returns the writer of a text format.
func newRowWriter(format string, w io.Writer) (rowWriter, error) {
	switch format {
	case formatTable:
		return &tableWriter{tw: tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)}, nil
	case formatCSV:
		return &csvWriter{w: csv.NewWriter(w)}, nil
	case formatJSON:
		return &jsonWriter{w: w}, nil
	}
	return nil, usagef("unknown --format %q: use table, csv, json or parquet", format)
}

// tableWriter aligns columns for people; NULL reads NULL.
type tableWriter struct {
	tw   *tabwriter.Writer
	rows int
}

var cellCleaner = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ")

func (t *tableWriter) begin(columns []string) error {
	_, err := fmt.Fprintln(t.tw, strings.Join(columns, "\t"))
	return err
}

func (t *tableWriter) row(values []any) error {
	cells := make([]string, len(values))
	for i, v := range values {
		if v == nil {
			cells[i] = "NULL"
		} else {
			cells[i] = cellCleaner.Replace(cellText(v))
		}
	}
	t.rows++
	_, err := fmt.Fprintln(t.tw, strings.Join(cells, "\t"))
	return err
}

func (t *tableWriter) end() error {
	if err := t.tw.Flush(); err != nil {
		return err
	}
	return nil
}

// csvWriter writes RFC 4180 CSV with a header; NULL is an empty field.
type csvWriter struct{ w *csv.Writer }

func (c *csvWriter) begin(columns []string) error { return c.w.Write(columns) }

func (c *csvWriter) row(values []any) error {
	rec := make([]string, len(values))
	for i, v := range values {
		if v != nil {
			rec[i] = cellText(v)
		}
	}
	return c.w.Write(rec)
}

func (c *csvWriter) end() error {
	c.w.Flush()
	return c.w.Error()
}

// jsonWriter writes a JSON array of objects, keys in column order.
type jsonWriter struct {
	w    io.Writer
	keys [][]byte
	n    int
	buf  bytes.Buffer
}

func (j *jsonWriter) begin(columns []string) error {
	for _, c := range columns {
		k, _ := json.Marshal(c)
		j.keys = append(j.keys, k)
	}
	_, err := io.WriteString(j.w, "[")
	return err
}

func (j *jsonWriter) row(values []any) error {
	j.buf.Reset()
	if j.n > 0 {
		j.buf.WriteString(",")
	}
	j.buf.WriteString("\n  {")
	for i, v := range values {
		if i > 0 {
			j.buf.WriteString(", ")
		}
		j.buf.Write(j.keys[i])
		j.buf.WriteString(": ")
		b, err := json.Marshal(jsonSafe(v))
		if err != nil {
			return fmt.Errorf("column %s: %w", j.keys[i], err)
		}
		j.buf.Write(b)
	}
	j.buf.WriteString("}")
	j.n++
	_, err := j.w.Write(j.buf.Bytes())
	return err
}

func (j *jsonWriter) end() error {
	end := "]\n"
	if j.n > 0 {
		end = "\n]\n"
	}
	_, err := io.WriteString(j.w, end)
	return err
}

// jsonSafe replaces what JSON cannot carry (NaN, ±Inf) with strings.
func jsonSafe(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return floatText(x)
		}
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonSafe(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonSafe(e)
		}
		return out
	}
	return v
}

// cellText is a normalised value as text for the table and CSV formats.
func cellText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return floatText(x)
	case json.Number:
		return string(x)
	case json.RawMessage:
		return string(x)
	}
	b, err := json.Marshal(jsonSafe(v))
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// floatText writes a float the way DuckDB prints it: shortest exact form,
// and inf, -inf, nan.
func floatText(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
