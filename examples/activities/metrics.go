package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/sundialdev/sundial/activity"
)

// MetricsActivity counts the items it processes and records how long it took, with the
// activity's metric meter: the client's metrics handler (client.Options.MetricsHandler,
// for example contrib/promhandler), labelled with the activity and workflow types, the
// namespace and the task queue.
func MetricsActivity(ctx context.Context, dataSize int) (string, error) {
	meter := activity.GetMetricMeter(ctx)
	processed := meter.Counter("activity_items_processed", activity.MetricOptions{
		Description: "Number of items processed by activity",
	})
	duration := meter.Histogram("activity_processing_duration", activity.MetricOptions{
		Description: "Time spent processing items",
		Unit:        "seconds",
	})
	begin := time.Now()
	for range dataSize {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		processed.Add(1)
	}
	elapsed := time.Since(begin).Seconds()
	duration.Record(elapsed)
	return fmt.Sprintf("Processed %d items in %.2fs", dataSize, elapsed), nil
}
