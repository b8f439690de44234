package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sundialdev/sundial/activity"
)

// RobustDataProcessorName is the name Robust.Process is registered under.
const RobustDataProcessorName = "robust_data_processor"

// RobustInput is Robust.Process's input.
type RobustInput struct {
	Data      []map[string]any
	BatchSize int
}

// RobustResult is Robust.Process's result.
type RobustResult struct {
	TotalItems     int
	ProcessedItems int
	SuccessRate    float64
	ActivityID     string
	Attempt        int32
	WorkflowID     string
	Stopped        string // why processing stopped early, if it did
}

// BatchProgress is Robust.Process's heartbeat detail.
type BatchProgress struct {
	Processed   int
	Total       int
	SuccessRate float64
}

// ItemProcessor processes one item; an error skips the item.
type ItemProcessor func(ctx context.Context, item map[string]any) (map[string]any, error)

// Robust combines the features: info, metrics, contextual logging, batch heartbeats,
// reacting to timeouts and worker shutdown, saving partial results.
type Robust struct {
	ProcessItem ItemProcessor
	Partial     *PartialResults
}

// Process processes every item it can.
func (r *Robust) Process(ctx context.Context, in RobustInput) (RobustResult, error) {
	info := activity.GetInfo(ctx)
	meter := activity.GetMetricMeter(ctx)
	itemsProcessed := meter.Counter("items_processed", activity.MetricOptions{Description: "Items processed"})
	processingDuration := meter.Histogram("processing_duration", activity.MetricOptions{Description: "Processing time"})
	logger := activity.Logger(ctx)
	logger.Info(fmt.Sprintf("Starting robust processing of %d items", len(in.Data)))
	if in.BatchSize <= 0 {
		in.BatchSize = 10
	}

	begin := time.Now()
	result := RobustResult{TotalItems: len(in.Data), ActivityID: info.ActivityID, Attempt: info.Attempt, WorkflowID: info.WorkflowID}
	var processed []string
	for i, item := range in.Data {
		if reason := activity.CancellationReason(ctx); reason != activity.NotCanceled {
			logger.Warn("Activity stopped, saving partial results", "reason", reason.String())
			result.Stopped = reason.String()
			break
		}
		if activity.IsWorkerShutdown(ctx) {
			logger.Warn("Worker shutting down, saving progress")
			result.Stopped = "worker shutdown"
			break
		}
		out, err := r.ProcessItem(ctx, item)
		if err != nil {
			logger.Error(fmt.Sprintf("Failed to process item %d", i), "error", err)
			continue
		}
		processed = append(processed, fmt.Sprint(out))
		itemsProcessed.Add(1)
		if (i+1)%in.BatchSize == 0 {
			activity.RecordHeartbeat(ctx, BatchProgress{
				Processed: len(processed), Total: len(in.Data), SuccessRate: float64(len(processed)) / float64(i+1),
			})
		}
	}
	processingDuration.Record(time.Since(begin).Seconds())
	if result.Stopped != "" {
		if err := r.Partial.Save(activity.WithoutCancel(ctx), processed); err != nil {
			return result, errors.Join(errors.New("saving partial results"), err)
		}
	}
	result.ProcessedItems = len(processed)
	if len(in.Data) > 0 {
		result.SuccessRate = float64(len(processed)) / float64(len(in.Data))
	}
	logger.Info(fmt.Sprintf("Successfully processed %d/%d items", len(processed), len(in.Data)))
	return result, nil
}
