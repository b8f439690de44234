package machine_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// TestPendingLimitsFailTheWorkflowTask: a command that would take a run past
// one of its pending limits fails the workflow task with the limit's cause and
// Temporal's text, naming the command; commands before it are fine.
func TestPendingLimitsFailTheWorkflowTask(t *testing.T) {
	activity := func(i int) *commandpb.Command {
		a := activityAttrs(time.Minute, nil)
		a.ActivityId = fmt.Sprintf("a%d", i)
		return scheduleActivity(a)
	}
	signal := func(i int) *commandpb.Command {
		return &commandpb.Command{
			CommandType: enumspb.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION,
			Attributes: &commandpb.Command_SignalExternalWorkflowExecutionCommandAttributes{SignalExternalWorkflowExecutionCommandAttributes: &commandpb.SignalExternalWorkflowExecutionCommandAttributes{
				Execution: &commonpb.WorkflowExecution{WorkflowId: fmt.Sprintf("other-%d", i)}, SignalName: "ping",
			}},
		}
	}
	cancel := func(i int) *commandpb.Command {
		return &commandpb.Command{
			CommandType: enumspb.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION,
			Attributes: &commandpb.Command_RequestCancelExternalWorkflowExecutionCommandAttributes{RequestCancelExternalWorkflowExecutionCommandAttributes: &commandpb.RequestCancelExternalWorkflowExecutionCommandAttributes{
				WorkflowId: fmt.Sprintf("other-%d", i),
			}},
		}
	}
	child := func(i int) *commandpb.Command {
		return &commandpb.Command{
			CommandType: enumspb.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION,
			Attributes: &commandpb.Command_StartChildWorkflowExecutionCommandAttributes{StartChildWorkflowExecutionCommandAttributes: &commandpb.StartChildWorkflowExecutionCommandAttributes{
				WorkflowId: fmt.Sprintf("child-%d", i), WorkflowType: &commonpb.WorkflowType{Name: "Child"},
			}},
		}
	}
	for _, c := range []struct {
		name   string
		limits machine.PendingLimits
		cmd    func(int) *commandpb.Command
		cause  enumspb.WorkflowTaskFailedCause
		what   string
	}{
		{"activities", machine.PendingLimits{Activities: 2}, activity, enumspb.WORKFLOW_TASK_FAILED_CAUSE_PENDING_ACTIVITIES_LIMIT_EXCEEDED, "pending activities"},
		{"children", machine.PendingLimits{Children: 2}, child, enumspb.WORKFLOW_TASK_FAILED_CAUSE_PENDING_CHILD_WORKFLOWS_LIMIT_EXCEEDED, "pending child workflow executions"},
		{"signals", machine.PendingLimits{Signals: 2}, signal, enumspb.WORKFLOW_TASK_FAILED_CAUSE_PENDING_SIGNALS_LIMIT_EXCEEDED, "pending signals to external workflows"},
		{"cancels", machine.PendingLimits{Cancels: 2}, cancel, enumspb.WORKFLOW_TASK_FAILED_CAUSE_PENDING_REQUEST_CANCEL_LIMIT_EXCEEDED, "pending requests to cancel external workflows"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := startRun(t, defaultStart())
			r.startWFT(at(time.Second))

			// Within the limit: accepted.
			tx := machine.Begin(r.s.Clone(), at(2*time.Second))
			tx.Limits = c.limits
			if _, err := tx.CompleteWorkflowTask([]*commandpb.Command{c.cmd(0), c.cmd(1)}, machine.CompletionOptions{Identity: "w"}); err != nil {
				t.Fatalf("two commands with a limit of two: %v", err)
			}

			// One more: the third command is refused.
			tx = machine.Begin(r.s.Clone(), at(2*time.Second))
			tx.Limits = c.limits
			_, err := tx.CompleteWorkflowTask([]*commandpb.Command{c.cmd(0), c.cmd(1), c.cmd(2)}, machine.CompletionOptions{Identity: "w"})
			var cmdErr *machine.CommandError
			if !errors.As(err, &cmdErr) {
				t.Fatalf("three commands with a limit of two: error %v, want a CommandError", err)
			}
			want := fmt.Sprintf("the number of %s, 2, has reached the per-workflow limit of 2", c.what)
			if cmdErr.Cause != c.cause || cmdErr.Index != 2 || cmdErr.Message != want {
				t.Errorf("got cause %v index %d message %q; want %v, 2, %q", cmdErr.Cause, cmdErr.Index, cmdErr.Message, c.cause, want)
			}

			// No limit set: anything goes.
			tx = machine.Begin(r.s.Clone(), at(2*time.Second))
			if _, err := tx.CompleteWorkflowTask([]*commandpb.Command{c.cmd(0), c.cmd(1), c.cmd(2)}, machine.CompletionOptions{Identity: "w"}); err != nil {
				t.Fatalf("no limits: %v", err)
			}
		})
	}
}
