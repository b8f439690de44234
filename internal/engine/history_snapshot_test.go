package engine

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/store/sqlite"
)

// blockingReads is a store whose next ReadEvents, once armed, waits until
// released.
type blockingReads struct {
	store.Store
	mu    sync.Mutex
	armed *readGate
}

// readGate is one armed ReadEvents: entered closes when the read starts,
// release lets it go on.
type readGate struct {
	entered, release chan struct{}
}

// arm makes the next ReadEvents block.
func (s *blockingReads) arm() *readGate {
	g := &readGate{entered: make(chan struct{}), release: make(chan struct{})}
	s.mu.Lock()
	s.armed = g
	s.mu.Unlock()
	return g
}

func (s *blockingReads) ReadEvents(ctx context.Context, namespaceID, runID string, from, to int64) ([]store.EventBatch, error) {
	s.mu.Lock()
	g := s.armed
	s.armed = nil
	s.mu.Unlock()
	if g != nil {
		close(g.entered)
		<-g.release
	}
	return s.Store.ReadEvents(ctx, namespaceID, runID, from, to)
}

// TestHardening08HistoryReadsDoNotHoldTheRun: history paging, reverse
// history and reset read the store without holding the run, so a signal to
// the same run goes through while such a read waits on the store.
func TestHardening08HistoryReadsDoNotHoldTheRun(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	reads := &blockingReads{Store: st}
	e, err := New(Config{Store: reads, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)

	const id = "long-history"
	queue := &taskqueuepb.TaskQueue{Name: "reads"}
	if _, err := e.StartWorkflowExecution(ctx, &workflowservice.StartWorkflowExecutionRequest{
		Namespace: "default", WorkflowId: id, WorkflowType: &commonpb.WorkflowType{Name: "Wait"}, TaskQueue: queue, RequestId: "start",
	}); err != nil {
		t.Fatal(err)
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	task, err := e.PollWorkflowTaskQueue(pctx, &workflowservice.PollWorkflowTaskQueueRequest{Namespace: "default", TaskQueue: queue, Identity: "w"})
	cancel()
	if err != nil || len(task.TaskToken) == 0 {
		t.Fatalf("poll: %v", err)
	}
	// The run waits on a long timer; its first events are no longer in memory.
	if _, err := e.RespondWorkflowTaskCompleted(ctx, &workflowservice.RespondWorkflowTaskCompletedRequest{
		Namespace: "default", TaskToken: task.TaskToken, Identity: "w",
		Commands: []*commandpb.Command{{
			CommandType: enumspb.COMMAND_TYPE_START_TIMER,
			Attributes: &commandpb.Command_StartTimerCommandAttributes{StartTimerCommandAttributes: &commandpb.StartTimerCommandAttributes{
				TimerId: "nap", StartToFireTimeout: durationpb.New(time.Hour),
			}},
		}},
	}); err != nil {
		t.Fatal(err)
	}
	execution := &commonpb.WorkflowExecution{WorkflowId: id}

	reads1 := map[string]func() error{
		"history": func() error {
			_, err := e.GetWorkflowExecutionHistory(ctx, &workflowservice.GetWorkflowExecutionHistoryRequest{Namespace: "default", Execution: execution})
			return err
		},
		"reverse history": func() error {
			_, err := e.GetWorkflowExecutionHistoryReverse(ctx, &workflowservice.GetWorkflowExecutionHistoryReverseRequest{Namespace: "default", Execution: execution})
			return err
		},
		"reset": func() error {
			_, err := e.ResetWorkflowExecution(ctx, &workflowservice.ResetWorkflowExecutionRequest{
				Namespace: "default", WorkflowExecution: execution, WorkflowTaskFinishEventId: 4, RequestId: "reset", Reason: "test",
			})
			return err
		},
	}
	for _, name := range []string{"history", "reverse history", "reset"} {
		gate := reads.arm()
		done := make(chan error, 1)
		go func() { done <- reads1[name]() }()
		select {
		case <-gate.entered:
		case err := <-done:
			t.Fatalf("%s finished (%v) without reading the store", name, err)
		case <-time.After(10 * time.Second):
			t.Fatalf("%s did not read the store", name)
		}
		signaled := make(chan error, 1)
		go func() {
			_, err := e.SignalWorkflowExecution(ctx, &workflowservice.SignalWorkflowExecutionRequest{
				Namespace: "default", WorkflowExecution: execution, SignalName: "during " + name,
			})
			signaled <- err
		}()
		select {
		case err := <-signaled:
			if err != nil {
				t.Errorf("signal while a %s read waits on the store: %v", name, err)
			}
			close(gate.release)
		case <-time.After(5 * time.Second):
			t.Errorf("a signal waited more than 5s for a %s read blocked in the store", name)
			close(gate.release)
			<-signaled
		}
		if err := <-done; err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
