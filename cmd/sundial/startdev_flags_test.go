package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"

	"github.com/sundialdev/sundial/server"
)

// pythonSDKDevServerArgs is the command line temporalio 1.35.0's Rust core
// builds for WorkflowEnvironment.start_local(dev_server_existing_path=...)
// with its defaults (recorded by pointing it at a script that saves argv).
var pythonSDKDevServerArgs = []string{
	"--port", "37079", "--namespace", "default", "--ip", "127.0.0.1",
	"--log-format", "pretty", "--log-level", "warn",
	"--dynamic-config-value", "frontend.enableServerVersionCheck=false",
	"--dynamic-config-value", "frontend.enableUpdateWorkflowExecution=true",
	"--dynamic-config-value", "frontend.enableUpdateWorkflowExecutionAsyncAccepted=true",
	"--headless",
}

func TestStartDevParsesThePythonSDKCommandLine(t *testing.T) {
	cfg, err := parseStartDevFlags(pythonSDKDevServerArgs, &bytes.Buffer{})
	if err != nil {
		t.Fatalf("parsing the SDK's command line: %v", err)
	}
	if cfg.listenAddr() != "127.0.0.1:37079" || cfg.databasePath != ":memory:" || cfg.logLevel != slog.LevelWarn || cfg.logJSON {
		t.Errorf("parsed %+v", cfg)
	}
	if !slices.Equal(cfg.namespaces, []string{"default"}) {
		t.Errorf("namespaces = %q", cfg.namespaces)
	}
	var opts server.Options
	outcomes, err := applyDynamicConfig(cfg.dynamicConfig, &opts)
	if err != nil {
		t.Fatalf("applying the SDK's dynamic config: %v", err)
	}
	if len(outcomes) != 3 {
		t.Fatalf("outcomes = %+v, want 3", outcomes)
	}
	for _, o := range outcomes {
		if !o.builtIn {
			t.Errorf("%s=%v: want it to match Sundial's built-in behaviour, got %+v", o.key, o.value, o)
		}
	}
	if len(cfg.ignored) != 0 || !cfg.webUI.disabled {
		t.Errorf("ignored = %+v, web UI %+v: want nothing ignored and --headless to turn the UI off", cfg.ignored, cfg.webUI)
	}
}

// TestStartDevParsesTheUIAndFileForm is the SDK's form with ui=True, a
// database file, JSON logs at info level, plus the search attributes
// start_local(search_attributes=...) adds.
func TestStartDevParsesTheUIAndFileForm(t *testing.T) {
	args := []string{
		"--port", "36759", "--namespace", "default", "--ip", "127.0.0.1",
		"--log-format", "json", "--log-level", "info",
		"--db-filename", "/tmp/x.db", "--ui-port", "37759",
		"--search-attribute", "CustomerId=Keyword", "--search-attribute", "Score=int",
		"-n", "other", "-f", "/tmp/y.db", "-p", "7000",
	}
	cfg, err := parseStartDevFlags(args, &bytes.Buffer{})
	if err != nil {
		t.Fatalf("parsing: %v", err)
	}
	if cfg.listenAddr() != "127.0.0.1:7000" || cfg.databasePath != "/tmp/y.db" || !cfg.logJSON || cfg.logLevel != slog.LevelInfo {
		t.Errorf("parsed %+v", cfg)
	}
	if !slices.Equal(cfg.namespaces, []string{"default", "other"}) {
		t.Errorf("namespaces = %q", cfg.namespaces)
	}
	want := map[string]enums.IndexedValueType{"CustomerId": enums.INDEXED_VALUE_TYPE_KEYWORD, "Score": enums.INDEXED_VALUE_TYPE_INT}
	if len(cfg.searchAttributes) != 2 || cfg.searchAttributes["CustomerId"] != want["CustomerId"] || cfg.searchAttributes["Score"] != want["Score"] {
		t.Errorf("search attributes = %v, want %v", cfg.searchAttributes, want)
	}
	if len(cfg.ignored) != 0 || cfg.webUI.disabled || cfg.webUI.listenAddr != "127.0.0.1:37759" {
		t.Errorf("ignored = %+v, web UI %+v: want the UI on 127.0.0.1:37759", cfg.ignored, cfg.webUI)
	}
	cfg, err = parseStartDevFlags([]string{"--ip", "127.0.0.1", "-p", "7233"}, &bytes.Buffer{})
	if err != nil || cfg.webUI.listenAddr != "127.0.0.1:8233" || cfg.webUI.disabled {
		t.Errorf("without --ui-port the UI is at %+v (%v), want port+1000 as Temporal's dev server", cfg.webUI, err)
	}
}

func TestStartDevDefaultsAndGlobalFlags(t *testing.T) {
	cfg, err := parseStartDevFlags([]string{"--disable-config-file", "--disable-config-env", "--env", "prod", "--color=never", "--command-timeout", "90s", "--log-level", "never"}, &bytes.Buffer{})
	if err != nil {
		t.Fatalf("parsing: %v", err)
	}
	if cfg.listenAddr() != "127.0.0.1:7233" || cfg.databasePath != ":memory:" || cfg.commandTimeout != 90*time.Second || cfg.logLevel != logLevelNever {
		t.Errorf("parsed %+v", cfg)
	}
	var names []string
	for _, f := range cfg.ignored {
		names = append(names, f.name)
	}
	if !slices.Equal(names, []string{"disable-config-file", "disable-config-env", "env", "color"}) {
		t.Errorf("ignored = %q", names)
	}
	for _, level := range []string{"fatal", "panic", "dpanic", "NEVER"} {
		if cfg, err := parseStartDevFlags([]string{"--log-level", level}, &bytes.Buffer{}); err != nil || cfg.logLevel != logLevelNever {
			t.Errorf("--log-level %s: level %v, err %v; want nothing logged", level, cfg.logLevel, err)
		}
	}
}

func TestStartDevRejectsBadCommandLines(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--bogus", "1"}, `flag provided but not defined: -bogus: Sundial accepts the flags of "temporal server start-dev"`},
		{[]string{"--port", "70000"}, "--port must be from 0 to 65535, got 70000"},
		{[]string{"--port", "seven"}, `invalid value "seven" for flag -port`},
		{[]string{"--ip", "example.com"}, `--ip must be an IP address (or localhost), got "example.com"`},
		{[]string{"--log-level", "loud"}, `--log-level must be debug, info, warn, error or never, got "loud"`},
		{[]string{"--log-format", "xml"}, `--log-format must be text, pretty or json, got "xml"`},
		{[]string{"--namespace", " "}, "--namespace must not be empty"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"--dynamic-config-value", "novalue"}, `missing '='`},
		{[]string{"--dynamic-config-value", "a b=1"}, `"a b" is not a key`},
		{[]string{"--dynamic-config-value", "k=unquoted"}, "the value is not JSON"},
		{[]string{"--dynamic-config-value", "k=1 2"}, "unexpected text after the JSON value"},
		{[]string{"--search-attribute", "NoType"}, `--search-attribute must be NAME=TYPE, got "NoType"`},
		{[]string{"--search-attribute", "A=Float"}, `unknown type "Float"`},
		{[]string{"--search-attribute", "A=Int", "--search-attribute", "A=Text"}, `"A" given twice with different types`},
		{[]string{"--command-timeout", "soon"}, "--command-timeout must be a duration"},
	}
	for _, c := range cases {
		_, err := parseStartDevFlags(c.args, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("parseStartDevFlags(%q) = %v, want an error containing %q", c.args, err, c.want)
		}
	}
}

func TestStartDevHelp(t *testing.T) {
	var out bytes.Buffer
	_, err := parseStartDevFlags([]string{"--help"}, &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
	for _, want := range []string{"Usage: sundial server start-dev", "-db-filename PATH", "-ui-port", "accepted and ignored: Sundial serves the Web UI's own embedded assets"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help does not contain %q:\n%s", want, out.String())
		}
	}
}

func TestStartDevDynamicConfigApplied(t *testing.T) {
	values, err := parseDynamicConfigValues([]string{
		"limit.blobSize.error=1048576",
		"limit.historyCount.error=5000",
		"limit.numPendingActivities.error=3",
		"history.maxInFlightUpdates=7",
		`frontend.enableUpdateWorkflowExecution=false`,
		`some.other.key="text"`,
	})
	if err != nil {
		t.Fatalf("parsing: %v", err)
	}
	var opts server.Options
	outcomes, err := applyDynamicConfig(values, &opts)
	if err != nil {
		t.Fatalf("applying: %v", err)
	}
	if opts.MaxPayloadBytes != 1<<20 || opts.HistoryCountLimitError != 5000 || opts.MaxPendingActivities != 3 || opts.MaxInFlightUpdates != 7 {
		t.Errorf("options = %+v", opts)
	}
	for i, o := range outcomes {
		wantApplied := i < 4
		if o.applied != wantApplied || o.builtIn {
			t.Errorf("outcome %d = %+v, applied want %v", i, o, wantApplied)
		}
	}
	if outcomes[4].note != "Sundial always runs with frontend.enableUpdateWorkflowExecution=true" || outcomes[5].note != "Sundial does not use this key" {
		t.Errorf("notes = %q, %q", outcomes[4].note, outcomes[5].note)
	}
	if s, ok := outcomes[5].value.(string); !ok || s != "text" {
		t.Errorf("string value decoded as %#v", outcomes[5].value)
	}
	for _, bad := range []string{"limit.blobSize.error=0", "limit.blobSize.error=-1", "limit.blobSize.error=1.5", `limit.blobSize.error="10"`, "limit.blobSize.error=99999999999"} {
		values, err := parseDynamicConfigValues([]string{bad})
		if err != nil {
			t.Fatalf("parsing %s: %v", bad, err)
		}
		if _, err := applyDynamicConfig(values, &server.Options{}); err == nil || !strings.Contains(err.Error(), "must be a positive integer") {
			t.Errorf("%s: err = %v, want it refused", bad, err)
		}
	}
	if n, ok := values[0].value.(json.Number); !ok || n.String() != "1048576" {
		t.Errorf("number decoded as %#v", values[0].value)
	}
}
