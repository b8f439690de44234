package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServerMetricsListenAndJSONLogs: --metrics-listen serves /metrics and
// --log-format json writes every log line as one JSON object.
func TestServerMetricsListenAndJSONLogs(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan int, 1)
	db := filepath.Join(t.TempDir(), "sundial.db")
	go func() {
		done <- run(ctx, []string{"server", "--listen", "127.0.0.1:0", "--db", db,
			"--metrics-listen", "127.0.0.1:0", "--log-format", "json"}, &bytes.Buffer{}, &stderr)
	}()
	var addr string
	deadline := time.Now().Add(10 * time.Second)
	for addr == "" {
		for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
			var rec map[string]any
			if line == "" {
				continue
			}
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("log line is not JSON: %q: %v", line, err)
			}
			if a, ok := rec["metrics"].(string); ok {
				addr = a
			}
		}
		if addr != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no metrics address logged within 10s; stderr:\n%s", stderr.String())
		}
		select {
		case code := <-done:
			t.Fatalf("server exited early with code %d; stderr:\n%s", code, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# TYPE sundial_open_runs gauge", "# TYPE sundial_cached_runs gauge", "go_goroutines", "process_resident_memory_bytes"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("exit code = %d; stderr:\n%s", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("server did not stop within 15s")
	}
	if _, err := http.Get("http://" + addr + "/metrics"); err == nil {
		t.Error("the metrics listener still answers after the server stopped")
	}
}

func TestServerFlagsTelemetry(t *testing.T) {
	cfg, err := parseServerFlags([]string{"--metrics-listen", "127.0.0.1:9090", "--log-format", "json"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.telemetry.metricsAddr != "127.0.0.1:9090" || cfg.telemetry.logFormat != "json" {
		t.Fatalf("telemetry flags = %+v", cfg.telemetry)
	}
	cfg, err = parseServerFlags(nil, &bytes.Buffer{})
	if err != nil || cfg.telemetry.metricsAddr != "" || cfg.telemetry.logFormat != "text" {
		t.Fatalf("defaults = %+v, %v", cfg.telemetry, err)
	}
	if _, err := parseServerFlags([]string{"--log-format", "xml"}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "--log-format") {
		t.Fatalf("--log-format xml: err = %v", err)
	}
}

func TestTracingWanted(t *testing.T) {
	cases := []struct {
		env     map[string]string
		want    bool
		wantErr bool
	}{
		{env: nil, want: false},
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, want: true},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, want: true},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, want: true},
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, want: false},
		{env: map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}, want: false},
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, wantErr: true},
	}
	for _, c := range cases {
		got, err := tracingWanted(func(k string) string { return c.env[k] })
		if got != c.want || (err != nil) != c.wantErr {
			t.Errorf("env %v: got %v, %v; want %v, error %v", c.env, got, err, c.want, c.wantErr)
		}
	}
}
