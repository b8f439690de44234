package activities

import (
	"context"
	"strings"

	"github.com/sundialdev/sundial/activity"
)

// Progress is the heartbeat detail of LongRunningTask.
type Progress struct {
	Processed int
	Total     int
	LastItem  string
}

// LongRunningTask processes items one by one, reporting its progress with a heartbeat
// after each. A retry resumes after the last item the previous attempt reported, and a
// cancellation stops it between items, returning what it has so far.
func LongRunningTask(ctx context.Context, items []string) ([]string, error) {
	start := 0
	var last Progress
	if activity.HasHeartbeatDetails(ctx) {
		if err := activity.GetHeartbeatDetails(ctx, &last); err == nil {
			start = last.Processed
			activity.Logger(ctx).Info("resuming", "from_item", start)
		}
	}
	results := make([]string, 0, len(items))
	for i := start; i < len(items); i++ {
		results = append(results, strings.ToUpper(items[i]))
		activity.RecordHeartbeat(ctx, Progress{Processed: i + 1, Total: len(items), LastItem: items[i]})
		if activity.IsCanceled(ctx) {
			break
		}
	}
	return results, nil
}
