package wire

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/duckdb/duckdb-go/v2"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/keboola/agnes/rbac"
)

// slowBackend's statements return one batch, then block in Next until
// the test releases them: a stand-in for a query that produces rows
// slowly.
type slowBackend struct {
	*testBackend
	release chan struct{}
}

func (b slowBackend) NewSession(ctx context.Context, p *rbac.Principal, info SessionInfo) (Session, error) {
	s, err := b.testBackend.NewSession(ctx, p, info)
	return &slowSession{Session: s, release: b.release}, err
}

type slowSession struct {
	Session
	release chan struct{}
}

func (s *slowSession) Prepare(context.Context, string, []uint32) ([]Statement, error) {
	return []Statement{slowStatement{s.release}}, nil
}

type slowStatement struct{ release chan struct{} }

func (slowStatement) SQL() string { return "slow" }
func (slowStatement) Describe(context.Context) (*Description, error) {
	ti, _ := duckdb.NewTypeInfo(duckdb.TYPE_INTEGER)
	return &Description{Columns: []Column{{Name: "n", Type: ti}}}, nil
}
func (st slowStatement) Execute(ctx context.Context, _ []any) (Result, error) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int32, Nullable: true}}, nil)
	bld := array.NewInt32Builder(memory.DefaultAllocator)
	bld.AppendValues([]int32{1, 2}, nil)
	rec := array.NewRecordBatch(schema, []arrow.Array{bld.NewArray()}, 2)
	return &slowResult{staticResult: staticResult{schema: schema, batch: rec, tag: "SELECT"}, ctx: ctx, release: st.release}, nil
}

type slowResult struct {
	staticResult
	ctx     context.Context
	release chan struct{}
}

func (r *slowResult) Next() arrow.RecordBatch {
	if b := r.staticResult.Next(); b != nil {
		return b
	}
	select {
	case <-r.release:
	case <-r.ctx.Done():
	}
	return nil
}

// TestRowsFlushedWhileWaiting checks that rows already encoded reach the
// client while the next batch is still being produced.
func TestRowsFlushedWhileWaiting(t *testing.T) {
	tb, err := newTestBackend()
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	srv := startServerWith(t, cleartext, slowBackend{tb, release})
	rc, _ := rawLogin(t, srv)
	rc.send(&pgproto3.Query{String: "slow"})
	var got []string
	for range 3 {
		got = append(got, traceOf(rc.recv())) // arrives although Next is still blocked
	}
	expectTrace(t, got, "RowDescription[n:23]", "DataRow[1]", "DataRow[2]")
	close(release)
	expectTrace(t, rc.until(), "CommandComplete SELECT 2", "ReadyForQuery I")
}
