package machine

import (
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
)

// PendingLimits bounds how much a run may have in flight at once. A command
// that would go past a limit fails its workflow task with the limit's cause,
// so the workflow waits for some of its work to finish instead of growing its
// state without bound. A limit of zero or less means no limit.
type PendingLimits struct {
	Activities int // open activities (ScheduleActivityTask)
	Children   int // open child workflows (StartChildWorkflowExecution)
	Signals    int // signals to other workflows not yet delivered
	Cancels    int // cancel requests to other workflows not yet delivered
}

// DefaultPendingLimit is Temporal's default for each of PendingLimits
// (limit.numPendingActivities.error and its siblings).
const DefaultPendingLimit = 2000

// DefaultPendingLimits returns Temporal's defaults.
func DefaultPendingLimits() PendingLimits {
	return PendingLimits{
		Activities: DefaultPendingLimit,
		Children:   DefaultPendingLimit,
		Signals:    DefaultPendingLimit,
		Cancels:    DefaultPendingLimit,
	}
}

// checkPending refuses command i when the run already has limit (or more)
// pending items of the kind described by what. The text is Temporal's.
func checkPending(i, pending, limit int, cause enumspb.WorkflowTaskFailedCause, what string) error {
	if limit <= 0 || pending < limit {
		return nil
	}
	return &CommandError{Index: i, Cause: cause, Message: fmt.Sprintf(
		"the number of %s, %d, has reached the per-workflow limit of %d", what, pending, limit)}
}
