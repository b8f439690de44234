package workflow_test

import (
	"errors"
	"time"

	"github.com/nexus-rpc/sdk-go/nexus"
	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/workflow"
)

// greet is how the greeting service declares its operation "greet"; a handler's own
// operation value (nexus.NewSyncOperation, a workflow-backed operation) works too.
var greet = nexus.NewOperationReference[string, string]("greet")

// WelcomeWorkflow calls a Nexus operation of another team's service, type-checked, and
// tells an operation that failed from one that timed out.
func WelcomeWorkflow(ctx workflow.Context, name string) (string, error) {
	c := workflow.NewNexusClient("greetings-endpoint", "greeting-service")
	f := workflow.ExecuteNexusOperation(ctx, c, greet, name, workflow.NexusOperationOptions{
		ScheduleToCloseTimeout: time.Hour,
		Summary:                "greet " + name,
	})
	greeting, err := f.Get(ctx)
	var timeout *sundial.TimeoutError
	if errors.As(err, &timeout) {
		return "Hello " + name, nil // the service is slow today: fall back
	}
	return greeting, err
}

func ExampleNewNexusClient() {
	_ = func(ctx workflow.Context, name string) (string, error) {
		c := workflow.NewNexusClient("greetings-endpoint", "greeting-service")
		// By name, with the input and result types unchecked.
		f := c.ExecuteOperation(ctx, "greet", name, workflow.NexusOperationOptions{ScheduleToCloseTimeout: time.Hour})
		// Ready once an asynchronous operation started, with its token.
		var exec workflow.NexusOperationExecution
		if err := f.GetNexusOperationExecution().Get(ctx, &exec); err != nil {
			return "", err
		}
		var greeting string
		err := f.Get(ctx, &greeting)
		return greeting, err
	}
	_ = WelcomeWorkflow
}
