package machine_test

import (
	"testing"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// TestHardening12CronRunAnchoredOnScheduledTime: the run after a cron run is
// due one "@every" period after that run was due (its execution time), as in
// Temporal, not on the next multiple of the period since the Unix epoch.
func TestHardening12CronRunAnchoredOnScheduledTime(t *testing.T) {
	p := defaultStart()
	p.CronSchedule = "@every 1m"
	p.StartDelay = 90 * time.Second // first run due at t0+90s, half past a minute
	r := startRun(t, p)
	r.fire(at(90 * time.Second))
	r.startWFT(at(91 * time.Second))

	tx := machine.Begin(r.s, at(100*time.Second))
	complete := &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
		Attributes:  &commandpb.Command_CompleteWorkflowExecutionCommandAttributes{CompleteWorkflowExecutionCommandAttributes: &commandpb.CompleteWorkflowExecutionCommandAttributes{}},
	}
	if _, err := tx.CompleteWorkflowTask([]*commandpb.Command{complete}, machine.CompletionOptions{Identity: "wf-worker"}); err != nil {
		t.Fatalf("CompleteWorkflowTask: %v", err)
	}
	if tx.Next == nil {
		t.Fatal("a cron run closed with no next run")
	}
	started := tx.Next.Events[0].GetWorkflowExecutionStartedEventAttributes()
	if got, want := started.GetFirstWorkflowTaskBackoff().AsDuration(), 50*time.Second; got != want {
		t.Fatalf("next run's backoff = %v, want %v (due at t0+150s, a minute after t0+90s)", got, want)
	}
	if got, want := tx.Next.S.ExecutionTime, at(150*time.Second); !got.Equal(want) {
		t.Fatalf("next run's execution time = %v, want %v", got, want)
	}
}
