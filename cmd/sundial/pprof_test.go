package main

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestProfilingServerServesProfiles(t *testing.T) {
	p, err := startProfilingServer("127.0.0.1:0")
	if err != nil {
		t.Fatalf("starting: %v", err)
	}
	resp, err := http.Get("http://" + p.Addr() + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatalf("fetching the goroutine profile: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "goroutine profile:") {
		t.Fatalf("goroutine profile: status %d, body %.200q", resp.StatusCode, body)
	}
	if err := p.Stop(t.Context()); err != nil {
		t.Fatalf("stopping: %v", err)
	}
	if _, err := http.Get("http://" + p.Addr() + "/debug/pprof/"); err == nil {
		t.Fatal("the profile listener still answers after Stop")
	}
}

func TestServerFlagsPprofListen(t *testing.T) {
	cfg, err := parseServerFlags([]string{"--pprof-listen", "127.0.0.1:6060"}, &bytes.Buffer{})
	if err != nil {
		t.Fatalf("parsing: %v", err)
	}
	if cfg.pprofAddr != "127.0.0.1:6060" {
		t.Fatalf("pprofAddr = %q, want 127.0.0.1:6060", cfg.pprofAddr)
	}
	if cfg, _ := parseServerFlags(nil, &bytes.Buffer{}); cfg.pprofAddr != "" {
		t.Fatalf("profiles are served by default on %q", cfg.pprofAddr)
	}
}
