package client

import (
	"context"
	"fmt"
	"iter"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
)

// GetWorkflowHistory returns the events of a run (runID empty: the latest run) as they
// are now, fetching pages as the loop asks for more. An error ends the sequence. The
// events can be saved and replayed with worker.WorkflowReplayer.
func (c *Client) GetWorkflowHistory(ctx context.Context, workflowID, runID string) iter.Seq2[*historypb.HistoryEvent, error] {
	return func(yield func(*historypb.HistoryEvent, error) bool) {
		req := &workflowservice.GetWorkflowExecutionHistoryRequest{
			Namespace: c.opts.Namespace,
			Execution: execution(workflowID, runID),
		}
		for {
			resp, err := c.historyPage(ctx, req)
			if err != nil {
				yield(nil, fmt.Errorf("reading history of workflow %q: %w", workflowID, err))
				return
			}
			for _, e := range resp.GetHistory().GetEvents() {
				if !yield(e, nil) {
					return
				}
			}
			if req.NextPageToken = resp.GetNextPageToken(); len(req.NextPageToken) == 0 {
				return
			}
		}
	}
}

func (c *Client) historyPage(ctx context.Context, req *workflowservice.GetWorkflowExecutionHistoryRequest) (*workflowservice.GetWorkflowExecutionHistoryResponse, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	return c.service.GetWorkflowExecutionHistory(ctx, req)
}
