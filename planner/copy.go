package planner

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/keboola/agnes/pgerr"
)

// COPY is accepted in one direction only: rows out to the client (TO
// STDOUT), from a query or a whole table. The table form is planned as the
// equivalent SELECT, so a COPY reads exactly what that SELECT would, and the
// plan's SQL is that SELECT.

func (p *planner) planCopy(s *pg_query.CopyStmt) (*Plan, error) {
	switch {
	case s.IsFrom:
		return nil, pgerr.New(pgerr.InsufficientPrivilege, "COPY FROM is not allowed: Agnes serves read-only queries")
	case s.IsProgram:
		return nil, pgerr.New(pgerr.InsufficientPrivilege, "COPY ... PROGRAM is not allowed")
	case s.Filename != "":
		return nil, pgerr.New(pgerr.InsufficientPrivilege, "COPY to a file is not allowed").
			WithHint("Use COPY ... TO STDOUT (psql: \\copy) to receive the rows.")
	case s.WhereClause != nil:
		return nil, pgerr.New(pgerr.FeatureNotSupported, "WHERE clause not allowed with COPY TO")
	}
	opts, err := copyOptions(s.Options)
	if err != nil {
		return nil, err
	}
	query := s.Query
	if query == nil {
		if s.Relation == nil {
			return nil, unsupported("COPY without a table or query")
		}
		query = copySelect(s.Relation, s.Attlist)
	} else if query.GetSelectStmt() == nil {
		return nil, pgerr.New(pgerr.InsufficientPrivilege, "COPY (%s) is not allowed: Agnes serves read-only queries", commandTag(query))
	}
	plan, err := p.planQuery(query)
	if err != nil {
		return nil, err
	}
	plan.Kind = KindCopy
	plan.Copy = opts
	plan.Constants = nil // COPY's rows go through the engine's CSV/text writer path
	return plan, nil
}

// copySelect builds SELECT cols FROM relation for COPY relation (cols) TO.
func copySelect(rel *pg_query.RangeVar, cols []*pg_query.Node) *pg_query.Node {
	var targets []*pg_query.Node
	if len(cols) == 0 {
		targets = append(targets, pg_query.MakeResTargetNodeWithVal(
			pg_query.MakeColumnRefNode([]*pg_query.Node{pg_query.MakeAStarNode()}, -1), -1))
	}
	for _, c := range cols {
		targets = append(targets, pg_query.MakeResTargetNodeWithVal(
			pg_query.MakeColumnRefNode([]*pg_query.Node{pg_query.MakeStrNode(stringValue(c))}, -1), -1))
	}
	return &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: &pg_query.SelectStmt{
		TargetList:  targets,
		FromClause:  []*pg_query.Node{{Node: &pg_query.Node_RangeVar{RangeVar: rel}}},
		LimitOption: pg_query.LimitOption_LIMIT_OPTION_DEFAULT,
		Op:          pg_query.SetOperation_SETOP_NONE,
	}}}
}

// copyOptions reads COPY's options as PostgreSQL does for COPY TO and fills
// in the defaults of the chosen format.
func copyOptions(options []*pg_query.Node) (*CopyCommand, error) {
	c := &CopyCommand{Format: "text"}
	var delimiter, null, quote, escape *string
	seen := map[string]bool{}
	for _, o := range options {
		d := o.GetDefElem()
		if d == nil {
			return nil, unsupported("COPY option")
		}
		name := d.Defname
		if seen[name] {
			return nil, pgerr.New(pgerr.SyntaxError, "conflicting or redundant options: %s", name)
		}
		seen[name] = true
		switch name {
		case "format":
			f, err := defString(d)
			if err != nil {
				return nil, err
			}
			switch strings.ToLower(f) {
			case "text", "csv":
				c.Format = strings.ToLower(f)
			case "binary":
				return nil, pgerr.New(pgerr.FeatureNotSupported, "COPY format \"binary\" is not supported").
					WithHint("Use FORMAT csv or FORMAT text.")
			default:
				return nil, pgerr.New(pgerr.InvalidParameterValue, "COPY format %q not recognized", f)
			}
		case "header":
			if s := d.Arg.GetString_(); s != nil && strings.EqualFold(s.Sval, "match") {
				return nil, pgerr.New(pgerr.FeatureNotSupported, "cannot use \"match\" with HEADER in COPY TO")
			}
			v, err := defBool(d)
			if err != nil {
				return nil, err
			}
			c.Header = v
		case "delimiter", "null", "quote", "escape":
			v, err := defString(d)
			if err != nil {
				return nil, err
			}
			switch name {
			case "delimiter":
				delimiter = &v
			case "null":
				null = &v
			case "quote":
				quote = &v
			case "escape":
				escape = &v
			}
		case "force_quote":
			if d.Arg.GetAStar() != nil {
				c.ForceQuoteAll = true
				break
			}
			list := d.Arg.GetList()
			if list == nil {
				return nil, pgerr.New(pgerr.SyntaxError, "argument to option %q must be a list of column names", name)
			}
			for _, item := range list.Items {
				c.ForceQuote = append(c.ForceQuote, stringValue(item))
			}
		case "encoding":
			v, err := defString(d)
			if err != nil {
				return nil, err
			}
			if e := strings.ToUpper(strings.ReplaceAll(v, "-", "")); e != "UTF8" && e != "UNICODE" {
				return nil, pgerr.New(pgerr.FeatureNotSupported, "COPY encoding %q is not supported; Agnes sends UTF8", v)
			}
		case "force_not_null", "force_null", "freeze", "default", "on_error", "log_verbosity":
			return nil, pgerr.New(pgerr.FeatureNotSupported, "COPY %s is available only in COPY FROM", name)
		default:
			return nil, pgerr.New(pgerr.SyntaxError, "option %q not recognized", name)
		}
	}
	csv := c.Format == "csv"
	if !csv && (quote != nil || escape != nil || c.ForceQuoteAll || len(c.ForceQuote) > 0) {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "COPY QUOTE, ESCAPE and FORCE_QUOTE are available only in CSV mode")
	}
	c.Delimiter, c.Null = "\t", `\N`
	if csv {
		c.Delimiter, c.Null, c.Quote = ",", "", `"`
	}
	if delimiter != nil {
		c.Delimiter = *delimiter
	}
	if null != nil {
		c.Null = *null
	}
	if quote != nil {
		c.Quote = *quote
	}
	c.Escape = c.Quote
	if escape != nil {
		c.Escape = *escape
	}
	if len(c.Delimiter) != 1 {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "COPY delimiter must be a single one-byte character")
	}
	if c.Delimiter == "\r" || c.Delimiter == "\n" {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "COPY delimiter cannot be newline or carriage return")
	}
	if strings.ContainsAny(c.Null, "\r\n") {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "COPY null representation cannot use newline or carriage return")
	}
	if csv {
		if len(c.Quote) != 1 {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "COPY quote must be a single one-byte character")
		}
		if len(c.Escape) != 1 {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "COPY escape must be a single one-byte character")
		}
		if c.Delimiter == c.Quote {
			return nil, pgerr.New(pgerr.InvalidParameterValue, "COPY delimiter and quote must be different")
		}
	}
	if strings.Contains(c.Null, c.Delimiter) {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "COPY delimiter character must not appear in the NULL specification")
	}
	return c, nil
}

// defString reads a string option value.
func defString(d *pg_query.DefElem) (string, error) {
	switch {
	case d.Arg.GetString_() != nil:
		return d.Arg.GetString_().Sval, nil
	case d.Arg.GetInteger() != nil:
		text, _, _ := constText(&pg_query.A_Const{Val: &pg_query.A_Const_Ival{Ival: d.Arg.GetInteger()}})
		return text, nil
	}
	return "", pgerr.New(pgerr.SyntaxError, "%s requires a string value", d.Defname)
}
