package machine_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	"go.temporal.io/api/serviceerror"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// unreadable is not a protobuf message: its first tag has wire type 7.
var unreadable = []byte{0x0f, 0x01, 0x02}

// TestHardening10CorruptStateFailsTransition: when a part of a run's persisted
// state that the next run is built from does not decode, the transition fails
// with an Internal error naming that part; it never goes on with a zero value
// (a retry with no input, no retry policy, no memo).
func TestHardening10CorruptStateFailsTransition(t *testing.T) {
	fields := []struct {
		name    string
		corrupt func(s *machine.State)
	}{
		{"Input", func(s *machine.State) { s.Input = unreadable }},
		{"Header", func(s *machine.State) { s.Header = unreadable }},
		{"RetryPolicy", func(s *machine.State) { s.RetryPolicy = unreadable }},
		{"Memo", func(s *machine.State) { s.Memo = unreadable }},
		{"SearchAttributes", func(s *machine.State) { s.SearchAttributes = unreadable }},
	}
	failCmd := &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION,
		Attributes: &commandpb.Command_FailWorkflowExecutionCommandAttributes{FailWorkflowExecutionCommandAttributes: &commandpb.FailWorkflowExecutionCommandAttributes{
			Failure: &failurepb.Failure{Message: "boom", FailureInfo: &failurepb.Failure_ApplicationFailureInfo{ApplicationFailureInfo: &failurepb.ApplicationFailureInfo{Type: "Boom"}}},
		}},
	}
	continueCmd := &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION,
		Attributes: &commandpb.Command_ContinueAsNewWorkflowExecutionCommandAttributes{ContinueAsNewWorkflowExecutionCommandAttributes: &commandpb.ContinueAsNewWorkflowExecutionCommandAttributes{
			WorkflowType: &commonpb.WorkflowType{Name: "Greet"},
		}},
	}
	ways := []struct {
		name string
		// close closes the run by some path that builds a successor.
		close func(r *run) error
	}{
		{"failure retried", func(r *run) error {
			r.startWFT(at(time.Second))
			_, err := machine.Begin(r.s, at(2*time.Second)).CompleteWorkflowTask([]*commandpb.Command{failCmd}, machine.CompletionOptions{Identity: "wf-worker"})
			return err
		}},
		{"continued as new", func(r *run) error {
			r.startWFT(at(time.Second))
			_, err := machine.Begin(r.s, at(2*time.Second)).CompleteWorkflowTask([]*commandpb.Command{continueCmd}, machine.CompletionOptions{Identity: "wf-worker"})
			return err
		}},
		{"run timeout retried", func(r *run) error {
			_, err := machine.Begin(r.s, at(time.Hour)).FireDeadlines()
			return err
		}},
	}
	for _, way := range ways {
		for _, f := range fields {
			t.Run(way.name+"/"+f.name, func(t *testing.T) {
				p := defaultStart()
				p.Input = payloads("order-7")
				p.Header = &commonpb.Header{Fields: map[string]*commonpb.Payload{"k": payload("v")}}
				p.Memo = &commonpb.Memo{Fields: map[string]*commonpb.Payload{"m": payload("v")}}
				p.SearchAttributes = &commonpb.SearchAttributes{IndexedFields: map[string]*commonpb.Payload{"CustomKeywordField": payload("v")}}
				p.RetryPolicy = &commonpb.RetryPolicy{InitialInterval: durationpb.New(time.Second)}
				p.RunTimeout = 30 * time.Minute
				r := startRun(t, p)
				f.corrupt(r.s)
				err := way.close(r)
				var internal *serviceerror.Internal
				if !errors.As(err, &internal) {
					t.Fatalf("error = %v (%T), want an Internal error", err, err)
				}
				if !strings.Contains(err.Error(), f.name) {
					t.Fatalf("error %q does not name the unreadable %s", err, f.name)
				}
			})
		}
	}
}
