package config

import (
	"errors"
	"fmt"
	"net"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"
)

// Config is the typed form of instance.yaml. Every field has a default, so
// the zero-file setup (no instance.yaml) is a complete configuration.
type Config struct {
	// DataDir holds the system store, extracts, snapshots and marketplaces.
	DataDir     string      `yaml:"data_dir"`
	Instance    Instance    `yaml:"instance"`
	HTTP        HTTP        `yaml:"http"`
	PG          PG          `yaml:"pg"`
	Engine      Engine      `yaml:"engine"`
	Marketplace Marketplace `yaml:"marketplace"`
}

// Instance names the deployment and its bootstrap administrator.
type Instance struct {
	Name       string `yaml:"name"`
	AdminEmail string `yaml:"admin_email"`
}

// HTTP configures the HTTP side (manifest, downloads, admin API).
type HTTP struct {
	Listen string `yaml:"listen"`
}

// PG configures the PostgreSQL wire listener.
type PG struct {
	Listen                 string   `yaml:"listen"`
	TLSCert                string   `yaml:"tls_cert"`
	TLSKey                 string   `yaml:"tls_key"`
	Database               string   `yaml:"database"`
	AllowCleartextLoopback bool     `yaml:"allow_cleartext_loopback"`
	MaxMessageSize         Size     `yaml:"max_message_size"`
	StatementTimeout       Duration `yaml:"statement_timeout"`
	MaxConnections         int      `yaml:"max_connections"`
}

// Engine configures the DuckDB sandboxes queries run in.
type Engine struct {
	MemoryLimit          Size   `yaml:"memory_limit"`
	Threads              int    `yaml:"threads"`
	TempDir              string `yaml:"temp_dir"`
	MaxTempDirectorySize Size   `yaml:"max_temp_directory_size"`
	// NativeCacheMaxTableSize is the largest parquet file that also gets a
	// copy in DuckDB's own format under <data_dir>/cache/native (faster
	// scans; disk for a second copy). 0 turns the copies off.
	NativeCacheMaxTableSize Size `yaml:"native_cache_max_table_size"`
}

// Marketplace configures the Claude Code plugin marketplace.
type Marketplace struct {
	// SyncSchedule is when every registered upstream is fetched: a cron
	// expression ("0 3 * * *") or descriptor ("@daily", "@every 6h"); "off"
	// leaves syncing to `agnes admin marketplace sync`.
	SyncSchedule string `yaml:"sync_schedule"`
}

// Default returns the embedded default configuration.
func Default() Config {
	return Config{
		DataDir:  "./agnes-data",
		Instance: Instance{Name: "agnes", AdminEmail: "admin@localhost"},
		HTTP:     HTTP{Listen: "127.0.0.1:8000"},
		PG: PG{
			Listen:         "127.0.0.1:5433",
			Database:       "agnes",
			MaxMessageSize: 64 << 20,
			MaxConnections: 200,
		},
		Engine:      Engine{NativeCacheMaxTableSize: 2 << 30},
		Marketplace: Marketplace{SyncSchedule: "@daily"},
	}
}

// Error is a configuration error that names the offending key and the
// expected form.
type Error struct {
	Key      string // dotted key, e.g. "pg.listen"
	Source   string // where the value came from: file path, env var name, flag
	Problem  string
	Expected string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("config: ")
	if e.Key != "" {
		fmt.Fprintf(&b, "%s: ", e.Key)
	}
	b.WriteString(e.Problem)
	if e.Expected != "" {
		fmt.Fprintf(&b, " (expected %s)", e.Expected)
	}
	if e.Source != "" {
		fmt.Fprintf(&b, " [from %s]", e.Source)
	}
	return b.String()
}

// Load builds the configuration: defaults, then the YAML file at path (if
// path is non-empty; a missing explicit file is an error), then AGNES_*
// environment variables from environ (os.Environ() form). It validates the
// result.
func Load(path string, environ []string) (Config, error) {
	cfg := Default()
	origins := map[string]string{}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return cfg, &Error{Source: path, Problem: fmt.Sprintf("cannot read config file: %v", err)}
		}
		if err := decodeYAML(data, &cfg, path, origins); err != nil {
			return cfg, err
		}
	}
	if err := applyEnv(&cfg, environ, origins); err != nil {
		return cfg, err
	}
	if err := cfg.Validate(); err != nil {
		var ce *Error
		if errors.As(err, &ce) && ce.Source == "" {
			ce.Source = origins[ce.Key]
		}
		return cfg, err
	}
	return cfg, nil
}

func decodeYAML(data []byte, cfg *Config, source string, origins map[string]string) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return &Error{Source: source, Problem: "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: "), Expected: "a YAML mapping of the documented keys"}
	}
	if len(doc.Content) == 0 {
		return nil // empty file
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return &Error{Source: source, Problem: "the file is not a mapping", Expected: "keys such as data_dir, http, pg, engine, instance"}
	}
	return walkYAML(root, "", cfg, source, origins)
}

// walkYAML assigns every scalar leaf through Set, so file values, env vars
// and flags share one parser and one set of error messages.
func walkYAML(n *yaml.Node, prefix string, cfg *Config, source string, origins map[string]string) error {
	known := map[string]bool{}
	for _, k := range Keys() {
		known[k] = true
		if sec, _, ok := strings.Cut(k, "."); ok {
			known[sec+"."] = true
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := prefix + k.Value
		where := fmt.Sprintf("%s:%d", source, k.Line)
		switch {
		case known[key+"."] && prefix == "":
			if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
				continue
			}
			if v.Kind != yaml.MappingNode {
				return &Error{Key: key, Source: where, Problem: "must be a section", Expected: "a mapping of " + key + ".* keys"}
			}
			if err := walkYAML(v, key+".", cfg, source, origins); err != nil {
				return err
			}
		case known[key]:
			if v.Kind != yaml.ScalarNode {
				return &Error{Key: key, Source: where, Problem: "must be a single value"}
			}
			if v.Tag == "!!null" {
				continue
			}
			if err := Set(cfg, key, v.Value); err != nil {
				var ce *Error
				if errors.As(err, &ce) {
					ce.Source = where
				}
				return err
			}
			origins[key] = where
		default:
			return &Error{Key: key, Source: where, Problem: "unknown key", Expected: "one of: " + strings.Join(Keys(), ", ")}
		}
	}
	return nil
}

func yamlName(f reflect.StructField) string {
	return strings.Split(f.Tag.Get("yaml"), ",")[0]
}

// field is one leaf configuration key.
type field struct {
	key   string // dotted: pg.listen
	env   string // AGNES_PG_LISTEN
	value reflect.Value
}

func fields(cfg *Config) []field {
	var out []field
	v := reflect.ValueOf(cfg).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := yamlName(f)
		fv := v.Field(i)
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(Size(0)) && f.Type != reflect.TypeOf(Duration(0)) {
			for j := 0; j < f.Type.NumField(); j++ {
				sf := f.Type.Field(j)
				sub := yamlName(sf)
				out = append(out, field{
					key:   name + "." + sub,
					env:   "AGNES_" + strings.ToUpper(name+"_"+sub),
					value: fv.Field(j),
				})
			}
			continue
		}
		out = append(out, field{key: name, env: "AGNES_" + strings.ToUpper(name), value: fv})
	}
	return out
}

// Keys lists every configuration key in dotted form.
func Keys() []string {
	var cfg Config
	var keys []string
	for _, f := range fields(&cfg) {
		keys = append(keys, f.key)
	}
	return keys
}

// EnvVars lists every environment variable that overrides a key.
func EnvVars() []string {
	var cfg Config
	var out []string
	for _, f := range fields(&cfg) {
		out = append(out, f.env)
	}
	return out
}

func applyEnv(cfg *Config, environ []string, origins map[string]string) error {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	for _, f := range fields(cfg) {
		raw, ok := env[f.env]
		if !ok {
			continue
		}
		if err := Set(cfg, f.key, raw); err != nil {
			var ce *Error
			if errors.As(err, &ce) {
				ce.Source = f.env
			}
			return err
		}
		origins[f.key] = f.env
	}
	return nil
}

// Set assigns a value given as text to the dotted key (used for env vars
// and command-line flags).
func Set(cfg *Config, key, raw string) error {
	for _, f := range fields(cfg) {
		if f.key != key {
			continue
		}
		return setValue(f.value, key, raw)
	}
	return &Error{Key: key, Problem: "unknown key", Expected: "one of: " + strings.Join(Keys(), ", ")}
}

func setValue(v reflect.Value, key, raw string) error {
	switch v.Interface().(type) {
	case Size:
		s, err := ParseSize(raw)
		if err != nil {
			return &Error{Key: key, Problem: fmt.Sprintf("invalid size %q", raw), Expected: "a byte size such as 512MB, 2GB or 1073741824"}
		}
		v.Set(reflect.ValueOf(s))
		return nil
	case Duration:
		d, err := ParseDuration(raw)
		if err != nil {
			return &Error{Key: key, Problem: fmt.Sprintf("invalid duration %q", raw), Expected: "a duration such as 30s, 5m or 0 (none)"}
		}
		v.Set(reflect.ValueOf(d))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(raw)
	case reflect.Int:
		n, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil {
			return &Error{Key: key, Problem: fmt.Sprintf("invalid integer %q", raw), Expected: "a whole number"}
		}
		v.SetInt(int64(n))
	case reflect.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(raw))
		if err != nil {
			return &Error{Key: key, Problem: fmt.Sprintf("invalid boolean %q", raw), Expected: "true or false"}
		}
		v.SetBool(b)
	default:
		return &Error{Key: key, Problem: "cannot be set from text"}
	}
	return nil
}

// Validate checks every value and returns the first problem.
func (c Config) Validate() error {
	if strings.TrimSpace(c.DataDir) == "" {
		return &Error{Key: "data_dir", Problem: "must not be empty", Expected: "a directory path"}
	}
	for _, l := range []struct{ key, addr string }{{"http.listen", c.HTTP.Listen}, {"pg.listen", c.PG.Listen}} {
		if err := checkListen(l.addr); err != "" {
			return &Error{Key: l.key, Problem: err, Expected: "host:port with a port from 0 to 65535, e.g. 127.0.0.1:5433"}
		}
	}
	if (c.PG.TLSCert == "") != (c.PG.TLSKey == "") {
		return &Error{Key: "pg.tls_cert", Problem: "pg.tls_cert and pg.tls_key must be set together", Expected: "paths to a PEM certificate and its key"}
	}
	if c.PG.Database == "" || strings.ContainsAny(c.PG.Database, "\x00 ") {
		return &Error{Key: "pg.database", Problem: fmt.Sprintf("invalid database name %q", c.PG.Database), Expected: "a name without spaces, e.g. agnes"}
	}
	if c.PG.MaxMessageSize < 1<<10 {
		return &Error{Key: "pg.max_message_size", Problem: "too small", Expected: "at least 1KB, e.g. 64MB"}
	}
	if c.PG.MaxConnections < 1 {
		return &Error{Key: "pg.max_connections", Problem: "must be positive", Expected: "a whole number ≥ 1"}
	}
	if c.Engine.Threads < 0 {
		return &Error{Key: "engine.threads", Problem: "must not be negative", Expected: "0 (DuckDB default) or a positive number"}
	}
	if s := c.Marketplace.SyncSchedule; s != "" && s != "off" {
		if _, err := cron.ParseStandard(s); err != nil {
			return &Error{Key: "marketplace.sync_schedule", Problem: fmt.Sprintf("invalid schedule %q", s), Expected: `a cron expression such as "0 3 * * *", a descriptor such as @daily or "@every 6h", or off`}
		}
	}
	if c.Instance.AdminEmail == "" || !strings.Contains(c.Instance.AdminEmail, "@") {
		return &Error{Key: "instance.admin_email", Problem: fmt.Sprintf("invalid email %q", c.Instance.AdminEmail), Expected: "an email address such as admin@localhost"}
	}
	return nil
}

func checkListen(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Sprintf("invalid address %q", addr)
	}
	_ = host
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return fmt.Sprintf("invalid port %q", port)
	}
	return ""
}

// Size is a byte count that reads "512MB", "2GiB" or a plain number.
type Size int64

// Duration is a time.Duration that reads "30s" or a plain number of milliseconds.
type Duration time.Duration

var sizeRe = regexp.MustCompile(`^(?i)\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb|kib|mib|gib|tib|k|m|g|t)?\s*$`)

// ParseSize parses a byte size.
func ParseSize(s string) (Size, error) {
	m := sizeRe.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	f, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, err
	}
	mult := map[string]float64{"": 1, "b": 1, "k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9, "t": 1e12, "tb": 1e12,
		"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40}[strings.ToLower(m[2])]
	return Size(f * mult), nil
}

// ParseDuration parses a duration ("30s", "5m") or a number of milliseconds.
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
		return Duration(time.Duration(n) * time.Millisecond), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("invalid duration %q", s)
	}
	return Duration(d), nil
}

// DuckDB renders the size the way DuckDB settings accept it ("" for 0).
func (s Size) DuckDB() string {
	if s <= 0 {
		return ""
	}
	return strconv.FormatInt(int64(s)/1024, 10) + "KiB"
}
