package planner

import (
	"fmt"
	"testing"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// reachable collects every RangeVar and FuncCall in a tree by plain
// reflection: the ground truth the analyzer must match.
func reachable(m protoreflect.Message, rels map[*pg_query.RangeVar]bool, funcs map[*pg_query.FuncCall]bool) {
	switch x := m.Interface().(type) {
	case *pg_query.RangeVar:
		rels[x] = true
	case *pg_query.FuncCall:
		funcs[x] = true
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind {
			return true
		}
		if fd.IsList() {
			for i := 0; i < v.List().Len(); i++ {
				reachable(v.List().Get(i).Message(), rels, funcs)
			}
		} else {
			reachable(v.Message(), rels, funcs)
		}
		return true
	})
}

// checkAnalysisComplete fails when the analyzer accepted a tree but missed
// a relation or function reflection can reach.
func checkAnalysisComplete(t *testing.T, what string, node *pg_query.Node) {
	t.Helper()
	a, err := analyzeQuery(node, DefaultMaxDepth)
	if err != nil {
		return // refused: nothing reaches DuckDB
	}
	rels := map[*pg_query.RangeVar]bool{}
	funcs := map[*pg_query.FuncCall]bool{}
	reachable(node.ProtoReflect(), rels, funcs)
	for _, r := range a.relations {
		delete(rels, r.node)
	}
	for _, f := range a.functions {
		delete(funcs, f.node)
	}
	if len(rels) > 0 || len(funcs) > 0 {
		t.Errorf("%s: analyzer missed %d relations and %d functions", what, len(rels), len(funcs))
	}
}

// Every relation and function in every statement of the corpora is seen by
// the analyzer.
func TestAnalyzerSeesEverything(t *testing.T) {
	var stmts []string
	stmts = append(stmts, clientStatements(t)...)
	for _, tc := range rbacShapes {
		stmts = append(stmts, fillShape(tc.shape, "customers"))
	}
	for _, sql := range stmts {
		tree, err := pg_query.Parse(sql)
		if err != nil {
			continue
		}
		for _, raw := range tree.Stmts {
			checkAnalysisComplete(t, sql, raw.Stmt)
			// The queries inside wrappers.
			for _, inner := range []*pg_query.Node{
				raw.Stmt.GetExplainStmt().GetQuery(), raw.Stmt.GetCopyStmt().GetQuery(),
				raw.Stmt.GetPrepareStmt().GetQuery(), raw.Stmt.GetDeclareCursorStmt().GetQuery(),
			} {
				if inner != nil {
					checkAnalysisComplete(t, sql, inner)
				}
			}
		}
	}
}

// sentinelTypes are the node types a relation could hide under: every type
// the analyzer accepts, plus those it handles itself.
func sentinelTypes() []protoreflect.MessageType {
	var out []protoreflect.MessageType
	node := (&pg_query.Node{}).ProtoReflect().Descriptor()
	oneof := node.Oneofs().ByName("node")
	for i := 0; i < oneof.Fields().Len(); i++ {
		md := oneof.Fields().Get(i).Message()
		if queryNodes[md.Name()] || md.Name() == "SelectStmt" || md.Name() == "CommonTableExpr" {
			mt, err := protoTypeOf(md)
			if err == nil {
				out = append(out, mt)
			}
		}
	}
	return out
}

func protoTypeOf(md protoreflect.MessageDescriptor) (protoreflect.MessageType, error) {
	m := (&pg_query.Node{}).ProtoReflect()
	oneof := m.Descriptor().Oneofs().ByName("node")
	for i := 0; i < oneof.Fields().Len(); i++ {
		fd := oneof.Fields().Get(i)
		if fd.Message().FullName() == md.FullName() {
			return m.NewField(fd).Message().Type(), nil
		}
	}
	return nil, fmt.Errorf("no node type %s", md.FullName())
}

// wrap puts a message into a Node.
func wrap(m protoreflect.Message) *pg_query.Node {
	n := &pg_query.Node{}
	oneof := n.ProtoReflect().Descriptor().Oneofs().ByName("node")
	for i := 0; i < oneof.Fields().Len(); i++ {
		fd := oneof.Fields().Get(i)
		if fd.Message().FullName() == m.Descriptor().FullName() {
			n.ProtoReflect().Set(fd, protoreflect.ValueOfMessage(m))
			return n
		}
	}
	panic("not a node type: " + m.Descriptor().FullName())
}

// fillings builds, for message type mt, one message per way of reaching a
// Node field (directly or through plain message fields), with that Node
// field set by leaf. nest bounds how many Node levels deep it goes.
func fillings(mt protoreflect.MessageType, nest int, leaf func(nest int) []*pg_query.Node) []protoreflect.Message {
	var out []protoreflect.Message
	fields := mt.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		if fd.Kind() != protoreflect.MessageKind || fd.IsMap() {
			continue
		}
		var values []protoreflect.Message
		if fd.Message().FullName() == "pg_query.Node" {
			for _, n := range leaf(nest) {
				values = append(values, n.ProtoReflect())
			}
		} else if nest > 0 {
			sub := mt.New().NewField(fd)
			if fd.IsList() {
				sub = mt.New().Get(fd).List().NewElement()
			}
			values = fillings(sub.Message().Type(), nest-1, leaf)
		}
		for _, v := range values {
			m := mt.New()
			if fd.IsList() {
				m.Mutable(fd).List().Append(protoreflect.ValueOfMessage(v))
			} else {
				m.Set(fd, protoreflect.ValueOfMessage(v))
			}
			out = append(out, m)
		}
	}
	return out
}

// Build a tree for every way a relation can be placed one or two node
// levels under any accepted node type, and check the analyzer either
// refuses it or records the relation. This catches a handler that forgets a
// field, including fields a future pg_query adds.
func TestAnalyzerMissesNoField(t *testing.T) {
	types := sentinelTypes()
	if len(types) < 30 {
		t.Fatalf("only %d node types", len(types))
	}
	var leaf func(nest int) []*pg_query.Node
	leaf = func(nest int) []*pg_query.Node {
		out := []*pg_query.Node{
			{Node: &pg_query.Node_RangeVar{RangeVar: &pg_query.RangeVar{Relname: "sentinel", Inh: true, Relpersistence: "p"}}},
			{Node: &pg_query.Node_FuncCall{FuncCall: &pg_query.FuncCall{Funcname: []*pg_query.Node{pg_query.MakeStrNode("sentinel")}}}},
		}
		if nest > 0 {
			for _, mt := range types {
				for _, m := range fillings(mt, 1, func(int) []*pg_query.Node { return leaf(nest - 1) }) {
					out = append(out, wrap(m))
				}
			}
		}
		return out
	}
	count := 0
	for _, mt := range types {
		for _, m := range fillings(mt, 1, leaf) {
			node := wrap(m)
			checkAnalysisComplete(t, fmt.Sprintf("%s %v", mt.Descriptor().Name(), shortText(m.Interface())), node)
			count++
		}
	}
	t.Logf("checked %d trees", count)
}

func shortText(m proto.Message) string {
	s := fmt.Sprint(m)
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
