package engine

import (
	"context"
	"slices"

	commonpb "go.temporal.io/api/common/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
)

// GetWorkflowExecutionHistoryReverse returns a run's history newest first, a
// page at a time; the temporal CLI uses it to find the last workflow task.
func (e *Engine) GetWorkflowExecutionHistoryReverse(ctx context.Context, req *workflowservice.GetWorkflowExecutionHistoryReverseRequest) (*workflowservice.GetWorkflowExecutionHistoryReverseResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	ex := req.Execution
	var end int64 // exclusive; 0: the run's end
	if len(req.NextPageToken) > 0 {
		tok, err := decodeHistoryToken(req.NextPageToken)
		if err != nil {
			return nil, err
		}
		if ex.GetRunId() != "" && ex.GetRunId() != tok.runID {
			return nil, serviceerror.NewInvalidArgument("RunId in the request does not match the NextPageToken.")
		}
		ex = &commonpb.WorkflowExecution{WorkflowId: ex.GetWorkflowId(), RunId: tok.runID}
		end = tok.nextEventID
	}
	key, err := e.resolveRun(ctx, ns, ex)
	if err != nil {
		return nil, err
	}
	r, err := e.lockRun(ctx, key)
	if err != nil {
		return nil, err
	}
	if end <= 0 || end > r.state.NextEventID {
		end = r.state.NextEventID
	}
	pageSize := int64(req.MaximumPageSize)
	if pageSize <= 0 || pageSize > int64(e.cfg.HistoryPageSize) {
		pageSize = int64(e.cfg.HistoryPageSize)
	}
	from := max(end-pageSize, 1)
	snap := r.snapshotEvents(from, end)
	size := r.state.HistorySize
	r.mu.Unlock()
	events, err := snap.read(ctx, e)
	if err != nil {
		return nil, err
	}
	slices.Reverse(events)
	if events = trimPage(events, size); len(events) > 0 {
		from = events[len(events)-1].EventId
	}
	resp := &workflowservice.GetWorkflowExecutionHistoryReverseResponse{History: &historypb.History{Events: events}}
	if from > 1 {
		resp.NextPageToken = encodeHistoryToken(historyToken{runID: key.runID, nextEventID: from})
	}
	return resp, nil
}
