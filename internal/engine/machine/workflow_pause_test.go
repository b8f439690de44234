package machine_test

import (
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// TestPausedRunGetsNoWorkflowTask: a signal to a paused run is written but
// schedules no workflow task, an activity of the run cannot start, and
// unpausing schedules the task; a rebuilt state agrees.
func TestPausedRunGetsNoWorkflowTask(t *testing.T) {
	r := toScheduledActivity(t, defaultStart(), activityAttrs(10*time.Second, nil))
	r.do(at(3*time.Second), func(tx *machine.Tx) {
		if changed, err := tx.PauseRun("ops", "why", "p1"); !changed || err != nil {
			t.Fatalf("PauseRun: %v %v", changed, err)
		}
		if changed, err := tx.PauseRun("ops", "why", "p1"); changed || err != nil {
			t.Errorf("repeated PauseRun: %v %v", changed, err)
		}
		if _, err := tx.PauseRun("ops", "why", "p2"); err != machine.ErrRunAlreadyPaused {
			t.Errorf("second PauseRun: %v", err)
		}
	})
	if !r.s.Open() || !r.s.Paused() {
		t.Fatalf("paused run: open %v paused %v", r.s.Open(), r.s.Paused())
	}
	tx := machine.Begin(r.s.Clone(), at(4*time.Second))
	if _, err := tx.StartActivity(5, 1, "w", "r"); err != machine.ErrStale {
		t.Errorf("starting an activity of a paused run: %v, want ErrStale", err)
	}
	evs := r.do(at(5*time.Second), func(tx *machine.Tx) {
		tx.SignalRun(&machine.Signal{Name: "go", RequestID: "s1"})
	})
	wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)
	if r.s.WorkflowTask != nil {
		t.Fatalf("a signal scheduled a workflow task of a paused run")
	}
	checkRebuild(t, "paused", r)
	evs = r.do(at(6*time.Second), func(tx *machine.Tx) {
		if err := tx.UnpauseRun("ops", "done", ""); err != nil {
			t.Fatalf("UnpauseRun: %v", err)
		}
		if err := tx.UnpauseRun("ops", "done", ""); err != machine.ErrRunNotPaused {
			t.Errorf("second UnpauseRun: %v", err)
		}
	})
	wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UNPAUSED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	if !evs[0].WorkerMayIgnore {
		t.Errorf("the unpaused event is not marked WorkerMayIgnore")
	}
	checkRebuild(t, "unpaused", r)
}
