package activities

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/sundialdev/sundial/activity"
)

// TrackedActivity logs which activity and attempt is running for which workflow.
func TrackedActivity(ctx context.Context, data string) (string, error) {
	info := activity.GetInfo(ctx)
	activity.Logger(ctx).Info(fmt.Sprintf("Processing activity %s (attempt %d) for workflow %s",
		info.ActivityType, info.Attempt, info.WorkflowID))
	return fmt.Sprintf("Processed %s in attempt %d", data, info.Attempt), nil
}

// InfoLoggingActivity logs the execution details Info carries. activity.Logger adds the
// activity's identity to every record, so the messages need not repeat it.
func InfoLoggingActivity(ctx context.Context, data string) (string, error) {
	info := activity.GetInfo(ctx)
	logger := activity.Logger(ctx)
	logger.Info("Activity started", "activity_type", info.ActivityType)
	logger.Info("Attempt", "attempt", info.Attempt, "activity_id", info.ActivityID)
	logger.Info("Running for workflow", "workflow", info.WorkflowType+":"+info.WorkflowID)
	logger.Info("Task queue", "task_queue", info.TaskQueue)
	logger.Info("Is local activity", "is_local", info.IsLocal)
	if info.HeartbeatTimeout > 0 {
		logger.Info("Heartbeat timeout", "heartbeat_timeout", info.HeartbeatTimeout)
	}
	if info.StartToCloseTimeout > 0 {
		logger.Info("Start-to-close timeout", "start_to_close_timeout", info.StartToCloseTimeout)
	}
	if info.Priority.PriorityKey != 0 {
		logger.Info("Priority key", "priority_key", info.Priority.PriorityKey)
	}
	return fmt.Sprintf("Processed %s in attempt %d", data, info.Attempt), nil
}

// LoggingActivity logs with the contextual logger, and with a derived logger that adds
// a field of its own (the Python SDK's custom LoggerAdapter).
func LoggingActivity(ctx context.Context, message string) (string, error) {
	activity.Logger(ctx).Info("Processing message: " + message)
	activity.Logger(ctx).Warn("This is a warning with activity context")
	custom := activity.Logger(ctx).With(slog.String("custom_field", "custom_value"))
	custom.Info("Custom logging with activity info")
	return "Logged: " + message, nil
}

// ConditionalLogic behaves differently inside and outside an activity.
func ConditionalLogic(ctx context.Context) string {
	if activity.IsActivity(ctx) {
		activity.Logger(ctx).Info("Running in activity " + activity.GetInfo(ctx).ActivityType)
		return "in activity"
	}
	slog.Default().Info("Running outside activity context")
	return "outside activity"
}
