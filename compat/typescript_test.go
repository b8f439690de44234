package compat

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// typeScriptDir is the Node.js project that drives Temporal's TypeScript SDK.
const typeScriptDir = "typescript"

// typeScriptScenarios are the scenarios run.js must report, in its order.
var typeScriptScenarios = []string{
	"hello-activity",
	"activity-retry",
	"activity-heartbeat-cancel",
	"signal-query",
	"timer",
	"child-workflow",
	"update",
	"continue-as-new",
	"local-activity",
	"cancel-workflow",
	"workflow-failure",
}

// typeScriptResult is one JSON line printed by run.js.
type typeScriptResult struct {
	Scenario  string              `json:"scenario"`
	OK        bool                `json:"ok"`
	Result    json.RawMessage     `json:"result"`
	Error     string              `json:"error"`
	Histories map[string][]string `json:"histories"`
	Millis    int64               `json:"millis"`
	Done      bool                `json:"done"`
}

// TestTypeScriptSDK runs Temporal's TypeScript SDK, whose worker is built on
// Temporal's Rust core, against the target: a worker and a client in one Node.js
// process run every scenario in typescript/scenarios.js.
func TestTypeScriptSDK(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the TypeScript SDK run in -short mode")
	}
	requireTool(t, "node")
	requireTool(t, "npm")
	installTypeScriptDeps(t)

	tg := startTarget(t)
	queue := uniqueName(t, "ts")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "run.js", tg.HostPort, tg.Namespace, queue)
	cmd.Dir = typeScriptDir
	cmd.WaitDelay = 10 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	runErr := cmd.Run()

	dumpOutput := func() {
		t.Logf("node run.js exited with %v\n--- stdout ---\n%s\n--- stderr ---\n%s", runErr, stdout.String(), stderr.String())
	}
	results, err := parseTypeScriptResults(stdout.Bytes())
	if err != nil {
		dumpOutput()
		t.Fatalf("reading run.js output: %v", err)
	}

	anyScenarioFailed := false
	for _, name := range typeScriptScenarios {
		res, reported := results[name]
		_, known := knownGaps["typescript/"+name]
		t.Run(name, func(t *testing.T) {
			if !reported {
				t.Errorf("run.js did not report scenario %q", name)
				return
			}
			if res.OK {
				t.Logf("result %s in %dms", res.Result, res.Millis)
				for id, events := range res.Histories {
					t.Logf("history of %s: %s", id, strings.Join(events, " "))
				}
			}
			checkKnownGap(t, "typescript/"+name, !res.OK, fmt.Sprintf("scenario failed:\n%s", res.Error))
		})
		if reported && !res.OK && !known {
			anyScenarioFailed = true
		}
	}
	for name := range results {
		if name != "" && !slices.Contains(typeScriptScenarios, name) {
			t.Errorf("run.js reported an unexpected scenario %q: add it to typeScriptScenarios", name)
		}
	}
	if _, done := results[""]; !done {
		t.Errorf("run.js did not finish its run (no summary line); exit: %v", runErr)
	}
	if runErr != nil && !anyScenarioFailed {
		t.Errorf("node run.js failed although no scenario did: %v", runErr)
	}
	if t.Failed() || anyScenarioFailed {
		dumpOutput()
	}
}

// typeScriptInstall makes installTypeScriptDeps run npm once per test binary,
// whichever test asks first.
var typeScriptInstall struct {
	sync.Mutex
	done bool
}

// installTypeScriptDeps runs `npm ci` in the TypeScript project unless a previous
// install completed. npm's download cache lives in a temporary directory removed
// after the test, so nothing is kept outside the repository.
func installTypeScriptDeps(t *testing.T) {
	t.Helper()
	typeScriptInstall.Lock()
	defer typeScriptInstall.Unlock()
	if typeScriptInstall.done {
		return
	}
	defer func() { typeScriptInstall.done = !t.Failed() }()
	// npm writes node_modules/.package-lock.json last; its presence marks a whole install.
	marker := filepath.Join(typeScriptDir, "node_modules", ".package-lock.json")
	if _, err := os.Stat(marker); err == nil {
		return
	} else if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("checking for an npm install: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = typeScriptDir
	cmd.Env = append(os.Environ(),
		"npm_config_cache="+t.TempDir(),
		"npm_config_update_notifier=false",
	)
	cmd.WaitDelay = 10 * time.Second
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("npm ci in compat/%s: %v\n%s", typeScriptDir, err, out)
	}
	t.Logf("npm ci installed the TypeScript SDK in %v", time.Since(start).Round(time.Second))
}

// parseTypeScriptResults reads run.js's JSON lines into a map by scenario name; the
// summary line is stored under "". Lines that are not JSON objects are ignored.
func parseTypeScriptResults(out []byte) (map[string]typeScriptResult, error) {
	results := make(map[string]typeScriptResult)
	scanner := bufio.NewScanner(bytes.NewReader(out))
	scanner.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for scanner.Scan() {
		line := bytes.TrimSpace(scanner.Bytes())
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var res typeScriptResult
		if err := json.Unmarshal(line, &res); err != nil {
			return nil, fmt.Errorf("decoding result line %q: %w", line, err)
		}
		if !res.Done && res.Scenario == "" {
			continue
		}
		if _, dup := results[res.Scenario]; dup {
			return nil, fmt.Errorf("scenario %q reported twice", res.Scenario)
		}
		results[res.Scenario] = res
	}
	if err := scanner.Err(); err != nil {
		return nil, fmt.Errorf("scanning run.js output: %w", err)
	}
	return results, nil
}
