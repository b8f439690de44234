package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/sundialdev/sundial/internal/store"
)

var concurrencyTests = []namedTest{
	{"ManyWriters", testConcurrentWriters},
	{"FailuresStayIsolated", testConcurrentFailuresIsolated},
}

const (
	concurrentWriters = 32
	writesPerWriter   = 20
)

// startTransition is everything starting a fresh run writes.
func startTransition(e *store.Execution) *store.Transition {
	return &store.Transition{
		Executions: []store.ExecutionWrite{{Execution: e}},
		Events:     []store.EventBatch{eventBatch(e.NamespaceID, e.RunID, 1, 3)},
		Current: &store.CurrentWrite{
			Current: store.CurrentExecution{NamespaceID: e.NamespaceID, WorkflowID: e.WorkflowID, RunID: e.RunID},
		},
	}
}

// requireStarted checks that everything startTransition(want) wrote is there.
func requireStarted(t *testing.T, s store.Store, want *store.Execution) {
	t.Helper()
	requireStoredExecution(t, s, want)
	requireCurrent(t, s, want.NamespaceID, want.WorkflowID, want.RunID)
	got, err := s.ReadEvents(t.Context(), want.NamespaceID, want.RunID, 1, 4)
	requireNoError(t, err, "reading events")
	if len(got) != 1 || got[0].LastEventID != 3 {
		t.Fatalf("run %v events: %+v", keyOf(want), got)
	}
}

// runWriters runs fn(writer, i) for every writer and write index, all
// writers starting together so that a driver's batches fill up. It returns
// the errors by writer and index.
func runWriters(fn func(writer, i int) error) [][]error {
	errs := make([][]error, concurrentWriters)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for w := range concurrentWriters {
		errs[w] = make([]error, writesPerWriter)
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := range writesPerWriter {
				errs[w][i] = fn(w, i)
			}
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

func testConcurrentWriters(t *testing.T, s store.Store) {
	ctx := t.Context()
	runs := make([][]*store.Execution, concurrentWriters)
	for w := range runs {
		runs[w] = make([]*store.Execution, writesPerWriter)
		for i := range runs[w] {
			runs[w][i] = newExecution(fmt.Sprintf("ns-%d", w%3), fmt.Sprintf("wf-%d-%d", w, i), fmt.Sprintf("run-%d-%d", w, i))
		}
	}
	errs := runWriters(func(w, i int) error { return s.Write(ctx, startTransition(runs[w][i])) })
	for w := range errs {
		for i, err := range errs[w] {
			requireNoError(t, err, fmt.Sprintf("writer %d write %d", w, i))
		}
	}
	for w := range runs {
		for _, e := range runs[w] {
			requireStarted(t, s, e)
		}
	}

	// A second round of conditional updates, all concurrent, all valid.
	updated := make([][]*store.Execution, concurrentWriters)
	for w := range runs {
		updated[w] = make([]*store.Execution, writesPerWriter)
		for i, e := range runs[w] {
			next := *e
			next.State = fmt.Appendf(nil, "updated %d-%d", w, i)
			updated[w][i] = &next
		}
	}
	errs = runWriters(func(w, i int) error {
		return s.Write(ctx, &store.Transition{
			Executions: []store.ExecutionWrite{{Execution: updated[w][i], ExpectedVersion: 1}},
			Events:     []store.EventBatch{eventBatch(updated[w][i].NamespaceID, updated[w][i].RunID, 4, 4)},
		})
	})
	for w := range errs {
		for i, err := range errs[w] {
			requireNoError(t, err, fmt.Sprintf("updating: writer %d write %d", w, i))
			requireStoredExecution(t, s, updated[w][i])
		}
	}
	page, err := s.ListOpenExecutions(ctx, nil, concurrentWriters*writesPerWriter+1)
	requireNoError(t, err, "listing open executions")
	if len(page.Executions) != concurrentWriters*writesPerWriter {
		t.Fatalf("listed %d open runs, want %d", len(page.Executions), concurrentWriters*writesPerWriter)
	}
}

// testConcurrentFailuresIsolated interleaves valid transitions with
// transitions that must fail in three different ways, from many goroutines at
// once. Each must get its own outcome.
func testConcurrentFailuresIsolated(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed := newExecution("ns", "seed", "seed-run")
	requireNoError(t, s.Write(ctx, startTransition(seed)), "writing the seed run")

	type attempt struct {
		run     *store.Execution
		t       *store.Transition
		wantErr error
	}
	attempts := make([][]attempt, concurrentWriters)
	for w := range attempts {
		attempts[w] = make([]attempt, writesPerWriter)
		for i := range attempts[w] {
			e := newExecution("ns", fmt.Sprintf("wf-%d-%d", w, i), fmt.Sprintf("run-%d-%d", w, i))
			a := attempt{run: e, t: startTransition(e)}
			if (w+i)%2 == 1 {
				switch i % 3 {
				case 0: // re-create the seed run
					a.t.Executions = append(a.t.Executions, store.ExecutionWrite{Execution: newExecution("ns", "seed", "seed-run")})
					a.wantErr = store.ErrAlreadyExists
				case 1: // append events the seed run already has
					a.t.Events = append(a.t.Events, eventBatch("ns", "seed-run", 1, 1))
					a.wantErr = store.ErrConflict
				case 2: // claim the seed's workflow id as new
					a.t.Current.Current.WorkflowID = "seed"
					a.wantErr = store.ErrConflict
				}
			}
			attempts[w][i] = a
		}
	}
	errs := runWriters(func(w, i int) error { return s.Write(ctx, attempts[w][i].t) })

	for w := range attempts {
		for i, a := range attempts[w] {
			err := errs[w][i]
			if a.wantErr == nil {
				requireNoError(t, err, fmt.Sprintf("valid write %d/%d beside failing ones", w, i))
				requireStarted(t, s, a.run)
				continue
			}
			if !errors.Is(err, a.wantErr) {
				t.Fatalf("failing write %d/%d: got %v, want %v", w, i, err, a.wantErr)
			}
			requireExecutionAbsent(t, s, keyOf(a.run))
			requireNoEvents(t, s, "ns", a.run.RunID)
		}
	}
	requireStarted(t, s, seed)
}
