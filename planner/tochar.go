package planner

import (
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/keboola/agnes/pgerr"
)

// PostgreSQL's template formatting functions, which DuckDB lacks, are
// rewritten when their template is a constant (as BI tools and analysts
// write them):
//
//   - to_char(timestamp|date, 'YYYY-MM-DD HH24:MI') becomes strftime()
//     pieces joined with ||, so a NULL input stays NULL;
//   - to_char(number, 'FM999,990.00') becomes format() of the number
//     rounded as numeric rounds (half away from zero);
//   - to_date(text, fmt) and to_timestamp(text, fmt) become strptime().
//
// A template part Agnes cannot reproduce exactly is refused with 0A000
// rather than answered differently.

// dateToken is one template pattern of to_char for date/time values.
type dateToken struct {
	pattern string
	// spec is the strftime specifier; fmSpec the one without padding
	// (FM prefix), "" when padding does not apply.
	spec, fmSpec string
	// expr builds the piece when strftime has no specifier for it; fm
	// says whether FM was given.
	expr func(x *pg_query.Node, fm bool) *pg_query.Node
}

// dateTokens in the order they are matched (longest first, as PostgreSQL's
// keyword table).
var dateTokens = []dateToken{
	{pattern: "A.D.", expr: eraExpr("A.D.", "B.C.")},
	{pattern: "A.M.", expr: meridiemExpr("A.M.", "P.M.")},
	{pattern: "a.d.", expr: eraExpr("a.d.", "b.c.")},
	{pattern: "a.m.", expr: meridiemExpr("a.m.", "p.m.")},
	{pattern: "B.C.", expr: eraExpr("A.D.", "B.C.")},
	{pattern: "b.c.", expr: eraExpr("a.d.", "b.c.")},
	{pattern: "P.M.", expr: meridiemExpr("A.M.", "P.M.")},
	{pattern: "p.m.", expr: meridiemExpr("a.m.", "p.m.")},
	{pattern: "Y,YYY", expr: func(x *pg_query.Node, _ bool) *pg_query.Node {
		y := datePart("year", x)
		return concatNodes(textOf(intDiv(y, 1000)), pg_query.MakeAConstStrNode(",", -1),
			padded(intMod(y, 1000), 3))
	}},
	{pattern: "MONTH", expr: nameExpr("%B", "upper")},
	{pattern: "Month", expr: nameExpr("%B", "")},
	{pattern: "month", expr: nameExpr("%B", "lower")},
	{pattern: "SSSSS", expr: secondsOfDay},
	{pattern: "HH24", spec: "%H", fmSpec: "%-H"},
	{pattern: "HH12", spec: "%I", fmSpec: "%-I"},
	{pattern: "IDDD", expr: func(x *pg_query.Node, fm bool) *pg_query.Node {
		// day of the ISO year: (ISO week − 1) × 7 + ISO weekday
		d := arith("+", arith("*", arith("-", datePart("week", x), intConst(1)), intConst(7)), datePart("isodow", x))
		if fm {
			return textOf(d)
		}
		return padded(d, 3)
	}},
	{pattern: "IYYY", spec: "%G"},
	{pattern: "SSSS", expr: secondsOfDay},
	{pattern: "YYYY", spec: "%Y"},
	{pattern: "DAY", expr: nameExpr("%A", "upper")},
	{pattern: "Day", expr: nameExpr("%A", "")},
	{pattern: "day", expr: nameExpr("%A", "lower")},
	{pattern: "DDD", spec: "%j", fmSpec: "%-j"},
	{pattern: "IYY", expr: lastYearDigits("isoyear", 3)},
	{pattern: "MON", expr: nameExpr("%b", "upper")},
	{pattern: "Mon", expr: nameExpr("%b", "")},
	{pattern: "mon", expr: nameExpr("%b", "lower")},
	{pattern: "YYY", expr: lastYearDigits("year", 3)},
	{pattern: "AD", expr: eraExpr("AD", "BC")},
	{pattern: "AM", spec: "%p"},
	{pattern: "BC", expr: eraExpr("AD", "BC")},
	{pattern: "CC", expr: func(x *pg_query.Node, fm bool) *pg_query.Node {
		if fm {
			return textOf(datePart("century", x))
		}
		return padded(datePart("century", x), 2)
	}},
	{pattern: "DD", spec: "%d", fmSpec: "%-d"},
	{pattern: "DY", expr: nameExpr("%a", "upper")},
	{pattern: "Dy", spec: "%a"},
	{pattern: "dy", expr: nameExpr("%a", "lower")},
	{pattern: "HH", spec: "%I", fmSpec: "%-I"},
	{pattern: "ID", spec: "%u"},
	{pattern: "IW", spec: "%V"},
	{pattern: "IY", expr: lastYearDigits("isoyear", 2)},
	{pattern: "MI", spec: "%M", fmSpec: "%-M"},
	{pattern: "MM", spec: "%m", fmSpec: "%-m"},
	{pattern: "MS", spec: "%g"},
	{pattern: "PM", spec: "%p"},
	{pattern: "SS", spec: "%S", fmSpec: "%-S"},
	{pattern: "US", spec: "%f"},
	{pattern: "WW", expr: func(x *pg_query.Node, fm bool) *pg_query.Node {
		w := arith("+", intDiv(arith("-", datePart("doy", x), intConst(1)), 7), intConst(1))
		if fm {
			return textOf(w)
		}
		return padded(w, 2)
	}},
	{pattern: "YY", spec: "%y", fmSpec: "%-y"},
	{pattern: "ad", expr: eraExpr("ad", "bc")},
	{pattern: "am", expr: meridiemExpr("am", "pm")},
	{pattern: "bc", expr: eraExpr("ad", "bc")},
	{pattern: "pm", expr: meridiemExpr("am", "pm")},
	{pattern: "D", expr: func(x *pg_query.Node, _ bool) *pg_query.Node {
		return textOf(arith("+", datePart("dow", x), intConst(1)))
	}},
	{pattern: "I", expr: lastYearDigits("isoyear", 1)},
	{pattern: "J", expr: func(x *pg_query.Node, _ bool) *pg_query.Node {
		return textOf(castNode(funcCallNode("floor", funcCallNode("julian", x)), "int8"))
	}},
	{pattern: "Q", expr: func(x *pg_query.Node, _ bool) *pg_query.Node { return textOf(datePart("quarter", x)) }},
	{pattern: "W", expr: func(x *pg_query.Node, _ bool) *pg_query.Node {
		return textOf(arith("+", intDiv(arith("-", datePart("day", x), intConst(1)), 7), intConst(1)))
	}},
	{pattern: "Y", expr: lastYearDigits("year", 1)},
}

// unsupportedDateTokens are template patterns Agnes does not reproduce.
var unsupportedDateTokens = []string{"TZH", "TZM", "TZ", "tz", "OF", "RM", "rm", "FF1", "FF2", "FF3", "FF4", "FF5", "FF6", "TH", "th", "SP"}

// rewriteTemplateFunctions rewrites to_char, to_date and to_timestamp
// calls with a constant template.
func rewriteTemplateFunctions(a *analysis) error {
	for _, f := range a.functions {
		if !f.isExprCall() || len(f.node.Args) != 2 {
			continue
		}
		switch f.name {
		case "to_char", "to_date", "to_timestamp":
		default:
			continue
		}
		call := f.node
		if call.AggStar || call.FuncVariadic || call.Over != nil || len(call.AggOrder) > 0 || call.AggFilter != nil {
			continue
		}
		tc := call.Args[1].GetAConst()
		if tc == nil || tc.GetSval() == nil {
			return pgerr.New(pgerr.FeatureNotSupported, "%s() is supported by Agnes only with a constant template", f.name).
				WithHint("Write the template as a string literal, e.g. to_char(created_at, 'YYYY-MM').")
		}
		template := tc.GetSval().Sval
		var repl *pg_query.Node
		var err error
		switch f.name {
		case "to_char":
			repl, err = toChar(call.Args[0], template)
		case "to_date":
			repl, err = parseWithTemplate(call.Args[0], template, "date")
		case "to_timestamp":
			repl, err = parseWithTemplate(call.Args[0], template, "timestamptz")
		}
		if err != nil {
			return err
		}
		f.wrapper.Node = repl.Node
	}
	return nil
}

// toChar rewrites to_char(x, template).
func toChar(x *pg_query.Node, template string) (*pg_query.Node, error) {
	if isNumericTemplate(template) {
		return numericToChar(x, template)
	}
	var pieces []*pg_query.Node
	var spec strings.Builder
	flush := func() {
		if spec.Len() > 0 {
			pieces = append(pieces, funcCallNode("strftime", x, pg_query.MakeAConstStrNode(spec.String(), -1)))
			spec.Reset()
		}
	}
	literal := func(s string) { spec.WriteString(strings.ReplaceAll(s, "%", "%%")) }
	fm := false
	for i := 0; i < len(template); {
		rest := template[i:]
		switch {
		case strings.HasPrefix(rest, "FM"):
			fm = true
			i += 2
			continue
		case strings.HasPrefix(rest, "FX") || strings.HasPrefix(rest, "TM"):
			i += 2 // exact matching and translation mode: no effect on output here
			continue
		case rest[0] == '"':
			j := i + 1
			var lit strings.Builder
			for j < len(template) && template[j] != '"' {
				if template[j] == '\\' && j+1 < len(template) {
					j++
				}
				lit.WriteByte(template[j])
				j++
			}
			literal(lit.String())
			i = j + 1
			fm = false
			continue
		case rest[0] == '\\' && len(rest) > 1:
			literal(rest[1:2])
			i += 2
			continue
		}
		for _, u := range unsupportedDateTokens {
			if strings.HasPrefix(rest, u) {
				return nil, pgerr.New(pgerr.FeatureNotSupported, "to_char(): template pattern %q is not supported by Agnes", u)
			}
		}
		matched := false
		for _, t := range dateTokens {
			if !strings.HasPrefix(rest, t.pattern) {
				continue
			}
			matched = true
			i += len(t.pattern)
			switch {
			case t.expr != nil:
				flush()
				pieces = append(pieces, t.expr(x, fm))
			case fm && t.fmSpec != "":
				spec.WriteString(t.fmSpec)
			default:
				spec.WriteString(t.spec)
			}
			break
		}
		fm = false
		if !matched {
			// Anything else is copied as it is, as PostgreSQL does.
			_, size := firstRune(rest)
			literal(rest[:size])
			i += size
		}
	}
	flush()
	if len(pieces) == 0 {
		// An empty template gives an empty string (NULL for a NULL input).
		return arith("||", castNode(x, "text"), pg_query.MakeAConstStrNode("", -1)), nil
	}
	return concatNodes(pieces...), nil
}

// parseWithTemplate rewrites to_date / to_timestamp(text, template) into
// strptime with the template's specifiers.
func parseWithTemplate(x *pg_query.Node, template, typ string) (*pg_query.Node, error) {
	var spec strings.Builder
	for i := 0; i < len(template); {
		rest := template[i:]
		if strings.HasPrefix(rest, "FM") || strings.HasPrefix(rest, "FX") || strings.HasPrefix(rest, "TM") {
			i += 2 // padding and exact matching do not change what strptime reads
			continue
		}
		if rest[0] == '"' {
			j := strings.IndexByte(template[i+1:], '"')
			if j < 0 {
				j = len(template) - i - 1
			}
			spec.WriteString(strings.ReplaceAll(template[i+1:i+1+j], "%", "%%"))
			i += j + 2
			continue
		}
		matched := false
		for _, t := range dateTokens {
			if strings.HasPrefix(rest, t.pattern) {
				s := parseSpecs[t.pattern]
				if s == "" {
					return nil, pgerr.New(pgerr.FeatureNotSupported, "to_%s(): template pattern %q is not supported by Agnes", map[string]string{"date": "date", "timestamptz": "timestamp"}[typ], t.pattern)
				}
				spec.WriteString(s)
				i += len(t.pattern)
				matched = true
				break
			}
		}
		if !matched {
			_, size := firstRune(rest)
			spec.WriteString(strings.ReplaceAll(rest[:size], "%", "%%"))
			i += size
		}
	}
	return castNode(funcCallNode("strptime", castNode(x, "text"), pg_query.MakeAConstStrNode(spec.String(), -1)), typ), nil
}

// parseSpecs are the strptime specifiers of the patterns to_date and
// to_timestamp read.
var parseSpecs = map[string]string{
	"YYYY": "%Y", "YY": "%y", "MM": "%m", "DD": "%d", "DDD": "%j", "HH24": "%H", "HH12": "%I", "HH": "%I",
	"MI": "%M", "SS": "%S", "MS": "%g", "US": "%f", "AM": "%p", "PM": "%p", "Mon": "%b", "MON": "%b",
	"mon": "%b", "Month": "%B", "MONTH": "%B", "month": "%B", "Dy": "%a", "DY": "%a", "dy": "%a",
	"Day": "%A", "DAY": "%A", "day": "%A", "IYYY": "%G", "IW": "%V", "ID": "%u",
}

// isNumericTemplate reports whether a to_char template formats a number:
// it has digit positions (9 or 0) and no date/time pattern.
func isNumericTemplate(t string) bool {
	if !strings.ContainsAny(t, "90") {
		return false
	}
	rest := strings.TrimPrefix(t, "FM")
	for _, r := range rest {
		if !strings.ContainsRune("90.,DGS ", r) {
			return false
		}
	}
	return true
}

// numericToChar rewrites to_char(number, '[FM]9,990.00'): digits, a
// decimal point (. or D) and group separators (, or G) are supported; the
// sign goes in front as PostgreSQL puts it without S.
func numericToChar(x *pg_query.Node, template string) (*pg_query.Node, error) {
	fm := strings.HasPrefix(template, "FM")
	t := strings.TrimPrefix(template, "FM")
	if strings.ContainsAny(t, "S ") {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "to_char(): numeric template %q is not supported by Agnes", template)
	}
	intPart, fracPart, _ := strings.Cut(strings.ReplaceAll(t, "D", "."), ".")
	if strings.ContainsAny(fracPart, ".,G") {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "to_char(): numeric template %q is not supported by Agnes", template)
	}
	grouping := strings.ContainsAny(intPart, ",G")
	digits := strings.Count(intPart, "9") + strings.Count(intPart, "0")
	zeroFrom := strings.IndexByte(intPart, '0')
	minDigits := 0
	if zeroFrom >= 0 {
		minDigits = strings.Count(intPart[zeroFrom:], "9") + strings.Count(intPart[zeroFrom:], "0")
	}
	frac := len(fracPart)
	spec := "{:"
	if grouping {
		spec += ","
	}
	spec += "." + strconv.Itoa(frac) + "f}"
	rounded := funcCallNode("round", x, intConst(int64(frac)))
	// |x| formatted, then the sign in front, as PostgreSQL's template
	// puts it (a leading minus, or a space for positive values).
	abs := funcCallNode("format", pg_query.MakeAConstStrNode(spec, -1), castNode(funcCallNode("abs", rounded), "float8"))
	body := abs
	if minDigits > 1 {
		// zero-pad the integer digits up to the 0 positions
		width := minDigits + frac
		if frac > 0 {
			width++
		}
		if grouping {
			width += (minDigits - 1) / 3
		}
		zspec := "{:0" + strconv.Itoa(width) + "." + strconv.Itoa(frac) + "f}"
		if grouping {
			zspec = spec // grouping with zero padding: keep the grouped form
		}
		body = funcCallNode("format", pg_query.MakeAConstStrNode(zspec, -1), castNode(funcCallNode("abs", rounded), "float8"))
	} else if minDigits == 0 && frac > 0 {
		// '.99' prints no leading zero before the point
		body = funcCallNode("regexp_replace", abs, pg_query.MakeAConstStrNode("^0\\.", -1), pg_query.MakeAConstStrNode(".", -1))
	}
	if fm && strings.Contains(fracPart, "9") {
		// FM drops trailing zeros in 9 positions; 0 positions stay.
		keep := strings.LastIndexByte(fracPart, '0') + 1
		body = funcCallNode("regexp_replace", body,
			pg_query.MakeAConstStrNode("(\\.[0-9]{"+strconv.Itoa(keep)+"}[0-9]*?)0+$", -1), pg_query.MakeAConstStrNode("\\1", -1))
	}
	positive := " "
	if fm {
		positive = ""
	}
	sign := caseLess(rounded, 0, "-", positive)
	out := arith("||", sign, body)
	if !fm {
		width := digits + 1 // the sign position
		if frac > 0 {
			width += frac + 1
		}
		if grouping {
			width += strings.Count(intPart, ",") + strings.Count(intPart, "G")
		}
		out = funcCallNode("lpad", out, intConst(int64(width)), pg_query.MakeAConstStrNode(" ", -1))
	}
	return out, nil
}

func firstRune(s string) (rune, int) {
	for i, r := range s {
		if i > 0 {
			return r, i
		}
	}
	return 0, len(s)
}

func intDiv(x *pg_query.Node, n int64) *pg_query.Node {
	return castNode(funcCallNode("floor", arith("/", x, intConst(n))), "int8")
}

func intMod(x *pg_query.Node, n int64) *pg_query.Node { return arith("%", x, intConst(n)) }

func datePart(part string, x *pg_query.Node) *pg_query.Node {
	return funcCallNode("date_part", pg_query.MakeAConstStrNode(part, -1), x)
}

func textOf(x *pg_query.Node) *pg_query.Node { return castNode(x, "text") }

func padded(x *pg_query.Node, width int64) *pg_query.Node {
	return funcCallNode("lpad", textOf(x), intConst(width), pg_query.MakeAConstStrNode("0", -1))
}

func concatNodes(pieces ...*pg_query.Node) *pg_query.Node {
	out := pieces[0]
	for _, p := range pieces[1:] {
		out = arith("||", out, p)
	}
	return out
}

func nameExpr(spec, fold string) func(x *pg_query.Node, fm bool) *pg_query.Node {
	return func(x *pg_query.Node, fm bool) *pg_query.Node {
		n := funcCallNode("strftime", x, pg_query.MakeAConstStrNode(spec, -1))
		if !fm && (spec == "%B" || spec == "%A") {
			n = funcCallNode("rpad", n, intConst(9), pg_query.MakeAConstStrNode(" ", -1))
		}
		if fold != "" {
			n = funcCallNode(fold, n)
		}
		return n
	}
}

func meridiemExpr(am, pm string) func(x *pg_query.Node, fm bool) *pg_query.Node {
	return func(x *pg_query.Node, _ bool) *pg_query.Node {
		return caseLess(datePart("hour", x), 12, am, pm)
	}
}

func eraExpr(ad, bc string) func(x *pg_query.Node, fm bool) *pg_query.Node {
	return func(x *pg_query.Node, _ bool) *pg_query.Node {
		return caseLess(datePart("year", x), 1, bc, ad)
	}
}

// caseLess is CASE WHEN v < n THEN lt ELSE ge END.
func caseLess(v *pg_query.Node, n int64, lt, ge string) *pg_query.Node {
	return caseExpr(pg_query.MakeAConstStrNode(ge, -1), when{arith("<", v, intConst(n)), pg_query.MakeAConstStrNode(lt, -1)})
}

func lastYearDigits(part string, n int64) func(x *pg_query.Node, fm bool) *pg_query.Node {
	mod := map[int64]int64{1: 10, 2: 100, 3: 1000}[n]
	return func(x *pg_query.Node, fm bool) *pg_query.Node {
		v := intMod(datePart(part, x), mod)
		if fm {
			return textOf(v)
		}
		return padded(v, n)
	}
}

func secondsOfDay(x *pg_query.Node, _ bool) *pg_query.Node {
	s := arith("+", arith("+", arith("*", datePart("hour", x), intConst(3600)),
		arith("*", datePart("minute", x), intConst(60))), datePart("second", x))
	return textOf(s)
}
