package engine

import (
	"context"
	"encoding/json"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	nexuspb "go.temporal.io/api/nexus/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sundialdev/sundial/internal/engine/machine"
	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/visibility"
)

// standaloneNexusAliases are the names operation listings filter on, as
// Temporal calls them, mapped to what a standalone operation's run fills:
// the operation name is its type column, the endpoint its queue column, and
// the service and request id reserved search attributes. RunId, StartTime,
// ExecutionTime, CloseTime, ExecutionStatus and ExecutionDuration keep their
// names.
var standaloneNexusAliases = map[string]string{
	"OperationId": "WorkflowId",
	"Operation":   "WorkflowType",
	"Endpoint":    "TaskQueue",
	"Service":     nexusServiceAttribute,
	"RequestId":   nexusRequestIDAttribute,
}

// standaloneNexusQuery compiles an operation listing's query.
func (e *Engine) standaloneNexusQuery(ctx context.Context, ns *namespace, query string) (*visibility.Query, visibility.Catalog, error) {
	catalog, err := e.searchAttributeCatalog(ctx, ns.id)
	if err != nil {
		return nil, catalog, err
	}
	catalog.Aliases = standaloneNexusAliases
	catalog.Custom[nexusServiceAttribute] = enumspb.INDEXED_VALUE_TYPE_KEYWORD
	catalog.Custom[nexusRequestIDAttribute] = enumspb.INDEXED_VALUE_TYPE_KEYWORD
	q, err := compileQuery(query, catalog)
	return q, catalog, err
}

// ListNexusOperationExecutions returns one page of the namespace's
// standalone Nexus operations that match the request's query.
func (e *Engine) ListNexusOperationExecutions(ctx context.Context, req *workflowservice.ListNexusOperationExecutionsRequest) (*workflowservice.ListNexusOperationExecutionsResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	q, catalog, err := e.standaloneNexusQuery(ctx, ns, req.Query)
	if err != nil {
		return nil, err
	}
	if len(q.GroupBy) > 0 {
		return nil, serviceerror.NewInvalidArgument("invalid query: GROUP BY is supported only by CountNexusOperationExecutions")
	}
	page, err := e.listStandalonePage(ctx, StandaloneNexusNamespaceID(ns.id), q, req.PageSize, req.NextPageToken, "nexus operation executions")
	if err != nil {
		return nil, err
	}
	resp := &workflowservice.ListNexusOperationExecutionsResponse{Operations: make([]*nexuspb.NexusOperationExecutionListInfo, len(page.Executions))}
	for i, row := range page.Executions {
		resp.Operations[i] = listedNexusInfo(row, catalog)
	}
	if page.Next != nil {
		resp.NextPageToken = page.Next.Encode()
	}
	return resp, nil
}

func listedNexusInfo(row *store.Execution, catalog visibility.Catalog) *nexuspb.NexusOperationExecutionListInfo {
	info := &nexuspb.NexusOperationExecutionListInfo{
		OperationId:  row.WorkflowID,
		RunId:        row.RunID,
		Endpoint:     row.TaskQueue,
		Operation:    row.WorkflowType,
		ScheduleTime: timestamppb.New(row.StartTime),
		Status:       machine.NexusStatusOf(enumspb.WorkflowExecutionStatus(row.Status)),
	}
	if !row.CloseTime.IsZero() {
		info.CloseTime = timestamppb.New(row.CloseTime)
		info.ExecutionDuration = durationpb.New(row.CloseTime.Sub(row.StartTime))
	}
	if st, err := machine.Decode(row.State); err == nil && st.StandaloneNexus != nil {
		info.Service = st.StandaloneNexus.Service
		info.StateTransitionCount = st.StandaloneNexus.Transitions
		info.StateSizeBytes = st.HistorySize
	}
	info.SearchAttributes = &commonpb.SearchAttributes{}
	if len(row.SearchAttributes) > 0 && proto.Unmarshal(row.SearchAttributes, info.SearchAttributes) == nil {
		if p := info.SearchAttributes.GetIndexedFields()[nexusServiceAttribute]; p != nil && info.Service == "" {
			info.Service = keywordOf(p)
		}
		userSearchAttributes(info.SearchAttributes)
		typeSearchAttributes(info.SearchAttributes, catalog)
	}
	return info
}

// CountNexusOperationExecutions counts the namespace's standalone operations
// that match the query, per ExecutionStatus when it ends with GROUP BY
// ExecutionStatus.
func (e *Engine) CountNexusOperationExecutions(ctx context.Context, req *workflowservice.CountNexusOperationExecutionsRequest) (*workflowservice.CountNexusOperationExecutionsResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	q, _, err := e.standaloneNexusQuery(ctx, ns, req.Query)
	if err != nil {
		return nil, err
	}
	nsID := StandaloneNexusNamespaceID(ns.id)
	if !q.GroupsByStatus() {
		n, err := e.store.CountExecutions(ctx, nsID, q)
		if err != nil {
			return nil, unavailable("counting nexus operation executions", err)
		}
		return &workflowservice.CountNexusOperationExecutionsResponse{Count: n}, nil
	}
	counts, err := e.store.CountExecutionsGroupByStatus(ctx, nsID, q)
	if err != nil {
		return nil, unavailable("counting nexus operation executions", err)
	}
	resp := &workflowservice.CountNexusOperationExecutionsResponse{}
	for _, c := range counts {
		resp.Count += c.Count
		status := machine.NexusStatusOf(enumspb.WorkflowExecutionStatus(c.Status))
		resp.Groups = append(resp.Groups, &workflowservice.CountNexusOperationExecutionsResponse_AggregationGroup{
			GroupValues: []*commonpb.Payload{keywordPayload(status.String())},
			Count:       c.Count,
		})
	}
	return resp, nil
}

// keywordOf reads a keyword search attribute's value, "" if it is not one.
func keywordOf(p *commonpb.Payload) string {
	var s string
	if json.Unmarshal(p.GetData(), &s) != nil {
		return ""
	}
	return s
}
