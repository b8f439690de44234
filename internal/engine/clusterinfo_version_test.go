package engine_test

import (
	"strconv"
	"strings"
	"testing"

	"go.temporal.io/api/workflowservice/v1"
)

// TestClusterInfoVersionEnablesWebUIFeatures checks that GetClusterInfo
// reports a plain MAJOR.MINOR.PATCH version of at least 1.27.1, the one the Web
// UI's feature gates compare against (children lookup, reset options), while
// GetSystemInfo keeps Sundial's own version.
func TestClusterInfoVersionEnablesWebUIFeatures(t *testing.T) {
	e := newEnv(t)
	cluster, err := e.c.GetClusterInfo(e.ctx(), &workflowservice.GetClusterInfoRequest{})
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(cluster.ServerVersion, ".")
	if len(parts) != 3 {
		t.Fatalf("cluster server version %q is not MAJOR.MINOR.PATCH", cluster.ServerVersion)
	}
	var v [3]int
	for i, p := range parts {
		if v[i], err = strconv.Atoi(p); err != nil {
			t.Fatalf("cluster server version %q: %v", cluster.ServerVersion, err)
		}
	}
	if v[0] != 1 || v[1] < 27 || (v[1] == 27 && v[2] < 1) {
		t.Errorf("cluster server version %q, want 1.27.1 or later", cluster.ServerVersion)
	}
	system, err := e.c.GetSystemInfo(e.ctx(), &workflowservice.GetSystemInfoRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(system.ServerVersion, "sundial-") {
		t.Errorf("system server version %q, want Sundial's own", system.ServerVersion)
	}
}
