package planner

import (
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/keboola/agnes/pgerr"
)

// PostgreSQL's text forms of arrays and bytea differ from DuckDB's: DuckDB
// reads '{1,2}' as no list at all and '\x0102' as the bytes 01 '0' '2'.
// Constants written in those forms are decoded here, at plan time, into
// forms with the same meaning in DuckDB.

// maxArrayLiteralDepth bounds the nesting of an array literal.
const maxArrayLiteralDepth = 6

// parseArrayLiteral decodes PostgreSQL's array input syntax ('{1,2}',
// '{{1,2},{3,4}}', '{"a b",NULL}') into an ARRAY[…] of string constants
// (DuckDB casts them to the element type) and its number of dimensions.
func parseArrayLiteral(s string) (*pg_query.Node, int, error) {
	in := strings.TrimSpace(s)
	if strings.HasPrefix(in, "[") {
		// Explicit bounds ('[0:1]={1,2}') shift subscripts, which a DuckDB
		// list cannot do.
		return nil, 0, pgerr.New(pgerr.FeatureNotSupported, "array literals with explicit bounds are not supported by Agnes")
	}
	ap := arrayParser{s: in}
	node, dims, err := ap.array(0)
	if err != nil {
		return nil, 0, err
	}
	ap.skipSpace()
	if ap.i != len(ap.s) {
		return nil, 0, malformedArray(s, "junk after closing right brace")
	}
	return node, dims, nil
}

type arrayParser struct {
	s string
	i int
}

func malformedArray(s, why string) *pgerr.Error {
	return pgerr.New(pgerr.InvalidTextRepresentation, "malformed array literal: %q", s).WithDetail("%s", why)
}

func (p *arrayParser) skipSpace() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

// array parses one brace-enclosed level.
func (p *arrayParser) array(depth int) (*pg_query.Node, int, error) {
	if depth > maxArrayLiteralDepth {
		return nil, 0, malformedArray(p.s, "too many dimensions")
	}
	p.skipSpace()
	if p.i >= len(p.s) || p.s[p.i] != '{' {
		return nil, 0, malformedArray(p.s, "array value must start with \"{\" or dimension information")
	}
	p.i++
	var elems []*pg_query.Node
	dims := 1
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return arrayNode(elems), 1, nil
	}
	for {
		p.skipSpace()
		if p.i >= len(p.s) {
			return nil, 0, malformedArray(p.s, "unexpected end of input")
		}
		switch p.s[p.i] {
		case '{':
			sub, d, err := p.array(depth + 1)
			if err != nil {
				return nil, 0, err
			}
			dims = d + 1
			elems = append(elems, sub)
		case '"':
			v, err := p.quoted()
			if err != nil {
				return nil, 0, err
			}
			elems = append(elems, pg_query.MakeAConstStrNode(v, -1))
		default:
			start := p.i
			for p.i < len(p.s) && p.s[p.i] != ',' && p.s[p.i] != '}' {
				switch p.s[p.i] {
				case '{', '"':
					return nil, 0, malformedArray(p.s, "unexpected character")
				case '\\':
					p.i++ // the escaped character is part of the element
				}
				p.i++
			}
			if p.i > len(p.s) {
				return nil, 0, malformedArray(p.s, "unexpected end of input")
			}
			v := strings.TrimSpace(p.s[start:p.i])
			if v == "" {
				return nil, 0, malformedArray(p.s, "unexpected \",\" or \"}\" character")
			}
			if strings.EqualFold(v, "NULL") {
				elems = append(elems, &pg_query.Node{Node: &pg_query.Node_AConst{AConst: &pg_query.A_Const{Isnull: true, Location: -1}}})
			} else {
				elems = append(elems, pg_query.MakeAConstStrNode(unescapeElement(v), -1))
			}
		}
		p.skipSpace()
		if p.i >= len(p.s) {
			return nil, 0, malformedArray(p.s, "unexpected end of input")
		}
		if p.s[p.i] == '}' {
			p.i++
			return arrayNode(elems), dims, nil
		}
		if p.s[p.i] != ',' {
			return nil, 0, malformedArray(p.s, "unexpected character")
		}
		p.i++
	}
}

// quoted reads a double-quoted element with backslash escapes.
func (p *arrayParser) quoted() (string, error) {
	p.i++ // opening quote
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch c {
		case '\\':
			p.i++
			if p.i < len(p.s) {
				b.WriteByte(p.s[p.i])
			}
		case '"':
			p.i++
			return b.String(), nil
		default:
			b.WriteByte(c)
		}
		p.i++
	}
	return "", malformedArray(p.s, "unexpected end of input")
}

// unescapeElement drops the backslash of each escaped character of an
// unquoted element.
func unescapeElement(v string) string {
	if !strings.Contains(v, `\`) {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) {
			i++
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

func arrayNode(elems []*pg_query.Node) *pg_query.Node {
	return &pg_query.Node{Node: &pg_query.Node_AArrayExpr{AArrayExpr: &pg_query.A_ArrayExpr{Elements: elems, Location: -1}}}
}

// parseBytea decodes PostgreSQL's bytea input: hex ('\x0102') or escape
// format ('ab\000\\').
func parseBytea(s string) ([]byte, error) {
	invalid := func() error {
		return pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type bytea")
	}
	if rest, ok := strings.CutPrefix(s, `\x`); ok {
		out := make([]byte, 0, len(rest)/2)
		for i := 0; i < len(rest); {
			if c := rest[i]; c == ' ' || c == '\t' || c == '\n' || c == '\r' {
				i++
				continue
			}
			if i+1 >= len(rest) {
				return nil, pgerr.New(pgerr.InvalidParameterValue, "invalid hexadecimal data: odd number of digits")
			}
			v, err := strconv.ParseUint(rest[i:i+2], 16, 8)
			if err != nil {
				return nil, pgerr.New(pgerr.InvalidParameterValue, "invalid hexadecimal digit: %q", rest[i:i+2])
			}
			out = append(out, byte(v))
			i += 2
		}
		return out, nil
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			out = append(out, s[i])
			continue
		}
		switch {
		case i+1 < len(s) && s[i+1] == '\\':
			out = append(out, '\\')
			i++
		case i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) && s[i+1] <= '3':
			v, _ := strconv.ParseUint(s[i+1:i+4], 8, 8)
			out = append(out, byte(v))
			i += 3
		default:
			return nil, invalid()
		}
	}
	return out, nil
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// duckBlobText is bytes as DuckDB's BLOB text form: every byte escaped.
func duckBlobText(b []byte) string {
	const hex = "0123456789ABCDEF"
	out := make([]byte, 0, 4*len(b))
	for _, c := range b {
		out = append(out, '\\', 'x', hex[c>>4], hex[c&15])
	}
	return string(out)
}
