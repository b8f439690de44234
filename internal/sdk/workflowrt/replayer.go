package workflowrt

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"

	"github.com/sundialdev/sundial/converter"
	"github.com/sundialdev/sundial/internal/clock"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
)

// ReplayOptions configure ReplayWorkflowHistory.
type ReplayOptions struct {
	DataConverter    converter.DataConverter
	FailureConverter converter.FailureConverter
	Logger           *slog.Logger
	// Execution names the run in Info; defaults are used when empty.
	Execution Execution
	Namespace string
}

// ReplayWorkflowHistory runs the registered workflow code against a recorded history
// and fails if the code does not reproduce it: a *NondeterminismError names the event
// and the command that disagree. A panic in workflow code fails the replay too. Commands
// of a workflow task that history shows still in flight are not checked.
func ReplayWorkflowHistory(reg *Registry, history *historypb.History, opts ReplayOptions) error {
	events := history.GetEvents()
	if len(events) == 0 {
		return errors.New("replaying: history is empty")
	}
	if opts.DataConverter == nil {
		opts.DataConverter = converter.GetDefaultDataConverter()
	}
	if opts.FailureConverter == nil {
		opts.FailureConverter = converter.NewDefaultFailureConverter(converter.DefaultFailureConverterOptions{DataConverter: opts.DataConverter})
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	exec := opts.Execution
	if exec.WorkflowID == "" {
		exec.WorkflowID = "replay-workflow-id"
	}
	if exec.RunID == "" {
		exec.RunID = events[0].GetWorkflowExecutionStartedEventAttributes().GetOriginalExecutionRunId()
	}
	cfg := &runConfig{registry: reg, dataConverter: opts.DataConverter, failureConverter: opts.FailureConverter, logger: opts.Logger, clock: clock.Real()}
	run, err := newWorkflowRun(cfg, orDefault(opts.Namespace, "replay-namespace"), exec, "", events[0])
	if err != nil {
		return fmt.Errorf("replaying: %w", err)
	}
	defer run.close()
	if _, _, err := run.apply(context.Background(), events, math.MaxInt64, nil); err != nil {
		return fmt.Errorf("replaying: %w", err)
	}
	last := events[len(events)-1]
	inFlight := last.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED
	if !inFlight {
		if err := run.pendingCommandsError(); err != nil {
			return fmt.Errorf("replaying: %w", err)
		}
	}
	return nil
}

// LoadHistoryJSON reads a history exported as JSON by the temporal CLI
// (`temporal workflow show --output json`) or by Temporal's Web UI: protojson of
// temporal.api.history.v1.History, with either enum spelling.
func LoadHistoryJSON(data []byte) (*historypb.History, error) {
	var h historypb.History
	if err := (temporalproto.CustomJSONUnmarshalOptions{DiscardUnknown: true}).Unmarshal(data, &h); err != nil {
		return nil, fmt.Errorf("decoding history JSON: %w", err)
	}
	return &h, nil
}

// LoadHistoryFile reads a history JSON file; see LoadHistoryJSON.
func LoadHistoryFile(path string) (*historypb.History, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading history file: %w", err)
	}
	h, err := LoadHistoryJSON(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return h, nil
}
