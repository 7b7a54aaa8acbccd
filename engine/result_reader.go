package engine

import (
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// resultReader is the RecordReader Query returns: DuckDB's reader with errors
// translated for the client, holding a reference on the sandbox so that a
// result still being streamed survives its Conn's Close and the pool
// replacing the sandbox.
type resultReader struct {
	array.RecordReader
	sandbox *Sandbox
	refs    atomic.Int64
	once    sync.Once
}

func newResultReader(rr array.RecordReader, s *Sandbox) *resultReader {
	r := &resultReader{RecordReader: rr, sandbox: s}
	r.refs.Store(1)
	return r
}

func (r *resultReader) Retain() {
	r.refs.Add(1)
	r.RecordReader.Retain()
}

func (r *resultReader) Release() {
	if r.refs.Load() <= 0 {
		return
	}
	r.RecordReader.Release()
	if r.refs.Add(-1) == 0 {
		r.once.Do(func() { r.sandbox.release() })
	}
}

// Err returns the stream's error as a *pgerr.Error (57014 when the query's
// context was cancelled while streaming).
func (r *resultReader) Err() error {
	return TranslateError(r.RecordReader.Err())
}
