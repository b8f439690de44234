package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sundialdev/sundial/internal/store"
)

// RunRetention checks deleting closed runs past their retention.
func RunRetention(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("DeleteClosedExecutions", func(t *testing.T) {
		ctx := context.Background()
		s := open(t)
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		write := func(wf, run string, closed time.Time) {
			t.Helper()
			ex := &store.Execution{NamespaceID: "ns", WorkflowID: wf, RunID: run, State: []byte("s"), StartTime: base, CloseTime: closed}
			err := s.Write(ctx, &store.Transition{
				Executions: []store.ExecutionWrite{{Execution: ex}},
				Events:     []store.EventBatch{{NamespaceID: "ns", RunID: run, FirstEventID: 1, LastEventID: 1, Data: []byte("e")}},
				Current:    &store.CurrentWrite{Current: store.CurrentExecution{NamespaceID: "ns", WorkflowID: wf, RunID: run}},
			})
			if err != nil {
				t.Fatalf("writing %s: %v", run, err)
			}
		}
		write("old", "r1", base.Add(time.Hour))
		write("older", "r2", base.Add(time.Minute))
		write("open", "r3", time.Time{})
		write("new", "r4", base.Add(48*time.Hour))

		earliest, err := s.EarliestCloseTime(ctx, "ns")
		if err != nil || !earliest.Equal(base.Add(time.Minute)) {
			t.Fatalf("EarliestCloseTime = %v, %v; want %v", earliest, err, base.Add(time.Minute))
		}
		latest, err := s.LatestCloseTime(ctx, "ns")
		if err != nil || !latest.Equal(base.Add(48*time.Hour)) {
			t.Fatalf("LatestCloseTime = %v, %v; want %v", latest, err, base.Add(48*time.Hour))
		}
		if latest, err = s.LatestCloseTime(ctx, "other"); err != nil || !latest.IsZero() {
			t.Errorf("LatestCloseTime of an empty namespace = %v, %v; want zero", latest, err)
		}
		deleted, err := s.DeleteClosedExecutions(ctx, "ns", base.Add(24*time.Hour), 1)
		if err != nil || len(deleted) != 1 || deleted[0].RunID != "r2" {
			t.Fatalf("first delete = %v, %v; want the oldest run r2 alone", deleted, err)
		}
		deleted, err = s.DeleteClosedExecutions(ctx, "ns", base.Add(24*time.Hour), 10)
		if err != nil || len(deleted) != 1 || deleted[0].RunID != "r1" {
			t.Fatalf("second delete = %v, %v; want r1", deleted, err)
		}
		for _, k := range []store.ExecutionKey{{NamespaceID: "ns", WorkflowID: "old", RunID: "r1"}, {NamespaceID: "ns", WorkflowID: "older", RunID: "r2"}} {
			if _, err := s.GetExecution(ctx, k); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("deleted run %s: GetExecution err = %v, want ErrNotFound", k.RunID, err)
			}
			if _, err := s.GetCurrentExecution(ctx, "ns", k.WorkflowID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("deleted run %s: current pointer err = %v, want ErrNotFound", k.RunID, err)
			}
			if b, err := s.ReadEvents(ctx, "ns", k.RunID, 1, 2); err != nil || len(b) != 0 {
				t.Errorf("deleted run %s: history = %d batches, %v", k.RunID, len(b), err)
			}
		}
		for _, k := range []store.ExecutionKey{{NamespaceID: "ns", WorkflowID: "open", RunID: "r3"}, {NamespaceID: "ns", WorkflowID: "new", RunID: "r4"}} {
			if _, err := s.GetExecution(ctx, k); err != nil {
				t.Errorf("run %s should remain: %v", k.RunID, err)
			}
		}
		if earliest, err = s.EarliestCloseTime(ctx, "ns"); err != nil || !earliest.Equal(base.Add(48*time.Hour)) {
			t.Errorf("EarliestCloseTime after deletes = %v, %v", earliest, err)
		}
		if earliest, err = s.EarliestCloseTime(ctx, "other"); err != nil || !earliest.IsZero() {
			t.Errorf("EarliestCloseTime of an empty namespace = %v, %v; want zero", earliest, err)
		}
		open := store.ExecutionKey{NamespaceID: "ns", WorkflowID: "open", RunID: "r3"}
		if err := s.DeleteExecution(ctx, open); err != nil {
			t.Fatalf("DeleteExecution: %v", err)
		}
		if _, err := s.GetExecution(ctx, open); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("after DeleteExecution: GetExecution err = %v, want ErrNotFound", err)
		}
		if err := s.DeleteExecution(ctx, open); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleting twice: err = %v, want ErrNotFound", err)
		}
	})
}
