package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sundialdev/sundial/webui"
)

func TestWebUIFlags(t *testing.T) {
	cfg, err := parseServerFlags(nil, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.webUI.listenAddr != webui.DefaultListenAddr || cfg.webUI.disabled {
		t.Fatalf("defaults: got %+v, want the UI on %s", cfg.webUI, webui.DefaultListenAddr)
	}
	cfg, err = parseServerFlags([]string{"--ui-listen", "0.0.0.0:9233", "--no-ui"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.webUI.listenAddr != "0.0.0.0:9233" || !cfg.webUI.disabled {
		t.Fatalf("got %+v", cfg.webUI)
	}
	var out bytes.Buffer
	if _, err := parseServerFlags([]string{"--ui-listen", "nope"}, &out); err == nil || !strings.Contains(err.Error(), "--ui-listen must be HOST:PORT") {
		t.Fatalf("a malformed --ui-listen: got %v", err)
	}
}

// TestServerServesWebUI starts the server command with the UI on a free port,
// reads the URL from its log and checks that the page and the proxied API answer.
func TestServerServesWebUI(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stderr := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"server", "--listen", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "s.db"), "--ui-listen", "127.0.0.1:0"}, io.Discard, stderr)
	}()
	urlPattern := regexp.MustCompile(`Web UI at (http://127\.0\.0\.1:\d+)`)
	var base string
	deadline := time.Now().Add(30 * time.Second)
	for base == "" {
		if m := urlPattern.FindStringSubmatch(stderr.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case code := <-done:
			t.Fatalf("server exited with %d before serving the UI:\n%s", code, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no Web UI URL logged:\n%s", stderr.String())
		}
	}
	page := httpGetOK(t, base+"/namespaces/default/workflows")
	if !strings.Contains(page, "<html") {
		t.Fatalf("the UI page is not HTML: %.200s", page)
	}
	var namespaces struct {
		Namespaces []struct {
			NamespaceInfo struct{ Name string } `json:"namespaceInfo"`
		} `json:"namespaces"`
	}
	if err := json.Unmarshal([]byte(httpGetOK(t, base+"/api/v1/namespaces")), &namespaces); err != nil {
		t.Fatal(err)
	}
	if len(namespaces.Namespaces) == 0 || namespaces.Namespaces[0].NamespaceInfo.Name != "default" {
		t.Fatalf("the proxied ListNamespaces: got %+v", namespaces)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("exit code %d:\n%s", code, stderr.String())
	}
}

// TestServerFailsWhenUIPortBusy checks that a taken UI port is a clear start-up error.
func TestServerFailsWhenUIPortBusy(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var stderr bytes.Buffer
	code := run(ctx, []string{"server", "--listen", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "s.db"), "--ui-listen", busy.Addr().String()}, io.Discard, &stderr)
	if code != exitFailure || !strings.Contains(stderr.String(), "starting the Web UI (--no-ui turns it off)") {
		t.Fatalf("code %d, stderr:\n%s", code, stderr.String())
	}
}

func httpGetOK(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %.300s", url, resp.Status, body)
	}
	return string(body)
}
