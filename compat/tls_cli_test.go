package compat

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// TestSecurityTemporalCLIOverMutualTLS: the temporal CLI with its
// --tls-ca-path, --tls-cert-path, --tls-key-path and --tls-server-name flags
// runs a workflow on a Sundial server requiring client certificates, and is
// refused without a certificate.
func TestSecurityTemporalCLIOverMutualTLS(t *testing.T) {
	t.Parallel()
	s := startTLSSundial(t, true, 0)
	binary := temporalCLI(t)
	c := mustDialTLS(t, s.target, s.clientTLS(t, s.serverCA, true))
	queue := uniqueName(t, "cli-tls")
	greetType := uniqueName(t, "CLIGreetTLS")
	startWorker(t, c, queue, func(r worker.Registry) {
		r.RegisterWorkflowWithOptions(cliGreet, workflow.RegisterOptions{Name: greetType})
	})

	leaf, err := s.clientCA.Client("cli")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	paths := map[string]string{"ca": filepath.Join(dir, "ca.pem"), "cert": filepath.Join(dir, "cert.pem"), "key": filepath.Join(dir, "key.pem")}
	for name, data := range map[string][]byte{"ca": s.serverCA.PEM, "cert": leaf.CertPEM, "key": leaf.KeyPEM} {
		if err := os.WriteFile(paths[name], data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cli := newCLIRunner(t, binary, s.target)
	trust := []string{"--tls-ca-path", paths["ca"], "--tls-server-name", "localhost"}
	withCert := append([]string{"--tls-cert-path", paths["cert"], "--tls-key-path", paths["key"]}, trust...)

	res := cli.mustRun(t, append([]string{"workflow", "execute", "--workflow-id", uniqueName(t, "greet"), "--type", greetType,
		"--task-queue", queue, "--input", `"over mTLS"`}, withCert...)...)
	if !strings.Contains(res.stdout, "hello over mTLS") {
		t.Fatalf("workflow execute over mutual TLS did not print the result:\n%s", res)
	}
	cli.mustRun(t, append([]string{"operator", "namespace", "describe"}, withCert...)...)
	if res := cli.run(t, append([]string{"operator", "namespace", "describe"}, trust...)...); res.exitCode == 0 {
		t.Fatalf("the CLI without a client certificate was served under mutual TLS:\n%s", res)
	}
}
