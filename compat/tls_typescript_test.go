package compat

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// typeScriptTLSScenarios are the run.js scenarios run over mutual TLS: a
// workflow with an activity, and signals with queries.
var typeScriptTLSScenarios = []string{"hello-activity", "signal-query"}

// TestSecurityTypeScriptSDKOverMutualTLS: Temporal's TypeScript SDK (its
// client, and its worker on the Rust core) connects with its usual TLS options
// to a Sundial server requiring client certificates and runs workflows.
func TestSecurityTypeScriptSDKOverMutualTLS(t *testing.T) {
	requireTool(t, "node")
	requireTool(t, "npm")
	s := startTLSSundial(t, true, 0)
	installTypeScriptDeps(t)

	leaf, err := s.clientCA.Client("ts-worker")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string][]byte{"ca.pem": s.serverCA.PEM, "cert.pem": leaf.CertPEM, "key.pem": leaf.KeyPEM}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "run.js", s.HostPort, s.Namespace, uniqueName(t, "ts-tls"), strings.Join(typeScriptTLSScenarios, ","))
	cmd.Dir = typeScriptDir
	cmd.WaitDelay = 10 * time.Second
	cmd.Env = append(os.Environ(),
		"SUNDIAL_TS_TLS_CA="+filepath.Join(dir, "ca.pem"),
		"SUNDIAL_TS_TLS_SERVER_NAME=localhost",
		"SUNDIAL_TS_TLS_CERT="+filepath.Join(dir, "cert.pem"),
		"SUNDIAL_TS_TLS_KEY="+filepath.Join(dir, "key.pem"),
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	results, err := parseTypeScriptResults(stdout.Bytes())
	if err != nil {
		t.Fatalf("reading run.js output: %v\nstderr:\n%s", err, stderr.String())
	}
	for _, name := range typeScriptTLSScenarios {
		if res, ok := results[name]; !ok || !res.OK {
			t.Errorf("scenario %s over mutual TLS: reported %v, error:\n%s", name, ok, res.Error)
		}
	}
	if runErr != nil || t.Failed() {
		t.Fatalf("node run.js over mutual TLS exited with %v\n--- stdout ---\n%s\n--- stderr ---\n%s", runErr, stdout.String(), stderr.String())
	}
}
