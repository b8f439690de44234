package engine

import (
	"context"

	activitypb "go.temporal.io/api/activity/v1"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sundialdev/sundial/internal/engine/machine"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/visibility"
)

// standaloneAliases are the names activity listings filter on, as Temporal
// calls them, mapped to the columns a standalone activity's run fills.
// ExecutionStatus, TaskQueue, RunId, StartTime, ExecutionTime and CloseTime
// keep their names.
var standaloneAliases = map[string]string{
	"ActivityId":   "WorkflowId",
	"ActivityType": "WorkflowType",
}

// standaloneQuery compiles a standalone activity listing's query.
func (e *Engine) standaloneQuery(ctx context.Context, ns *namespace, query string) (*visibility.Query, visibility.Catalog, error) {
	catalog, err := e.searchAttributeCatalog(ctx, ns.id)
	if err != nil {
		return nil, catalog, err
	}
	catalog.Aliases = standaloneAliases
	q, err := compileQuery(query, catalog)
	return q, catalog, err
}

// ListActivityExecutions returns one page of the namespace's standalone
// activities that match the request's query.
func (e *Engine) ListActivityExecutions(ctx context.Context, req *workflowservice.ListActivityExecutionsRequest) (*workflowservice.ListActivityExecutionsResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	q, catalog, err := e.standaloneQuery(ctx, ns, req.Query)
	if err != nil {
		return nil, err
	}
	if len(q.GroupBy) > 0 {
		return nil, serviceerror.NewInvalidArgument("invalid query: GROUP BY is supported only by CountActivityExecutions")
	}
	page, err := e.listStandalonePage(ctx, StandaloneNamespaceID(ns.id), q, req.PageSize, req.NextPageToken, "activity executions")
	if err != nil {
		return nil, err
	}
	resp := &workflowservice.ListActivityExecutionsResponse{Executions: make([]*activitypb.ActivityExecutionListInfo, len(page.Executions))}
	for i, row := range page.Executions {
		resp.Executions[i] = listedActivityInfo(row, catalog)
	}
	if page.Next != nil {
		resp.NextPageToken = page.Next.Encode()
	}
	return resp, nil
}

// listStandalonePage reads one page of the standalone runs kept under the
// store namespace storeNS (activities or Nexus operations) that match q. A
// page size out of range means the largest page, as in Temporal.
func (e *Engine) listStandalonePage(ctx context.Context, storeNS string, q *visibility.Query, pageSize int32, token []byte, what string) (*store.ListExecutionsPage, error) {
	size := int(pageSize)
	if size <= 0 || size > maxVisibilityPageSize {
		size = maxVisibilityPageSize
	}
	params := &store.ListExecutionsParams{NamespaceID: storeNS, Query: q, PageSize: size}
	if len(token) > 0 {
		after, err := visibility.DecodeCursor(token, q)
		if err != nil {
			return nil, serviceerror.NewInvalidArgument(err.Error())
		}
		params.After = after
	}
	page, err := e.store.ListExecutions(ctx, params)
	if err != nil {
		return nil, unavailable("listing "+what, err)
	}
	return page, nil
}

func listedActivityInfo(row *store.Execution, catalog visibility.Catalog) *activitypb.ActivityExecutionListInfo {
	info := &activitypb.ActivityExecutionListInfo{
		ActivityId:    row.WorkflowID,
		RunId:         row.RunID,
		ActivityType:  &commonpb.ActivityType{Name: row.WorkflowType},
		ScheduleTime:  timestamppb.New(row.StartTime),
		ExecutionTime: timestamppb.New(row.ExecutionTime),
		Status:        machine.ActivityStatusOf(enumspb.WorkflowExecutionStatus(row.Status)),
		TaskQueue:     row.TaskQueue,
	}
	if !row.CloseTime.IsZero() {
		info.CloseTime = timestamppb.New(row.CloseTime)
		info.ExecutionDuration = durationpb.New(row.CloseTime.Sub(row.StartTime))
	}
	// Always set, as Temporal does: the Go SDK reads its fields unchecked.
	info.SearchAttributes = &commonpb.SearchAttributes{}
	if len(row.SearchAttributes) > 0 && proto.Unmarshal(row.SearchAttributes, info.SearchAttributes) == nil {
		typeSearchAttributes(info.SearchAttributes, catalog)
	}
	return info
}

// CountActivityExecutions counts the namespace's standalone activities that
// match the query, per ExecutionStatus when it ends with GROUP BY
// ExecutionStatus.
func (e *Engine) CountActivityExecutions(ctx context.Context, req *workflowservice.CountActivityExecutionsRequest) (*workflowservice.CountActivityExecutionsResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	q, _, err := e.standaloneQuery(ctx, ns, req.Query)
	if err != nil {
		return nil, err
	}
	nsID := StandaloneNamespaceID(ns.id)
	if !q.GroupsByStatus() {
		n, err := e.store.CountExecutions(ctx, nsID, q)
		if err != nil {
			return nil, unavailable("counting activity executions", err)
		}
		return &workflowservice.CountActivityExecutionsResponse{Count: n}, nil
	}
	counts, err := e.store.CountExecutionsGroupByStatus(ctx, nsID, q)
	if err != nil {
		return nil, unavailable("counting activity executions", err)
	}
	resp := &workflowservice.CountActivityExecutionsResponse{}
	for _, c := range counts {
		resp.Count += c.Count
		status := machine.ActivityStatusOf(enumspb.WorkflowExecutionStatus(c.Status))
		resp.Groups = append(resp.Groups, &workflowservice.CountActivityExecutionsResponse_AggregationGroup{
			GroupValues: []*commonpb.Payload{keywordPayload(status.String())},
			Count:       c.Count,
		})
	}
	return resp, nil
}
