package engine

import (
	"context"
	"strconv"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/proto"
)

// Long-poll windows for history, as Temporal's server uses them.
const (
	historyLongPoll = 20 * time.Second
	pollTailRoom    = time.Second
	taskLongPoll    = 60 * time.Second
)

// readEvents returns the run's events with ids in [from, to).
func (e *Engine) readEvents(ctx context.Context, key runKey, from, to int64) ([]*historypb.HistoryEvent, error) {
	if from >= to {
		return nil, nil
	}
	batches, err := e.store.ReadEvents(ctx, key.namespaceID, key.runID, from, to)
	if err != nil {
		return nil, unavailable("reading history", err)
	}
	out := make([]*historypb.HistoryEvent, 0, to-from)
	for _, b := range batches {
		h := &historypb.History{}
		if err := proto.Unmarshal(b.Data, h); err != nil {
			return nil, serviceerror.NewDataLossf("history of run %s has an unreadable batch at event %d: %v", key.runID, b.FirstEventID, err)
		}
		for _, ev := range h.Events {
			if ev.EventId >= from && ev.EventId < to {
				out = append(out, ev)
			}
		}
	}
	if int64(len(out)) != to-from || (len(out) > 0 && out[0].EventId != from) {
		return nil, serviceerror.NewDataLossf("history of run %s is missing events in [%d, %d)", key.runID, from, to)
	}
	return out, nil
}

// historyToken is the position a history page continues from.
type historyToken struct {
	runID       string
	nextEventID int64
}

func encodeHistoryToken(t historyToken) []byte {
	return []byte("h1|" + t.runID + "|" + strconv.FormatInt(t.nextEventID, 10))
}

func decodeHistoryToken(b []byte) (historyToken, error) {
	parts := strings.Split(string(b), "|")
	if len(parts) != 3 || parts[0] != "h1" {
		return historyToken{}, serviceerror.NewInvalidArgument("Invalid NextPageToken.")
	}
	n, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || n < 0 {
		return historyToken{}, serviceerror.NewInvalidArgument("Invalid NextPageToken.")
	}
	return historyToken{runID: parts[1], nextEventID: n}, nil
}

// resolveRun finds the run an execution names: its run id, or the current run of
// its workflow id.
func (e *Engine) resolveRun(ctx context.Context, ns *namespace, ex *commonpb.WorkflowExecution) (runKey, error) {
	key := runKey{namespaceID: ns.id, workflowID: ex.GetWorkflowId(), runID: ex.GetRunId()}
	if key.runID != "" {
		return key, nil
	}
	cur, err := e.store.GetCurrentExecution(ctx, ns.id, key.workflowID)
	if err != nil {
		if isNotFound(err) {
			return key, serviceerror.NewNotFoundf("workflow not found for ID: %v", key.workflowID)
		}
		return key, unavailable("reading current run", err)
	}
	key.runID = cur.RunID
	return key, nil
}

// GetWorkflowExecutionHistory returns a page of a run's history, optionally
// waiting for new events or for the close event.
func (e *Engine) GetWorkflowExecutionHistory(ctx context.Context, req *workflowservice.GetWorkflowExecutionHistoryRequest) (*workflowservice.GetWorkflowExecutionHistoryResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	ex := req.Execution
	var from int64 = 1
	if len(req.NextPageToken) > 0 {
		tok, err := decodeHistoryToken(req.NextPageToken)
		if err != nil {
			return nil, err
		}
		if ex.GetRunId() != "" && ex.GetRunId() != tok.runID {
			return nil, serviceerror.NewInvalidArgument("RunId in the request does not match the NextPageToken.")
		}
		ex = &commonpb.WorkflowExecution{WorkflowId: ex.GetWorkflowId(), RunId: tok.runID}
		from = max(tok.nextEventID, 1)
	}
	key, err := e.resolveRun(ctx, ns, ex)
	if err != nil {
		return nil, err
	}
	waitUntil := e.longPollDeadline(ctx, historyLongPoll)
	if req.HistoryEventFilterType == enumspb.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT {
		return e.closeEvent(ctx, key, req.WaitNewEvent, waitUntil)
	}
	pageSize := int64(req.MaximumPageSize)
	if pageSize <= 0 || pageSize > int64(e.cfg.HistoryPageSize) {
		pageSize = int64(e.cfg.HistoryPageSize)
	}
	for {
		r, err := e.lockRun(ctx, key)
		if err != nil {
			return nil, err
		}
		next, open, size := r.state.NextEventID, r.state.Open(), r.state.HistorySize
		changed := r.changes()
		if from < next {
			to := min(from+pageSize, next)
			snap := r.snapshotEvents(from, to)
			r.mu.Unlock()
			events, err := snap.read(ctx, e)
			if err != nil {
				return nil, err
			}
			if events = trimPage(events, size); len(events) > 0 {
				to = events[len(events)-1].EventId + 1
			}
			resp := &workflowservice.GetWorkflowExecutionHistoryResponse{History: &historypb.History{Events: events}}
			if to < next || (open && req.WaitNewEvent) {
				resp.NextPageToken = encodeHistoryToken(historyToken{runID: key.runID, nextEventID: to})
			}
			return resp, nil
		}
		r.mu.Unlock()
		if !open || !req.WaitNewEvent {
			return &workflowservice.GetWorkflowExecutionHistoryResponse{History: &historypb.History{}}, nil
		}
		if !e.waitChange(ctx, changed, waitUntil) {
			return &workflowservice.GetWorkflowExecutionHistoryResponse{
				History:       &historypb.History{},
				NextPageToken: encodeHistoryToken(historyToken{runID: key.runID, nextEventID: from}),
			}, nil
		}
	}
}

// closeEvent returns the run's close event, waiting for it if asked. While the
// run stays open past the wait, it answers no events and a token to poll again.
func (e *Engine) closeEvent(ctx context.Context, key runKey, wait bool, waitUntil time.Time) (*workflowservice.GetWorkflowExecutionHistoryResponse, error) {
	for {
		r, err := e.lockRun(ctx, key)
		if err != nil {
			return nil, err
		}
		closeID, open := r.state.CloseEventID, r.state.Open()
		changed := r.changes()
		if !open && closeID > 0 {
			snap := r.snapshotEvents(closeID, closeID+1)
			r.mu.Unlock()
			events, err := snap.read(ctx, e)
			if err != nil {
				return nil, err
			}
			return &workflowservice.GetWorkflowExecutionHistoryResponse{History: &historypb.History{Events: events}}, nil
		}
		r.mu.Unlock()
		if !wait {
			return &workflowservice.GetWorkflowExecutionHistoryResponse{History: &historypb.History{}}, nil
		}
		if !e.waitChange(ctx, changed, waitUntil) {
			return &workflowservice.GetWorkflowExecutionHistoryResponse{
				History:       &historypb.History{},
				NextPageToken: encodeHistoryToken(historyToken{runID: key.runID}),
			}, nil
		}
	}
}

// longPollDeadline is when a long poll should give up: the window, or just
// before the caller's deadline. Long polls are about the network, so they run on
// wall time even when the engine's clock is virtual.
func (e *Engine) longPollDeadline(ctx context.Context, window time.Duration) time.Time {
	now := wallNow()
	until := now.Add(window)
	if dl, ok := ctx.Deadline(); ok && dl.Add(-pollTailRoom).Before(until) {
		until = dl.Add(-pollTailRoom)
	}
	return until
}

// waitChange waits for changed to close, ctx to end, the engine to stop, or
// until. It reports whether changed closed.
func (e *Engine) waitChange(ctx context.Context, changed <-chan struct{}, until time.Time) bool {
	d := until.Sub(wallNow())
	if d <= 0 {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-changed:
		return true
	case <-ctx.Done():
		return false
	case <-e.stopped:
		return false
	case <-t.C:
		return false
	}
}
