package engine

import (
	"strings"
	"testing"

	computepb "go.temporal.io/api/compute/v1"
)

// TestRefuseScalingGroups: no scaling group is refused nothing; otherwise
// the first by name is refused, naming its provider or the lack of one.
func TestRefuseScalingGroups(t *testing.T) {
	if err := refuseScalingGroups(nil); err != nil {
		t.Fatalf("no groups: %v", err)
	}
	err := refuseScalingGroups(map[string]*computepb.ComputeConfigScalingGroup{
		"b": {Provider: &computepb.ComputeProvider{Type: "k8s"}},
		"a": {Provider: &computepb.ComputeProvider{Type: "aws-lambda"}},
	})
	if err == nil || !strings.Contains(err.Error(), "a: Could not instantiate compute provider with type 'aws-lambda'") {
		t.Fatalf("two groups: %v", err)
	}
	if err := refuseScalingGroups(map[string]*computepb.ComputeConfigScalingGroup{"g": {}}); err == nil || !strings.Contains(err.Error(), "g: a scaling group needs a compute provider") {
		t.Fatalf("a group without a provider: %v", err)
	}
}
