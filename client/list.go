package client

import (
	"context"
	"fmt"
	"iter"

	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
)

// WorkflowExecutionInfo describes one run in List results: ids, type, status, times,
// memo and search attributes.
type WorkflowExecutionInfo = workflowpb.WorkflowExecutionInfo

// ListWorkflows returns the runs matching query, in the visibility query language of
// Temporal (for example `WorkflowType = 'OrderWorkflow' AND ExecutionStatus =
// 'Running'`; empty matches every run), newest first, fetching pages as the loop asks
// for more. An error ends the sequence.
//
//	for info, err := range c.ListWorkflows(ctx, "ExecutionStatus = 'Running'") {
//		if err != nil { return err }
//		fmt.Println(info.GetExecution().GetWorkflowId())
//	}
func (c *Client) ListWorkflows(ctx context.Context, query string) iter.Seq2[*WorkflowExecutionInfo, error] {
	return func(yield func(*WorkflowExecutionInfo, error) bool) {
		var token []byte
		for {
			resp, err := c.listPage(ctx, query, token)
			if err != nil {
				yield(nil, fmt.Errorf("listing workflows matching %q: %w", query, err))
				return
			}
			for _, info := range resp.GetExecutions() {
				if !yield(info, nil) {
					return
				}
			}
			if token = resp.GetNextPageToken(); len(token) == 0 {
				return
			}
		}
	}
}

func (c *Client) listPage(ctx context.Context, query string, token []byte) (*workflowservice.ListWorkflowExecutionsResponse, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	return c.service.ListWorkflowExecutions(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Namespace:     c.opts.Namespace,
		Query:         query,
		NextPageToken: token,
	})
}

// CountWorkflows returns how many runs match query (see ListWorkflows).
func (c *Client) CountWorkflows(ctx context.Context, query string) (int64, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	resp, err := c.service.CountWorkflowExecutions(ctx, &workflowservice.CountWorkflowExecutionsRequest{
		Namespace: c.opts.Namespace,
		Query:     query,
	})
	if err != nil {
		return 0, fmt.Errorf("counting workflows matching %q: %w", query, err)
	}
	return resp.GetCount(), nil
}
