package compat

import (
	"strings"
	"testing"
)

// TestTemporalCLINamespaceDelete drives `temporal operator namespace delete`:
// the namespace is gone under its name at once, the CLI reports the name it
// was renamed to, and the name can be registered again.
func TestTemporalCLINamespaceDelete(t *testing.T) {
	binary := temporalCLI(t)
	tg := startTarget(t)
	name := strings.ReplaceAll(uniqueName(t, "nsdel"), "_", "-")
	cli := newCLIRunner(t, binary, tg).inNamespace(name)

	cli.mustRun(t, "operator", "namespace", "create", "--retention", "24h")
	cli.mustRun(t, "operator", "namespace", "describe")
	res := cli.mustRun(t, "operator", "namespace", "delete", "--yes")
	if !strings.Contains(res.stdout, "Namespace "+name+" has been deleted.") {
		t.Fatalf("namespace delete does not report the deletion:\n%s", res)
	}
	res = cli.run(t, "operator", "namespace", "describe")
	if res.exitCode == 0 {
		t.Fatalf("namespace describe after delete succeeded:\n%s", res)
	}
	cli.mustRun(t, "operator", "namespace", "create", "--retention", "24h")
}
