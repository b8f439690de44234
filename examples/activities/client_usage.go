package activities

import (
	"context"
	"errors"
	"fmt"

	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/client"
)

// QueryExternalService uses the worker's client, from inside the activity, to run another
// workflow and return its result.
func QueryExternalService(ctx context.Context, userID string) (string, error) {
	c := activity.Client(ctx)
	if c == nil {
		return "", errors.New("no client available to this activity")
	}
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        "external-" + userID,
		TaskQueue: "external-queue",
	}, "external_workflow", userID)
	if err != nil {
		return "", fmt.Errorf("starting external workflow: %w", err)
	}
	var result string
	if err := run.Get(ctx, &result); err != nil {
		return "", fmt.Errorf("waiting for external workflow: %w", err)
	}
	return result, nil
}
