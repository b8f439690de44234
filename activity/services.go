package activity

import (
	"context"
	"log/slog"

	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/converter"
)

// Logger returns a logger for the running activity. Every record it writes carries the
// activity id and type, the attempt, the workflow id, run id and type, the namespace and
// the task queue, as the attributes activity_id, activity_type, attempt, workflow_id,
// workflow_run_id, workflow_type, namespace and task_queue. The base logger is the
// client's (or the test environment's). Outside an activity it returns slog.Default().
func Logger(ctx context.Context) *slog.Logger {
	r, ok := current(ctx)
	if !ok {
		return slog.Default()
	}
	return r.Logger(func(base *slog.Logger) *slog.Logger {
		info := r.Info()
		return base.With(
			slog.String("activity_id", info.ActivityID),
			slog.String("activity_type", info.ActivityType),
			slog.Int("attempt", int(info.Attempt)),
			slog.String("workflow_id", info.WorkflowID),
			slog.String("workflow_run_id", info.WorkflowRunID),
			slog.String("workflow_type", info.WorkflowType),
			slog.String("namespace", info.WorkflowNamespace),
			slog.String("task_queue", info.TaskQueue),
		)
	})
}

// Client returns the client the worker running the activity was built with, for example
// to start or signal other workflows. It is nil outside an activity, and in a test
// environment created without a client.
func Client(ctx context.Context) *client.Client {
	if r, ok := current(ctx); ok {
		return r.Client()
	}
	return nil
}

// DataConverter returns the data converter of the running activity: the one that decoded
// its arguments and will encode its result. Dynamic activities use it (through
// DynamicArgs) to decode their raw arguments. Outside an activity it returns the default
// data converter.
func DataConverter(ctx context.Context) converter.DataConverter {
	if r, ok := current(ctx); ok && r.DataConverter() != nil {
		return r.DataConverter()
	}
	return converter.GetDefaultDataConverter()
}
