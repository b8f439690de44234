package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sundialdev/sundial/internal/store"
)

var lifecycleTests = []namedTest{
	{"UseAfterClose", testUseAfterClose},
	{"CloseDuringWrites", testCloseDuringWrites},
	{"CancelledContext", testCancelledContext},
	{"EmptyTransition", testEmptyTransition},
	{"InvalidTransition", testInvalidTransition},
}

func testUseAfterClose(t *testing.T, s store.Store) {
	ctx := t.Context()
	requireNoError(t, s.Close(), "closing")
	requireNoError(t, s.Close(), "closing a second time")

	err := s.Write(ctx, startTransition(newExecution("ns", "wf", "run")))
	requireErrorIs(t, err, store.ErrClosed, "writing after Close")
	err = s.CreateNamespace(ctx, &store.Namespace{ID: "id", Name: "name"})
	requireErrorIs(t, err, store.ErrClosed, "creating a namespace after Close")
	err = s.UpdateNamespace(ctx, &store.Namespace{ID: "id", Name: "name"})
	requireErrorIs(t, err, store.ErrClosed, "updating a namespace after Close")
	_, err = s.GetExecution(ctx, store.ExecutionKey{NamespaceID: "ns", WorkflowID: "wf", RunID: "run"})
	requireErrorIs(t, err, store.ErrClosed, "reading after Close")
	_, err = s.ListOpenExecutions(ctx, nil, 10)
	requireErrorIs(t, err, store.ErrClosed, "listing after Close")
}

// testCloseDuringWrites closes the store under load: every Write must either
// succeed or report ErrClosed, and none may hang.
func testCloseDuringWrites(t *testing.T, s store.Store) {
	ctx := t.Context()
	const writers = 16
	var (
		succeeded atomic.Int64
		wg        sync.WaitGroup
		firstBad  = make(chan error, writers)
	)
	enough := make(chan struct{})
	var enoughOnce sync.Once
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				e := newExecution("ns", fmt.Sprintf("wf-%d-%d", w, i), fmt.Sprintf("run-%d-%d", w, i))
				err := s.Write(ctx, startTransition(e))
				if err == nil {
					if succeeded.Add(1) >= 50 {
						enoughOnce.Do(func() { close(enough) })
					}
					continue
				}
				if !errors.Is(err, store.ErrClosed) {
					firstBad <- err
				}
				return
			}
		}()
	}
	allDone := make(chan struct{})
	go func() {
		wg.Wait()
		close(allDone)
	}()
	select {
	case <-enough:
	case <-allDone: // every writer failed early; reported below
	}
	requireNoError(t, s.Close(), "closing under load")
	<-allDone
	close(firstBad)
	for err := range firstBad {
		t.Errorf("a write during Close failed with %v, want success or ErrClosed", err)
	}
}

func testCancelledContext(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	e := newExecution("ns", "wf", "run")
	err := s.Write(ctx, startTransition(e))
	requireErrorIs(t, err, context.Canceled, "writing with a cancelled context")
	err = s.CreateNamespace(ctx, &store.Namespace{ID: "id", Name: "name"})
	requireErrorIs(t, err, context.Canceled, "creating a namespace with a cancelled context")

	requireExecutionAbsent(t, s, keyOf(e))
	_, err = s.GetCurrentExecution(t.Context(), "ns", "wf")
	requireErrorIs(t, err, store.ErrNotFound, "the cancelled write's pointer must not exist")
	_, err = s.GetNamespaceByID(t.Context(), "id")
	requireErrorIs(t, err, store.ErrNotFound, "the cancelled namespace must not exist")
}

func testEmptyTransition(t *testing.T, s store.Store) {
	requireNoError(t, s.Write(t.Context(), &store.Transition{}), "writing an empty transition")
}

func testInvalidTransition(t *testing.T, s store.Store) {
	ctx := t.Context()
	if err := s.Write(ctx, nil); err == nil {
		t.Fatal("writing a nil transition succeeded")
	}
	err := s.Write(ctx, &store.Transition{Executions: []store.ExecutionWrite{{Execution: nil}}})
	if err == nil {
		t.Fatal("writing an execution write without an execution succeeded")
	}
	// The store still works.
	createExecution(t, s, newExecution("ns", "wf", "run"))
}
