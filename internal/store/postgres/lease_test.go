package postgres

import (
	"errors"
	"testing"
	"time"

	"github.com/sundialdev/sundial/internal/store"
)

func TestLeaseEpochsAndTakeover(t *testing.T) {
	a, url := openFresh(t, Options{})
	b, err := Open(t.Context(), url, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })

	la, err := a.AcquireLease(t.Context(), 0, "node-a", time.Minute)
	if err != nil || la.Epoch != 1 || la.Owner != "node-a" {
		t.Fatalf("first acquire = %+v, %v; want node-a at epoch 1", la, err)
	}
	if _, err := b.AcquireLease(t.Context(), 0, "node-b", time.Minute); !errors.Is(err, ErrLeaseHeld) {
		t.Fatalf("acquiring a held lease: %v, want ErrLeaseHeld", err)
	}
	again, err := a.AcquireLease(t.Context(), 0, "node-a", time.Minute)
	if err != nil || again.Epoch != 1 {
		t.Fatalf("the holder acquiring again = %+v, %v; want epoch 1 kept", again, err)
	}
	renewed, err := a.RenewLease(t.Context(), la, time.Minute)
	if err != nil || renewed.Epoch != 1 || !renewed.Expires.After(time.Now().Add(30*time.Second)) {
		t.Fatalf("renewing = %+v, %v", renewed, err)
	}
	// A lease renewed for no time has lapsed: another node takes it over at
	// the next epoch.
	if _, err := a.RenewLease(t.Context(), la, 0); err != nil {
		t.Fatal(err)
	}
	lb, err := b.AcquireLease(t.Context(), 0, "node-b", time.Minute)
	if err != nil || lb.Epoch != 2 || lb.Owner != "node-b" {
		t.Fatalf("takeover = %+v, %v; want node-b at epoch 2", lb, err)
	}
	if _, err := a.RenewLease(t.Context(), la, time.Minute); !errors.Is(err, ErrFenced) {
		t.Fatalf("the old owner renewing: %v, want ErrFenced", err)
	}
	if err := b.ReleaseLease(t.Context(), lb); err != nil {
		t.Fatal(err)
	}
	la2, err := a.AcquireLease(t.Context(), 0, "node-a", time.Minute)
	if err != nil || la2.Epoch != 3 {
		t.Fatalf("acquiring a released lease = %+v, %v; want epoch 3", la2, err)
	}
	// Partitions are independent.
	if p1, err := b.AcquireLease(t.Context(), 1, "node-b", time.Minute); err != nil || p1.Epoch != 1 {
		t.Fatalf("partition 1 = %+v, %v; want epoch 1", p1, err)
	}
}

func TestFencedWritesStopAfterTakeover(t *testing.T) {
	a, url := openFresh(t, Options{})
	b, err := Open(t.Context(), url, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	ctx := t.Context()

	la, err := a.AcquireLease(ctx, 0, "node-a", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	a.FenceWrites(la)
	if err := a.CreateNamespace(ctx, &store.Namespace{ID: "ns-1", Name: "one"}); err != nil {
		t.Fatalf("a fenced write under a held lease: %v", err)
	}
	// node-a stalls; its lease lapses and node-b takes over.
	if _, err := a.RenewLease(ctx, la, 0); err != nil {
		t.Fatal(err)
	}
	lb, err := b.AcquireLease(ctx, 0, "node-b", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	b.FenceWrites(lb)

	run := &store.Execution{NamespaceID: "ns-1", WorkflowID: "wf", RunID: "run", WorkflowType: "T", TaskQueue: "q", Status: 1, StartTime: time.Unix(1, 0)}
	write := &store.Transition{Executions: []store.ExecutionWrite{{Execution: run}}}
	if err := a.Write(ctx, write); !errors.Is(err, ErrFenced) {
		t.Fatalf("the old owner's write: %v, want ErrFenced", err)
	}
	if _, err := a.GetExecution(ctx, store.ExecutionKey{NamespaceID: "ns-1", WorkflowID: "wf", RunID: "run"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the refused write left a row: %v", err)
	}
	// Once refused, the old owner refuses every write, retention and
	// registry changes included.
	if err := a.CreateNamespace(ctx, &store.Namespace{ID: "ns-2", Name: "two"}); !errors.Is(err, ErrFenced) {
		t.Fatalf("a later write of the old owner: %v, want ErrFenced", err)
	}
	if _, err := a.DeleteClosedExecutions(ctx, "ns-1", time.Now(), 10); !errors.Is(err, ErrFenced) {
		t.Fatalf("the old owner's retention: %v, want ErrFenced", err)
	}
	if err := a.AddSearchAttributes(ctx, "ns-1", []store.SearchAttribute{{Name: "X", Type: 2}}); !errors.Is(err, ErrFenced) {
		t.Fatalf("the old owner's registry change: %v, want ErrFenced", err)
	}
	// The new owner writes.
	run.Version = 0
	if err := b.Write(ctx, &store.Transition{Executions: []store.ExecutionWrite{{Execution: run}}}); err != nil {
		t.Fatalf("the new owner's write: %v", err)
	}
	if err := b.AddSearchAttributes(ctx, "ns-1", []store.SearchAttribute{{Name: "X", Type: 2}}); err != nil {
		t.Fatalf("the new owner's registry change: %v", err)
	}
}

func TestRetentionAndRegistryAreFencedBeforeAnyGroupCommit(t *testing.T) {
	a, url := openFresh(t, Options{})
	b, err := Open(t.Context(), url, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	ctx := t.Context()
	la, err := a.AcquireLease(ctx, 0, "node-a", 0)
	if err != nil {
		t.Fatal(err)
	}
	a.FenceWrites(la)
	if _, err := b.AcquireLease(ctx, 0, "node-b", time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := a.RemoveSearchAttributes(ctx, "ns", []string{"X"}); !errors.Is(err, ErrFenced) {
		t.Fatalf("a registry change under a lost lease: %v, want ErrFenced", err)
	}
}

func TestLeaseAddressAndWritesLost(t *testing.T) {
	a, url := openFresh(t, Options{})
	b, err := Open(t.Context(), url, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })

	if _, found, err := b.ReadLease(t.Context(), 0); err != nil || found {
		t.Fatalf("reading a lease never taken: found %v, %v", found, err)
	}
	la, err := a.AcquireLeaseAt(t.Context(), 0, "node-a", "10.0.0.1:7233", time.Minute)
	if err != nil || la.Epoch != 1 {
		t.Fatalf("acquire = %+v, %v", la, err)
	}
	h, found, err := b.ReadLease(t.Context(), 0)
	if err != nil || !found || h.Owner != "node-a" || h.Address != "10.0.0.1:7233" || h.Lapsed || h.Epoch != 1 {
		t.Fatalf("read lease = %+v, %v, %v; want node-a at 10.0.0.1:7233, not lapsed", h, found, err)
	}
	if _, err := b.AcquireLeaseAt(t.Context(), 0, "node-b", "10.0.0.2:7233", time.Minute); !errors.Is(err, ErrLeaseHeld) {
		t.Fatalf("acquiring a held lease: %v, want ErrLeaseHeld", err)
	}
	a.FenceWrites(la)
	lost := a.WritesLost()
	if _, err := a.RenewLease(t.Context(), la, 0); err != nil {
		t.Fatal(err)
	}
	if h, _, err := b.ReadLease(t.Context(), 0); err != nil || !h.Lapsed {
		t.Fatalf("a lease renewed for no time = %+v, %v; want lapsed", h, err)
	}
	lb, err := b.AcquireLeaseAt(t.Context(), 0, "node-b", "10.0.0.2:7233", time.Minute)
	if err != nil || lb.Epoch != 2 {
		t.Fatalf("takeover = %+v, %v", lb, err)
	}
	if h, _, _ := b.ReadLease(t.Context(), 0); h.Address != "10.0.0.2:7233" {
		t.Fatalf("the address after takeover = %q", h.Address)
	}
	select {
	case <-lost:
		t.Fatal("WritesLost closed before any write was refused")
	default:
	}
	if err := a.CreateNamespace(t.Context(), &store.Namespace{ID: "ns-late", Name: "late"}); !errors.Is(err, ErrFenced) {
		t.Fatalf("a write of the old holder: %v, want ErrFenced", err)
	}
	select {
	case <-lost:
	default:
		t.Fatal("WritesLost not closed after a refused write")
	}
}

func TestTakeOverLeaseFromAKnownHolder(t *testing.T) {
	a, _ := openFresh(t, Options{})
	la, err := a.AcquireLeaseAt(t.Context(), 0, "node-a", "h:1", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	lb, err := a.TakeOverLease(t.Context(), la, "node-b", "h:2", time.Minute)
	if err != nil || lb.Owner != "node-b" || lb.Epoch != la.Epoch+1 {
		t.Fatalf("take over = %+v, %v; want node-b at epoch %d", lb, err, la.Epoch+1)
	}
	if _, err := a.TakeOverLease(t.Context(), la, "node-c", "h:3", time.Minute); !errors.Is(err, ErrLeaseHeld) {
		t.Fatalf("taking over from a holder that already lost the lease: %v, want ErrLeaseHeld", err)
	}
	if h, _, err := a.ReadLease(t.Context(), 0); err != nil || h.Owner != "node-b" || h.Address != "h:2" {
		t.Fatalf("lease after take over = %+v, %v", h, err)
	}
}

func TestIdleInTransactionTimeoutIsSet(t *testing.T) {
	s, _ := openFresh(t, Options{IdleInTransactionTimeout: 1500 * time.Millisecond})
	var setting string
	if err := s.pool.QueryRow(t.Context(), "SHOW idle_in_transaction_session_timeout").Scan(&setting); err != nil {
		t.Fatal(err)
	}
	if setting != "1500ms" {
		t.Fatalf("idle_in_transaction_session_timeout = %q, want 1500ms", setting)
	}
}
