package workflowrt

import (
	"testing"

	"github.com/sundialdev/sundial/converter"
)

func testEnv() *runEnv {
	return newRunEnv(converter.GetDefaultDataConverter(), converter.GetDefaultFailureConverter(), nil, &Info{})
}

func TestCancellationPropagatesInOrderAndDetaches(t *testing.T) {
	env := testEnv()
	parent, cancelParent := WithCancel(env.root)
	var order []string
	childA, _ := WithCancel(parent)
	onCancel(childA, func() { order = append(order, "a") })
	childB, _ := WithCancel(WithValue(parent, "k", "v"))
	onCancel(childB, func() { order = append(order, "b") })
	disconnected, _ := NewDisconnectedContext(parent)

	for range 100 {
		_, cancel := WithCancel(parent)
		cancel()
	}
	if n := len(parent.(*cancelCtx).listeners); n != 2 {
		t.Fatalf("parent keeps %d listeners, want 2: canceled children must detach", n)
	}
	cancelParent()
	if len(order) != 2 || order[0] != "a" || order[1] != "b" {
		t.Fatalf("cancellation order = %v, want [a b]", order)
	}
	if childB.Err() == nil || childB.Value("k") != "v" {
		t.Fatal("child b not canceled or lost its value")
	}
	if disconnected.Err() != nil || disconnected.Value("k") != nil {
		t.Fatal("disconnected context was canceled with its parent")
	}
	late := false
	onCancel(parent, func() { late = true })
	if !late {
		t.Fatal("onCancel on a canceled context did not run at once")
	}
}
