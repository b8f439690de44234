package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/api/enums/v1"
)

// startDevUsage heads `sundial server start-dev --help`.
const startDevUsage = `Usage: sundial server start-dev [flags]

Serve as "temporal server start-dev" does, taking its command line, as SDK test
environments (WorkflowEnvironment.start_local and the like) pass it: the
WorkflowService on --ip:--port, state in memory unless --db-filename names a
file, the --namespace namespaces and --search-attribute attributes created at
start. Sundial has no Web UI, HTTP API or metrics endpoint yet: the flags for
them are accepted, and a log line says they are ignored. Flags of the temporal
CLI that concern its client configuration are accepted and have no effect.

Flags:
`

// logLevelNever is above every level Sundial logs at: "never" (and zap's
// fatal levels, which the SDKs pass to silence the server) log nothing.
const logLevelNever = slog.Level(100)

// startDevConfig is what a `server start-dev` command line selects.
type startDevConfig struct {
	ip               string
	port             int
	databasePath     string // ":memory:" when no --db-filename
	namespaces       []string
	logLevel         slog.Level
	logJSON          bool
	dynamicConfig    []dynamicConfigValue
	searchAttributes map[string]enums.IndexedValueType
	commandTimeout   time.Duration // zero: none
	logConfig        bool
	// webUI is where the Web UI is served: --ui-ip (default --ip) and
	// --ui-port (default --port + 1000, as Temporal's dev server does), off
	// with --headless.
	webUI webUIConfig
	// ignored lists the flags that were given and change nothing, with why.
	ignored []ignoredFlag
}

// ignoredFlag is a start-dev flag Sundial accepts without acting on it.
type ignoredFlag struct {
	name, value, reason string
}

// listenAddr is the host:port the server listens on.
func (c startDevConfig) listenAddr() string {
	return net.JoinHostPort(c.ip, strconv.Itoa(c.port))
}

// repeatedFlag collects every value of a flag given more than once.
type repeatedFlag []string

func (r *repeatedFlag) String() string { return strings.Join(*r, ",") }

func (r *repeatedFlag) Set(v string) error {
	*r = append(*r, v)
	return nil
}

// Reasons a start-dev flag is accepted and ignored.
const (
	reasonUIAssets     = "Sundial serves the Web UI's own embedded assets"
	reasonNoHTTP       = "Sundial serves no HTTP API"
	reasonNoMetrics    = "Sundial serves no metrics endpoint"
	reasonOwnPragmas   = "Sundial sets its own SQLite pragmas"
	reasonClientConfig = "it configures the temporal CLI's client, not the server"
)

// ignoredStartDevFlags are the flags of `temporal server start-dev` (and the
// temporal CLI's global ones) that Sundial takes and ignores, with why.
var ignoredStartDevFlags = []struct {
	name, reason string
	boolean      bool
}{
	{name: "ui-public-path", reason: reasonUIAssets},
	{name: "ui-asset-path", reason: reasonUIAssets},
	{name: "ui-codec-endpoint", reason: reasonUIAssets},
	{name: "http-port", reason: reasonNoHTTP},
	{name: "metrics-port", reason: reasonNoMetrics},
	{name: "sqlite-pragma", reason: reasonOwnPragmas},
	{name: "env", reason: reasonClientConfig},
	{name: "env-file", reason: reasonClientConfig},
	{name: "config-file", reason: reasonClientConfig},
	{name: "profile", reason: reasonClientConfig},
	{name: "disable-config-file", reason: reasonClientConfig, boolean: true},
	{name: "disable-config-env", reason: reasonClientConfig, boolean: true},
	{name: "output", reason: reasonClientConfig},
	{name: "o", reason: reasonClientConfig},
	{name: "time-format", reason: reasonClientConfig},
	{name: "color", reason: reasonClientConfig},
	{name: "no-json-shorthand-payloads", reason: reasonClientConfig, boolean: true},
}

// recordingFlag remembers every value given to an ignored flag.
type recordingFlag struct {
	name, reason string
	boolean      bool
	seen         *[]ignoredFlag
}

func (r recordingFlag) String() string { return "" }

func (r recordingFlag) Set(v string) error {
	*r.seen = append(*r.seen, ignoredFlag{name: r.name, value: v, reason: r.reason})
	return nil
}

// IsBoolFlag lets boolean flags stand alone (--headless style).
func (r recordingFlag) IsBoolFlag() bool { return r.boolean }

// parseStartDevFlags reads a `server start-dev` command line (the words after
// start-dev). Help goes to output; errors are returned, an unknown flag with
// the list of the accepted ones.
func parseStartDevFlags(args []string, output io.Writer) (startDevConfig, error) {
	cfg := startDevConfig{databasePath: ":memory:"}
	flags := flag.NewFlagSet("sundial server start-dev", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	var (
		ip, dbFile, logLevel, logFormat, commandTimeout string
		namespaces, dynamicValues, searchAttrs          repeatedFlag
		headless                                        bool
		uiIP                                            string
		uiPort                                          int
	)
	flags.IntVar(&cfg.port, "port", 7233, "`PORT` for the WorkflowService gRPC API")
	flags.IntVar(&cfg.port, "p", 7233, "shorthand for --port")
	flags.StringVar(&ip, "ip", "localhost", "`IP` address to serve on (localhost means 127.0.0.1)")
	flags.StringVar(&dbFile, "db-filename", "", "SQLite database `PATH`; state is kept in memory (lost at exit) when empty")
	flags.StringVar(&dbFile, "f", "", "shorthand for --db-filename")
	flags.Var(&namespaces, "namespace", "`NAME` of a namespace to create at start (repeatable; \"default\" always exists)")
	flags.Var(&namespaces, "n", "shorthand for --namespace")
	flags.StringVar(&logLevel, "log-level", "warn", "log `LEVEL`: debug, info, warn, error or never")
	flags.StringVar(&logFormat, "log-format", "text", "log `FORMAT`: text (or pretty) or json")
	flags.Var(&dynamicValues, "dynamic-config-value", "`KEY=JSON` dynamic config value (repeatable); see the README for the keys Sundial applies")
	flags.Var(&searchAttrs, "search-attribute", "`NAME=TYPE` search attribute to register (repeatable): Text, Keyword, Int, Double, Bool, Datetime or KeywordList")
	flags.BoolVar(&headless, "headless", false, "do not serve the Web UI")
	flags.StringVar(&uiIP, "ui-ip", "", "`IP` to serve the Web UI on (default: --ip)")
	flags.IntVar(&uiPort, "ui-port", 0, "`PORT` to serve the Web UI on (default: --port + 1000)")
	flags.BoolVar(&cfg.logConfig, "log-config", false, "log the configuration the flags select at start")
	flags.StringVar(&commandTimeout, "command-timeout", "", "stop the server after this `DURATION` (0s: never)")
	for _, f := range ignoredStartDevFlags {
		flags.Var(recordingFlag{name: f.name, reason: f.reason, boolean: f.boolean, seen: &cfg.ignored}, f.name, "accepted and ignored: "+f.reason)
	}
	// Parse calls Usage on every error; help is printed below, only when asked.
	flags.Usage = func() {}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(output, startDevUsage)
			flags.SetOutput(output)
			flags.PrintDefaults()
			return cfg, err
		}
		if strings.HasPrefix(err.Error(), "flag provided but not defined") {
			return cfg, fmt.Errorf("%w: Sundial accepts the flags of \"temporal server start-dev\" listed by \"sundial server start-dev --help\"", err)
		}
		return cfg, err
	}
	if flags.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q (start-dev takes flags only)", flags.Arg(0))
	}
	if cfg.port < 0 || cfg.port > math.MaxUint16 {
		return cfg, fmt.Errorf("--port must be from 0 to 65535, got %d", cfg.port)
	}
	cfg.ip = ip
	if ip == "localhost" {
		cfg.ip = "127.0.0.1"
	}
	if cfg.ip == "" || (net.ParseIP(cfg.ip) == nil) {
		return cfg, fmt.Errorf("--ip must be an IP address (or localhost), got %q", ip)
	}
	if dbFile != "" {
		cfg.databasePath = dbFile
	}
	cfg.namespaces = namespaces
	for _, ns := range namespaces {
		if strings.TrimSpace(ns) == "" {
			return cfg, errors.New("--namespace must not be empty")
		}
	}
	var err error
	if cfg.logLevel, err = parseStartDevLogLevel(logLevel); err != nil {
		return cfg, err
	}
	switch strings.ToLower(logFormat) {
	case "text", "pretty":
	case "json":
		cfg.logJSON = true
	default:
		return cfg, fmt.Errorf("--log-format must be text, pretty or json, got %q", logFormat)
	}
	if cfg.dynamicConfig, err = parseDynamicConfigValues(dynamicValues); err != nil {
		return cfg, err
	}
	if cfg.searchAttributes, err = parseSearchAttributeFlags(searchAttrs); err != nil {
		return cfg, err
	}
	if commandTimeout != "" {
		if cfg.commandTimeout, err = time.ParseDuration(commandTimeout); err != nil || cfg.commandTimeout < 0 {
			return cfg, fmt.Errorf("--command-timeout must be a duration such as 30s or 0s, got %q", commandTimeout)
		}
	}
	if uiIP == "" {
		uiIP = cfg.ip
	}
	if uiPort == 0 {
		uiPort = cfg.port + 1000
	}
	if uiPort < 0 || uiPort > 65535 {
		return cfg, fmt.Errorf("--ui-port must be from 0 to 65535, got %d", uiPort)
	}
	cfg.webUI = webUIConfig{listenAddr: net.JoinHostPort(uiIP, strconv.Itoa(uiPort)), disabled: headless}
	return cfg, nil
}

// parseStartDevLogLevel reads the temporal CLI's log levels. "never", and
// zap's "dpanic", "panic" and "fatal" (which the SDK test environments pass
// to keep the server quiet), log nothing.
func parseStartDevLogLevel(name string) (slog.Level, error) {
	switch strings.ToLower(name) {
	case "never", "dpanic", "panic", "fatal":
		return logLevelNever, nil
	}
	level, err := parseLogLevel(name)
	if err != nil {
		return 0, fmt.Errorf("--log-level must be debug, info, warn, error or never, got %q", name)
	}
	return level, nil
}

// parseSearchAttributeFlags reads --search-attribute NAME=TYPE values; the
// type is one of the shorthand names, in any case, as the temporal CLI takes it.
func parseSearchAttributeFlags(values []string) (map[string]enums.IndexedValueType, error) {
	if len(values) == 0 {
		return nil, nil
	}
	attrs := make(map[string]enums.IndexedValueType, len(values))
	for _, v := range values {
		name, typeName, ok := strings.Cut(v, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("--search-attribute must be NAME=TYPE, got %q", v)
		}
		var found enums.IndexedValueType
		for shorthand, value := range enums.IndexedValueType_shorthandValue {
			if strings.EqualFold(shorthand, typeName) {
				found = enums.IndexedValueType(value)
			}
		}
		if found == enums.INDEXED_VALUE_TYPE_UNSPECIFIED {
			return nil, fmt.Errorf("--search-attribute %q: unknown type %q (Text, Keyword, Int, Double, Bool, Datetime or KeywordList)", v, typeName)
		}
		if prev, dup := attrs[name]; dup && prev != found {
			return nil, fmt.Errorf("--search-attribute %q given twice with different types", name)
		}
		attrs[name] = found
	}
	return attrs, nil
}
