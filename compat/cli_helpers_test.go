package compat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The Temporal CLI the CLI test drives. Its newest releases cannot be built as a
// dependency of another module (they require a nested module, cliext, that exists
// only through a replace directive in the CLI's own go.mod and is not published), so
// the test installs the newest release that builds with `go install pkg@version`.
// It resolves its own dependency graph (Temporal server v1.29.1), separate from the
// compat module's.
const (
	temporalCLIPackage = "github.com/temporalio/cli/cmd/temporal"
	temporalCLIVersion = "v1.5.1"
	// temporalCLIEnv names a prebuilt `temporal` binary to use instead of
	// building one (for example a release downloaded by hand).
	temporalCLIEnv = "COMPAT_TEMPORAL_CLI"
	// temporalCLIBuildTimeout bounds the first, uncached build: it compiles
	// Temporal's server and UI server packages (about 10 to 20 minutes on two
	// cores); later builds only check that the installed binary is up to date.
	temporalCLIBuildTimeout = 40 * time.Minute
	// temporalCLILogEnv, when set, logs every CLI invocation and its output.
	temporalCLILogEnv = "COMPAT_CLI_LOG"
)

// temporalCLIBinary is built at most once per test binary run.
var temporalCLIBinary struct {
	once     sync.Once
	path     string
	err      error
	timedOut bool
}

// temporalCLI returns the path of a `temporal` executable, building it on first use.
// The build goes to the user's cache directory, so `go install` finds it up to date
// on later runs and only the first run pays for compiling it. A first build that
// does not fit in the time the test binary has left fails the test (it never
// skips): `make test-compat` runs TestTemporalCLIBuilds alone first, with a
// timeout long enough for a cold build.
func temporalCLI(t *testing.T) string {
	t.Helper()
	if path := os.Getenv(temporalCLIEnv); path != "" {
		return path
	}
	budget := temporalCLIBuildTimeout
	if deadline, ok := t.Deadline(); ok {
		// Leave the test itself a few minutes, but give even a short run the
		// minute that checking an installed binary takes at most.
		budget = max(time.Minute, min(budget, time.Until(deadline)-3*time.Minute))
	}
	temporalCLIBinary.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), budget)
		defer cancel()
		temporalCLIBinary.path, temporalCLIBinary.err = installTemporalCLI(ctx)
		temporalCLIBinary.timedOut = ctx.Err() != nil
	})
	if temporalCLIBinary.timedOut {
		t.Fatalf("building the temporal CLI did not finish in the time left (%v); `make test-compat` builds it "+
			"before the tests (TestTemporalCLIBuilds with a long timeout): %v", budget.Round(time.Second), temporalCLIBinary.err)
	}
	if temporalCLIBinary.err != nil {
		t.Fatalf("building the temporal CLI: %v", temporalCLIBinary.err)
	}
	return temporalCLIBinary.path
}

// TestTemporalCLIBuilds builds (or finds up to date) the pinned temporal CLI. The
// Makefile runs it alone before the compat suite, with a timeout that fits a cold
// build, so the CLI test never races its own build against the suite's timeout.
func TestTemporalCLIBuilds(t *testing.T) {
	if path := temporalCLI(t); path == "" {
		t.Fatal("no temporal CLI path")
	}
}

// installTemporalCLI runs `go install` for the pinned CLI version into a cache
// directory of its own and returns the binary's path.
func installTemporalCLI(ctx context.Context) (string, error) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("finding the go command: %w", err)
	}
	dir, err := temporalCLIDir()
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, goTool, "install", temporalCLIPackage+"@"+temporalCLIVersion)
	// Outside any module, so only the CLI's own go.mod decides its dependencies.
	cmd.Dir = dir
	cmd.Env = append(withoutEnv(os.Environ(), "GOFLAGS", "GOBIN", "GOWORK"),
		"GOBIN="+dir, "GOWORK=off", "GOFLAGS=-buildvcs=false")
	var output bytes.Buffer
	cmd.Stdout = &output
	cmd.Stderr = &output
	started := time.Now()
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go install %s@%s (after %v): %w\n%s", temporalCLIPackage, temporalCLIVersion,
			time.Since(started).Round(time.Second), err, output.String())
	}
	return filepath.Join(dir, "temporal"), nil
}

// temporalCLIDir is where the pinned CLI version is installed.
func temporalCLIDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "sundial-compat", "temporal-cli-"+temporalCLIVersion)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating %s: %w", dir, err)
	}
	return dir, nil
}

// withoutEnv drops the named variables, and every TEMPORAL_* variable (which the
// CLI would read as configuration), from env.
func withoutEnv(env []string, names ...string) []string {
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		drop := strings.HasPrefix(name, "TEMPORAL_")
		for _, n := range names {
			drop = drop || name == n
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return out
}

// cliRunner runs the CLI against one server and namespace, isolated from any
// configuration of the machine it runs on.
type cliRunner struct {
	binary    string
	address   string
	namespace string
	home      string
}

func newCLIRunner(t *testing.T, binary string, tg target) *cliRunner {
	t.Helper()
	return &cliRunner{binary: binary, address: tg.HostPort, namespace: tg.Namespace, home: t.TempDir()}
}

// inNamespace returns a runner for the same server that passes ns as --namespace.
func (c *cliRunner) inNamespace(ns string) *cliRunner {
	other := *c
	other.namespace = ns
	return &other
}

// cliResult is what one CLI invocation did.
type cliResult struct {
	args     []string
	stdout   string
	stderr   string
	exitCode int
}

func (r cliResult) String() string {
	return fmt.Sprintf("temporal %s\nexit code %d\n--- stdout ---\n%s--- stderr ---\n%s",
		strings.Join(r.args, " "), r.exitCode, r.stdout, r.stderr)
}

// run executes `temporal args...` with the server's address and namespace added,
// and returns whatever happened; it fails the test only if the CLI could not be run
// at all or did not finish in time.
func (c *cliRunner) run(t *testing.T, args ...string) cliResult {
	t.Helper()
	// Temporal's own server limits visibility calls per namespace; a refused call
	// is tried again after a pause.
	for attempt := 1; ; attempt++ {
		res := c.runOnce(t, args...)
		if attempt == 5 || res.exitCode == 0 || !strings.Contains(res.stderr, "rate limit exceeded") {
			return res
		}
		time.Sleep(time.Second)
	}
}

// runOnce is one invocation of the CLI for run.
func (c *cliRunner) runOnce(t *testing.T, args ...string) cliResult {
	t.Helper()
	full := append(append([]string{}, args...),
		"--address", c.address, "--namespace", c.namespace,
		"--color", "never", "--disable-config-file", "--disable-config-env",
		"--command-timeout", "30s")
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.binary, full...)
	cmd.Env = append(withoutEnv(os.Environ(), "HOME", "XDG_CONFIG_HOME"), "HOME="+c.home, "XDG_CONFIG_HOME="+c.home)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()
	res := cliResult{args: args, stdout: stdout.String(), stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr) && ctx.Err() == nil:
		res.exitCode = exitErr.ExitCode()
	default:
		t.Fatalf("running the CLI: %v\n%s", err, res)
	}
	if os.Getenv(temporalCLILogEnv) != "" {
		t.Logf("%s", res)
	}
	return res
}

// mustRun is run for commands that must succeed.
func (c *cliRunner) mustRun(t *testing.T, args ...string) cliResult {
	t.Helper()
	res := c.run(t, args...)
	if res.exitCode != 0 {
		t.Fatalf("CLI command failed:\n%s", res)
	}
	return res
}

// mustRunJSON runs a command that must succeed with `-o json` and decodes the
// first JSON value it prints into out.
func (c *cliRunner) mustRunJSON(t *testing.T, out any, args ...string) cliResult {
	t.Helper()
	res := c.mustRun(t, append(args, "--output", "json")...)
	if err := decodeFirstJSON(res.stdout, out); err != nil {
		t.Fatalf("decoding the CLI's JSON output: %v\n%s", err, res)
	}
	return res
}

// decodeFirstJSON decodes the first JSON object or array in s, skipping any
// human-readable lines the CLI prints before it.
func decodeFirstJSON(s string, out any) error {
	start := strings.IndexAny(s, "{[")
	if start < 0 {
		return errors.New("no JSON value in the output")
	}
	if err := json.NewDecoder(strings.NewReader(s[start:])).Decode(out); err != nil {
		return fmt.Errorf("decoding JSON: %w", err)
	}
	return nil
}

// protoInt is an int64 in protobuf's JSON form, which quotes 64-bit integers.
type protoInt int64

func (n *protoInt) UnmarshalJSON(b []byte) error {
	v, err := strconv.ParseInt(strings.Trim(string(b), `"`), 10, 64)
	if err != nil {
		return fmt.Errorf("parsing %s as an integer: %w", b, err)
	}
	*n = protoInt(v)
	return nil
}

// enumIs reports whether a protobuf enum value printed by the CLI names want. The
// CLI may print either the full name (WORKFLOW_EXECUTION_STATUS_RUNNING, with the
// enum's prefix) or the short one (Running); want is written like "Running" or
// "TimerFired".
func enumIs(got, prefix, want string) bool {
	squash := func(s string) string { return strings.ToUpper(strings.ReplaceAll(s, "_", "")) }
	return squash(strings.TrimPrefix(got, prefix)) == squash(want)
}

// cliEventually retries check until it returns nil or the deadline passes, for
// assertions on visibility, which Temporal updates asynchronously.
func cliEventually(t *testing.T, d time.Duration, check func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
