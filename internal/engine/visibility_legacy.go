package engine

import (
	"context"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	filterpb "go.temporal.io/api/filter/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
)

// ListOpenWorkflowExecutions is the listing older tools use: the running runs
// of a namespace, optionally started within a time range and of one workflow
// id or type. Like Temporal's server, it is a visibility query underneath,
// in the default order (latest start first).
func (e *Engine) ListOpenWorkflowExecutions(ctx context.Context, req *workflowservice.ListOpenWorkflowExecutionsRequest) (*workflowservice.ListOpenWorkflowExecutionsResponse, error) {
	terms, err := legacyFilterTerms("ExecutionStatus = 'Running'", "StartTime", req.GetStartTimeFilter(), req.GetExecutionFilter(), req.GetTypeFilter())
	if err != nil {
		return nil, err
	}
	execs, next, err := e.listExecutions(ctx, req.GetNamespace(), strings.Join(terms, " AND "), req.GetMaximumPageSize(), req.GetNextPageToken())
	if err != nil {
		return nil, err
	}
	return &workflowservice.ListOpenWorkflowExecutionsResponse{Executions: execs, NextPageToken: next}, nil
}

// ListClosedWorkflowExecutions lists the closed runs of a namespace,
// optionally closed within a time range (the request's StartTimeFilter
// bounds the close time, as in Temporal) and of one workflow id, type or
// closed status; latest close first.
func (e *Engine) ListClosedWorkflowExecutions(ctx context.Context, req *workflowservice.ListClosedWorkflowExecutionsRequest) (*workflowservice.ListClosedWorkflowExecutionsResponse, error) {
	terms, err := legacyFilterTerms("ExecutionStatus != 'Running'", "CloseTime", req.GetStartTimeFilter(), req.GetExecutionFilter(), req.GetTypeFilter())
	if err != nil {
		return nil, err
	}
	if req.GetExecutionFilter() == nil && req.GetTypeFilter() == nil && req.GetStatusFilter() != nil {
		st := req.GetStatusFilter().GetStatus()
		if st == enumspb.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED || st == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			return nil, serviceerror.NewInvalidArgument("StatusFilter must be specified and must be not Running.")
		}
		terms = append(terms, "ExecutionStatus = "+quoteQueryString(st.String()))
	}
	execs, next, err := e.listExecutions(ctx, req.GetNamespace(), strings.Join(terms, " AND "), req.GetMaximumPageSize(), req.GetNextPageToken())
	if err != nil {
		return nil, err
	}
	return &workflowservice.ListClosedWorkflowExecutionsResponse{Executions: execs, NextPageToken: next}, nil
}

// legacyFilterTerms are the query terms of a legacy listing: its status
// term, the time range on timeColumn, and the workflow id or (when no id is
// given) type filter.
func legacyFilterTerms(status, timeColumn string, times *filterpb.StartTimeFilter, ex *filterpb.WorkflowExecutionFilter, typ *filterpb.WorkflowTypeFilter) ([]string, error) {
	terms := []string{status}
	timeTerm, err := legacyTimeRange(timeColumn, times)
	if err != nil {
		return nil, err
	}
	if timeTerm != "" {
		terms = append(terms, timeTerm)
	}
	switch {
	case ex != nil:
		terms = append(terms, "WorkflowId = "+quoteQueryString(ex.GetWorkflowId()))
	case typ != nil:
		terms = append(terms, "WorkflowType = "+quoteQueryString(typ.GetName()))
	}
	return terms, nil
}

// legacyTimeRange is the query term a StartTimeFilter stands for on column
// ("" when it sets neither bound).
func legacyTimeRange(column string, f *filterpb.StartTimeFilter) (string, error) {
	earliest, latest := f.GetEarliestTime(), f.GetLatestTime()
	hasEarliest := earliest != nil && !earliest.AsTime().IsZero()
	hasLatest := latest != nil && !latest.AsTime().IsZero()
	stamp := func(t time.Time) string { return quoteQueryString(t.UTC().Format(time.RFC3339Nano)) }
	switch {
	case hasEarliest && hasLatest:
		if earliest.AsTime().After(latest.AsTime()) {
			return "", serviceerror.NewInvalidArgument("EarliestTime in StartTimeFilter should not be larger than LatestTime.")
		}
		return column + " BETWEEN " + stamp(earliest.AsTime()) + " AND " + stamp(latest.AsTime()), nil
	case hasEarliest:
		return column + " >= " + stamp(earliest.AsTime()), nil
	case hasLatest:
		return column + " <= " + stamp(latest.AsTime()), nil
	}
	return "", nil
}

// quoteQueryString quotes s as a string literal of the visibility query
// language, so any workflow id or type name (quotes and backslashes
// included) is matched as written.
func quoteQueryString(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
