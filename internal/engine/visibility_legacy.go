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
	terms := []string{"ExecutionStatus = 'Running'"}
	timeTerm, err := legacyTimeRange("StartTime", req.GetStartTimeFilter())
	if err != nil {
		return nil, err
	}
	terms = appendNonEmpty(terms, timeTerm)
	switch {
	case req.GetExecutionFilter() != nil:
		terms = append(terms, "WorkflowId = "+quoteQueryString(req.GetExecutionFilter().GetWorkflowId()))
	case req.GetTypeFilter() != nil:
		terms = append(terms, "WorkflowType = "+quoteQueryString(req.GetTypeFilter().GetName()))
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
	terms := []string{"ExecutionStatus != 'Running'"}
	timeTerm, err := legacyTimeRange("CloseTime", req.GetStartTimeFilter())
	if err != nil {
		return nil, err
	}
	terms = appendNonEmpty(terms, timeTerm)
	switch {
	case req.GetExecutionFilter() != nil:
		terms = append(terms, "WorkflowId = "+quoteQueryString(req.GetExecutionFilter().GetWorkflowId()))
	case req.GetTypeFilter() != nil:
		terms = append(terms, "WorkflowType = "+quoteQueryString(req.GetTypeFilter().GetName()))
	case req.GetStatusFilter() != nil:
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

func appendNonEmpty(terms []string, term string) []string {
	if term == "" {
		return terms
	}
	return append(terms, term)
}
