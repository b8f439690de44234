package engine

import "testing"

func TestEffectRunReadsJobKeys(t *testing.T) {
	key := runKey{namespaceID: "ns-id", workflowID: "orders/2024/7", runID: "run-id"}
	got, ok := effectRun(effectKey("signal", key, 12))
	if !ok || got != key {
		t.Fatalf("effectRun = %+v, %v; want %+v", got, ok, key)
	}
	if _, ok := effectRun("not/a/job"); ok {
		t.Fatal("a short key was read as a job")
	}
}
