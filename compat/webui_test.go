package compat

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sundialdev/sundial/webui"

	"github.com/sundialdev/sundial/server"
)

// webUIDir holds the browser checks (checks.js) and their npm project.
const webUIDir = "webui"

// webUICheckResult is one line checks.js prints.
type webUICheckResult struct {
	Check string `json:"check"`
	OK    bool   `json:"ok"`
	Error string `json:"error"`
	Note  string `json:"note"`
	Done  bool   `json:"done"`
}

// TestWebUI serves Temporal's Web UI in front of Sundial, fills the server with
// workflows in every state through the official Go SDK, and drives each page
// the UI offers for an implemented feature in headless Chromium (checks.js),
// asserting on what the pages show. Screenshots go to compat/webui/screenshots.
func TestWebUI(t *testing.T) {
	requireTool(t, "node")
	requireTool(t, "npm")
	chromium := requireTool(t, "chromium")
	installWebUIDeps(t)

	// Sundial's server whatever COMPAT_TARGET says: the checks are of its UI.
	tg := startSundial(t, server.Options{})
	c := dial(t, tg)
	ui, err := webui.New(webui.Options{
		ListenAddr: "127.0.0.1:0",
		GRPCAddr:   tg.HostPort,
		Logger:     slog.New(slog.NewTextHandler(newTestWriter(t), &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := ui.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := ui.Stop(ctx); err != nil {
			t.Errorf("stopping the Web UI: %v", err)
		}
	})
	fx := makeWebUIFixtures(t, tg, c)
	fixtures, err := json.Marshal(fx)
	if err != nil {
		t.Fatal(err)
	}
	shots, err := filepath.Abs(filepath.Join(webUIDir, "screenshots"))
	if err != nil {
		t.Fatal(err)
	}
	// Screenshots of this run only: failed-*.png files from an earlier run
	// would mislead.
	if err := os.RemoveAll(shots); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "checks.js", ui.URL(), string(fixtures), shots, chromium)
	cmd.Dir = webUIDir
	cmd.WaitDelay = 10 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()

	results, err := parseWebUIResults(stdout.Bytes())
	if err != nil {
		t.Fatalf("reading checks.js output: %v\n%s", err, stderr.String())
	}
	for _, r := range results {
		t.Run(r.Check, func(t *testing.T) {
			if r.Note != "" {
				t.Log(r.Note)
			}
			if !r.OK {
				t.Error(r.Error)
			}
		})
	}
	if len(results) == 0 || !results[len(results)-1].Done {
		t.Errorf("checks.js did not finish (exit: %v)", runErr)
	}
	if runErr != nil || t.Failed() {
		t.Logf("node checks.js exited with %v\n--- stderr ---\n%s", runErr, stderr.String())
	}
	if runErr == nil && !t.Failed() {
		t.Logf("screenshots in %s", shots)
	}
}

// parseWebUIResults reads checks.js's JSON lines; the last one (done) closes the run.
func parseWebUIResults(out []byte) ([]webUICheckResult, error) {
	var results []webUICheckResult
	scanner := bufio.NewScanner(bytes.NewReader(out))
	scanner.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var r webUICheckResult
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return nil, errors.Join(errors.New(line), err)
		}
		if r.Done {
			results = append(results, webUICheckResult{Check: "finished", OK: true, Done: true})
			continue
		}
		results = append(results, r)
	}
	return results, scanner.Err()
}

// webUIInstall makes installWebUIDeps run npm once per test binary.
var webUIInstall struct {
	sync.Mutex
	done bool
}

// installWebUIDeps runs `npm ci` for playwright-core (which drives the system's
// chromium; it downloads no browser) unless a complete install is present.
func installWebUIDeps(t *testing.T) {
	t.Helper()
	webUIInstall.Lock()
	defer webUIInstall.Unlock()
	if webUIInstall.done {
		return
	}
	defer func() { webUIInstall.done = !t.Failed() }()
	if _, err := os.Stat(filepath.Join(webUIDir, "node_modules", ".package-lock.json")); err == nil {
		return
	} else if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("checking for an npm install: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = webUIDir
	cmd.Env = append(os.Environ(), "npm_config_cache="+t.TempDir(), "npm_config_update_notifier=false")
	cmd.WaitDelay = 10 * time.Second
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in compat/%s: %v\n%s", webUIDir, err, out)
	}
}
