package workflowrt

import (
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
)

// batch is the stretch of history between two workflow tasks that ran workflow code:
// the events after one successful WorkflowTaskStarted up to and including the next.
// Workflow code runs once per batch, after its events are applied.
type batch struct {
	// events are applied in order; WorkflowTaskScheduled, WorkflowTaskTimedOut and the
	// Started events of failed tasks are left out.
	events []*historypb.HistoryEvent
	// started is the WorkflowTaskStarted that closes the batch, nil for a trailing
	// batch that history ends in (a closed workflow, or one waiting for its next task).
	started *historypb.HistoryEvent
}

// splitBatches cuts contiguous events into batches. A WorkflowTaskStarted closes a batch
// unless the next event says that task failed or timed out.
func splitBatches(events []*historypb.HistoryEvent) []batch {
	var batches []batch
	var current batch
	for i, ev := range events {
		switch ev.GetEventType() {
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, enumspb.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
			continue
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED:
			if i+1 < len(events) && taskFailed(events[i+1]) {
				continue
			}
			current.started = ev
			batches = append(batches, current)
			current = batch{}
			continue
		}
		current.events = append(current.events, ev)
	}
	if len(current.events) > 0 {
		batches = append(batches, current)
	}
	return batches
}

func taskFailed(ev *historypb.HistoryEvent) bool {
	t := ev.GetEventType()
	return t == enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED || t == enumspb.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT
}

// markers returns the MarkerRecorded events of b with the event that follows each.
func (b batch) markers() (markers, followers []*historypb.HistoryEvent) {
	for i, ev := range b.events {
		if ev.GetEventType() != enumspb.EVENT_TYPE_MARKER_RECORDED {
			continue
		}
		markers = append(markers, ev)
		var next *historypb.HistoryEvent
		if i+1 < len(b.events) {
			next = b.events[i+1]
		}
		followers = append(followers, next)
	}
	return markers, followers
}
