package machine

import (
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
)

// ErrStale means a task token or request names a task, attempt or run that is no
// longer pending. Callers answer it with NotFound.
var ErrStale = errors.New("task is no longer pending")

// CommandError is a command in a workflow task completion that the run's state
// does not allow. The workflow task fails with Cause.
type CommandError struct {
	Index   int
	Cause   enumspb.WorkflowTaskFailedCause
	Message string
}

func (e *CommandError) Error() string {
	return fmt.Sprintf("invalid command %d: %s", e.Index, e.Message)
}

// RequestError is a request the run's state does not allow; callers answer it
// with InvalidArgument.
type RequestError struct{ Message string }

func (e *RequestError) Error() string { return e.Message }
