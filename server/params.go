package server

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/keboola/agnes/pgerr"
)

// paramSpec describes one session parameter the gateway answers itself.
type paramSpec struct {
	def string
	// reported parameters are sent to the client in ParameterStatus at
	// startup and whenever they change.
	reported bool
	// readOnly parameters can be shown but not set.
	readOnly bool
	// check validates and normalises a new value.
	check func(v string) (string, error)
}

func invalidValue(name, v string) error {
	return pgerr.New(pgerr.InvalidParameterValue, "invalid value for parameter %q: %q", name, v)
}

var paramSpecs = map[string]paramSpec{
	"server_version":                      {reported: true, readOnly: true},
	"server_version_num":                  {def: "160004", readOnly: true},
	"server_encoding":                     {def: "UTF8", reported: true, readOnly: true},
	"client_encoding":                     {def: "UTF8", reported: true, check: checkEncoding},
	"datestyle":                           {def: "ISO, MDY", reported: true, check: checkDateStyle},
	"timezone":                            {def: "UTC", reported: true, check: checkTimeZone},
	"intervalstyle":                       {def: "postgres", reported: true, check: oneOf("intervalstyle", "postgres")},
	"integer_datetimes":                   {def: "on", reported: true, readOnly: true},
	"standard_conforming_strings":         {def: "on", reported: true, check: oneOf("standard_conforming_strings", "on")},
	"is_superuser":                        {def: "off", reported: true, readOnly: true},
	"session_authorization":               {reported: true, readOnly: true},
	"application_name":                    {def: "", reported: true, check: checkAppName},
	"default_transaction_read_only":       {def: "on", reported: true, check: checkBool},
	"in_hot_standby":                      {def: "off", reported: true, readOnly: true},
	"scram_iterations":                    {def: "4096", reported: true, readOnly: true},
	"search_path":                         {def: `"$user", public`, check: anyValue},
	"extra_float_digits":                  {def: "1", check: intRange("extra_float_digits", -15, 3)},
	"statement_timeout":                   {def: "0", check: checkDuration("statement_timeout")},
	"lock_timeout":                        {def: "0", check: checkDuration("lock_timeout")},
	"idle_in_transaction_session_timeout": {def: "0", check: checkDuration("idle_in_transaction_session_timeout")},
	"client_min_messages":                 {def: "notice", check: oneOf("client_min_messages", "debug5", "debug4", "debug3", "debug2", "debug1", "debug", "log", "notice", "warning", "error")},
	"bytea_output":                        {def: "hex", check: oneOf("bytea_output", "hex")},
	"default_transaction_isolation":       {def: "read committed", check: checkIsolation},
	"transaction_isolation":               {def: "read committed", check: checkIsolation},
	"transaction_read_only":               {def: "on", check: checkBool},
	"row_security":                        {def: "on", check: checkBool},
	"jit":                                 {def: "off", check: checkBool},
	"geqo":                                {def: "on", check: checkBool},
	"work_mem":                            {def: "4MB", check: anyValue},
	"max_identifier_length":               {def: "63", readOnly: true},
	"max_index_keys":                      {def: "32", readOnly: true},
	"block_size":                          {def: "8192", readOnly: true},
	"lc_collate":                          {def: "en_US.UTF-8", readOnly: true},
	"lc_ctype":                            {def: "en_US.UTF-8", readOnly: true},
	"lc_messages":                         {def: "en_US.UTF-8", check: anyValue},
	"lc_monetary":                         {def: "en_US.UTF-8", check: anyValue},
	"lc_numeric":                          {def: "en_US.UTF-8", check: anyValue},
	"lc_time":                             {def: "en_US.UTF-8", check: anyValue},
	"max_connections":                     {def: "200", readOnly: true},
	"ssl":                                 {def: "off", readOnly: true},
	"synchronous_commit":                  {def: "on", check: anyValue},
	"enable_seqscan":                      {def: "on", check: checkBool},
	"escape_string_warning":               {def: "on", check: checkBool},
	"array_nulls":                         {def: "on", check: checkBool},
	"backslash_quote":                     {def: "safe_encoding", check: anyValue},
	"cursor_tuple_fraction":               {def: "0.1", check: anyValue},
	"plan_cache_mode":                     {def: "auto", check: anyValue},
	"xmloption":                           {def: "content", check: anyValue},
	"tcp_keepalives_idle":                 {def: "0", check: anyValue},
	"quote_all_identifiers":               {def: "off", check: checkBool},
	"default_text_search_config":          {def: "pg_catalog.english", check: anyValue},
	"timezone_abbreviations":              {def: "Default", check: anyValue},
}

// canonicalName maps a parameter name to the spelling PostgreSQL reports.
var canonicalName = map[string]string{
	"datestyle": "DateStyle", "timezone": "TimeZone", "intervalstyle": "IntervalStyle",
}

func reportName(name string) string {
	if c, ok := canonicalName[name]; ok {
		return c
	}
	return name
}

func anyValue(v string) (string, error) { return v, nil }

func oneOf(name string, allowed ...string) func(string) (string, error) {
	return func(v string) (string, error) {
		lv := strings.ToLower(strings.TrimSpace(v))
		for _, a := range allowed {
			if lv == a {
				return a, nil
			}
		}
		return "", invalidValue(name, v)
	}
}

func checkBool(v string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "on", "true", "yes", "1", "t", "y":
		return "on", nil
	case "off", "false", "no", "0", "f", "n":
		return "off", nil
	}
	return "", pgerr.New(pgerr.InvalidParameterValue, "parameter requires a Boolean value")
}

func checkEncoding(v string) (string, error) {
	switch strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(v), "-", "")) {
	case "UTF8", "UNICODE":
		return "UTF8", nil
	}
	return "", pgerr.New(pgerr.FeatureNotSupported, "client_encoding %q is not supported: Agnes speaks UTF8 only", v)
}

func checkDateStyle(v string) (string, error) {
	// Results are always rendered ISO; accept what drivers send for it.
	parts := strings.Split(strings.ToUpper(v), ",")
	style, order := "ISO", "MDY"
	for _, p := range parts {
		switch strings.TrimSpace(p) {
		case "ISO":
		case "MDY", "US", "NONEURO", "NONEUROPEAN":
			order = "MDY"
		case "DMY", "EURO", "EUROPEAN":
			order = "DMY"
		case "YMD":
			order = "YMD"
		case "":
		default:
			return "", pgerr.New(pgerr.FeatureNotSupported, "DateStyle %q is not supported: Agnes renders dates in ISO style", v)
		}
	}
	return style + ", " + order, nil
}

func checkTimeZone(v string) (string, error) {
	tz := strings.TrimSpace(v)
	switch strings.ToUpper(tz) {
	case "UTC", "GMT", "Z", "ZULU", "UCT", "UNIVERSAL", "ETC/UTC":
		return "UTC", nil
	}
	if _, err := time.LoadLocation(tz); err == nil {
		return tz, nil
	}
	return "", pgerr.New(pgerr.InvalidParameterValue, "invalid value for parameter \"TimeZone\": %q", v)
}

func checkAppName(v string) (string, error) {
	// PostgreSQL truncates to NAMEDATALEN-1 and replaces non-ASCII bytes.
	b := []byte(v)
	for i, c := range b {
		if c < 32 || c > 126 {
			b[i] = '?'
		}
	}
	if len(b) > 63 {
		b = b[:63]
	}
	return string(b), nil
}

func intRange(name string, lo, hi int) func(string) (string, error) {
	return func(v string) (string, error) {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < lo || n > hi {
			return "", pgerr.New(pgerr.InvalidParameterValue, "%d is outside the valid range for parameter %q (%d .. %d)", n, name, lo, hi)
		}
		return strconv.Itoa(n), nil
	}
}

func checkIsolation(v string) (string, error) {
	lv := strings.ToLower(strings.Join(strings.Fields(v), " "))
	switch lv {
	case "read committed", "read uncommitted", "repeatable read", "serializable", "default":
		if lv == "default" {
			lv = "read committed"
		}
		return lv, nil
	}
	return "", invalidValue("transaction_isolation", v)
}

// checkDuration accepts PostgreSQL time values: a number of milliseconds or
// a number with a unit (us, ms, s, min, h, d). The value is kept as
// PostgreSQL shows it (formatPGMillis), so SHOW statement_timeout after
// SET statement_timeout = 500 answers 500ms, as drivers expect.
func checkDuration(name string) func(string) (string, error) {
	return func(v string) (string, error) {
		d, err := ParsePGDuration(v)
		if err != nil {
			return "", pgerr.New(pgerr.InvalidParameterValue, "invalid value for parameter %q: %q", name, v).
				WithHint("Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\".")
		}
		return formatPGMillis(d), nil
	}
}

// formatPGMillis renders a millisecond-based setting the way PostgreSQL's
// SHOW does: rounded to whole milliseconds, in the largest unit that divides
// it exactly (500ms, 5s, 1min, 2h, 1d; 0 without a unit). Halves round to
// even, as PostgreSQL's rint does.
func formatPGMillis(d time.Duration) string {
	ms := int64(math.RoundToEven(float64(d) / float64(time.Millisecond)))
	if ms == 0 {
		return "0"
	}
	for _, u := range []struct {
		name string
		ms   int64
	}{{"d", 86_400_000}, {"h", 3_600_000}, {"min", 60_000}, {"s", 1000}} {
		if ms%u.ms == 0 {
			return strconv.FormatInt(ms/u.ms, 10) + u.name
		}
	}
	return strconv.FormatInt(ms, 10) + "ms"
}

// ParsePGDuration parses a PostgreSQL time setting ("0", "5000", "5s", "1min").
func ParsePGDuration(v string) (time.Duration, error) {
	v = strings.TrimSpace(strings.Trim(strings.TrimSpace(v), "'"))
	i := 0
	for i < len(v) && (v[i] >= '0' && v[i] <= '9' || v[i] == '.') {
		i++
	}
	num, unit := v[:i], strings.ToLower(strings.TrimSpace(v[i:]))
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("invalid duration %q", v)
	}
	mult := map[string]time.Duration{"": time.Millisecond, "us": time.Microsecond, "ms": time.Millisecond, "s": time.Second,
		"min": time.Minute, "h": time.Hour, "d": 24 * time.Hour}
	m, ok := mult[unit]
	if !ok {
		return 0, fmt.Errorf("invalid unit %q", unit)
	}
	return time.Duration(f * float64(m)), nil
}
