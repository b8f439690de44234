package activities

import (
	"context"
	"fmt"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/activity"
)

// ExternalSystem runs a task outside the worker and, when it is done, completes the
// activity with the task token it was given, through client.Client.CompleteActivity.
type ExternalSystem interface {
	StartTask(ctx context.Context, taskID string, taskToken []byte) error
}

// AsyncCompletion hands its work to an external system and returns without a result:
// the activity stays open until the external system completes it.
type AsyncCompletion struct {
	External ExternalSystem
}

// AsyncCompletionActivity returns sundial.ErrResultPending (the Python SDK's
// raise_complete_async) once the external system has the task.
func (a *AsyncCompletion) AsyncCompletionActivity(ctx context.Context, taskID string) (string, error) {
	token := activity.GetInfo(ctx).TaskToken
	if err := a.External.StartTask(ctx, taskID, token); err != nil {
		return "", fmt.Errorf("starting external task %s: %w", taskID, err)
	}
	return "", sundial.ErrResultPending
}
