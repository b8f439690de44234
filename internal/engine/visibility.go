package engine

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/visibility"
)

// maxVisibilityPageSize is the page size of listings that ask for none, and
// the most any page holds, as in Temporal's server.
const maxVisibilityPageSize = 1000

// maxSearchAttributeNameLength bounds the names AddSearchAttributes accepts.
const maxSearchAttributeNameLength = 255

// ListWorkflowExecutions returns one page of the namespace's runs that match
// the request's query.
func (e *Engine) ListWorkflowExecutions(ctx context.Context, req *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error) {
	execs, next, err := e.listExecutions(ctx, req.Namespace, req.Query, req.PageSize, req.NextPageToken)
	if err != nil {
		return nil, err
	}
	return &workflowservice.ListWorkflowExecutionsResponse{Executions: execs, NextPageToken: next}, nil
}

// ScanWorkflowExecutions is ListWorkflowExecutions under another name: a scan
// may return runs in any order, and the listing's order is one.
func (e *Engine) ScanWorkflowExecutions(ctx context.Context, req *workflowservice.ScanWorkflowExecutionsRequest) (*workflowservice.ScanWorkflowExecutionsResponse, error) {
	execs, next, err := e.listExecutions(ctx, req.Namespace, req.Query, req.PageSize, req.NextPageToken)
	if err != nil {
		return nil, err
	}
	return &workflowservice.ScanWorkflowExecutionsResponse{Executions: execs, NextPageToken: next}, nil
}

func (e *Engine) listExecutions(ctx context.Context, namespaceName, query string, pageSize int32, token []byte) ([]*workflowpb.WorkflowExecutionInfo, []byte, error) {
	ns, err := e.namespace(ctx, namespaceName)
	if err != nil {
		return nil, nil, err
	}
	catalog, err := e.searchAttributeCatalog(ctx, ns.id)
	if err != nil {
		return nil, nil, err
	}
	q, err := compileQuery(query, catalog)
	if err != nil {
		return nil, nil, err
	}
	if len(q.GroupBy) > 0 {
		return nil, nil, serviceerror.NewInvalidArgument("invalid query: GROUP BY is supported only by CountWorkflowExecutions")
	}
	size := int(pageSize)
	if size <= 0 || size > maxVisibilityPageSize {
		size = maxVisibilityPageSize
	}
	params := &store.ListExecutionsParams{NamespaceID: ns.id, Query: q, PageSize: size}
	if len(token) > 0 {
		if params.After, err = visibility.DecodeCursor(token, q); err != nil {
			return nil, nil, serviceerror.NewInvalidArgument(err.Error())
		}
	}
	page, err := e.store.ListExecutions(ctx, params)
	if err != nil {
		return nil, nil, unavailable("listing workflow executions", err)
	}
	out := make([]*workflowpb.WorkflowExecutionInfo, len(page.Executions))
	for i, row := range page.Executions {
		out[i] = listedExecutionInfo(row, catalog)
	}
	var next []byte
	if page.Next != nil {
		next = page.Next.Encode()
	}
	return out, next, nil
}

// CountWorkflowExecutions counts the namespace's runs that match the query,
// per ExecutionStatus when it ends with GROUP BY ExecutionStatus. Each group
// value is the status name as a Keyword payload, as Temporal's server sends
// it.
func (e *Engine) CountWorkflowExecutions(ctx context.Context, req *workflowservice.CountWorkflowExecutionsRequest) (*workflowservice.CountWorkflowExecutionsResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	catalog, err := e.searchAttributeCatalog(ctx, ns.id)
	if err != nil {
		return nil, err
	}
	q, err := compileQuery(req.Query, catalog)
	if err != nil {
		return nil, err
	}
	if !q.GroupsByStatus() {
		n, err := e.store.CountExecutions(ctx, ns.id, q)
		if err != nil {
			return nil, unavailable("counting workflow executions", err)
		}
		return &workflowservice.CountWorkflowExecutionsResponse{Count: n}, nil
	}
	counts, err := e.store.CountExecutionsGroupByStatus(ctx, ns.id, q)
	if err != nil {
		return nil, unavailable("counting workflow executions", err)
	}
	resp := &workflowservice.CountWorkflowExecutionsResponse{}
	for _, c := range counts {
		resp.Count += c.Count
		resp.Groups = append(resp.Groups, &workflowservice.CountWorkflowExecutionsResponse_AggregationGroup{
			GroupValues: []*commonpb.Payload{keywordPayload(enumspb.WorkflowExecutionStatus(c.Status).String())},
			Count:       c.Count,
		})
	}
	return resp, nil
}

// GetSearchAttributes lists every search attribute queries may name: the
// system ones and the custom attributes of the default namespace (the
// request names no namespace).
func (e *Engine) GetSearchAttributes(ctx context.Context, _ *workflowservice.GetSearchAttributesRequest) (*workflowservice.GetSearchAttributesResponse, error) {
	ns, err := e.namespace(ctx, DefaultNamespace)
	if err != nil {
		return nil, err
	}
	catalog, err := e.searchAttributeCatalog(ctx, ns.id)
	if err != nil {
		return nil, err
	}
	keys := visibility.SystemAttributes()
	for name, t := range catalog.Custom {
		if _, system := keys[name]; !system {
			keys[name] = t
		}
	}
	return &workflowservice.GetSearchAttributesResponse{Keys: keys}, nil
}

// AddSearchAttributes registers custom search attributes in a namespace.
// Adding a name again with its type is accepted and changes nothing; with
// another type it is refused (Temporal's server silently keeps the old type).
func (e *Engine) AddSearchAttributes(ctx context.Context, req *operatorservice.AddSearchAttributesRequest) (*operatorservice.AddSearchAttributesResponse, error) {
	if len(req.GetSearchAttributes()) == 0 {
		return nil, serviceerror.NewInvalidArgument("SearchAttributes are not set on request.")
	}
	names := slices.Sorted(maps.Keys(req.SearchAttributes))
	for _, name := range names {
		if err := checkCustomName(name); err != nil {
			return nil, err
		}
		if t := req.SearchAttributes[name]; !visibility.IsCustomType(t) {
			return nil, serviceerror.NewInvalidArgumentf("Unknown search attribute type: %v.", t)
		}
	}
	ns, err := e.operatorNamespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	catalog, err := e.searchAttributeCatalog(ctx, ns.id)
	if err != nil {
		return nil, err
	}
	attrs := make([]store.SearchAttribute, 0, len(names))
	for _, name := range names {
		t := req.SearchAttributes[name]
		if current, ok := catalog.Custom[name]; ok && current != t {
			return nil, serviceerror.NewInvalidArgumentf("Search attribute %s already exists with type %s.", name, current)
		}
		attrs = append(attrs, store.SearchAttribute{Name: name, Type: int32(t)})
	}
	if err := e.store.AddSearchAttributes(ctx, ns.id, attrs); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, serviceerror.NewInvalidArgumentf("Search attributes changed concurrently: %v", err)
		}
		return nil, unavailable("saving search attributes", err)
	}
	return &operatorservice.AddSearchAttributesResponse{}, nil
}

// RemoveSearchAttributes unregisters custom search attributes; names that
// are not registered are ignored, system names refused.
func (e *Engine) RemoveSearchAttributes(ctx context.Context, req *operatorservice.RemoveSearchAttributesRequest) (*operatorservice.RemoveSearchAttributesResponse, error) {
	if len(req.GetSearchAttributes()) == 0 {
		return nil, serviceerror.NewInvalidArgument("SearchAttributes are not set on request.")
	}
	system := visibility.SystemAttributes()
	for _, name := range req.SearchAttributes {
		if _, ok := system[name]; ok {
			return nil, serviceerror.NewInvalidArgumentf("Unable to remove non-custom search attributes: %s.", name)
		}
	}
	ns, err := e.operatorNamespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	if err := e.store.RemoveSearchAttributes(ctx, ns.id, req.SearchAttributes); err != nil {
		return nil, unavailable("removing search attributes", err)
	}
	return &operatorservice.RemoveSearchAttributesResponse{}, nil
}

// ListSearchAttributes returns a namespace's custom search attributes and
// the system ones.
func (e *Engine) ListSearchAttributes(ctx context.Context, req *operatorservice.ListSearchAttributesRequest) (*operatorservice.ListSearchAttributesResponse, error) {
	ns, err := e.operatorNamespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	catalog, err := e.searchAttributeCatalog(ctx, ns.id)
	if err != nil {
		return nil, err
	}
	return &operatorservice.ListSearchAttributesResponse{
		CustomAttributes: catalog.Custom,
		SystemAttributes: visibility.SystemAttributes(),
		StorageSchema:    map[string]string{},
	}, nil
}

// operatorNamespace resolves the namespace of an operator request, which,
// as with Temporal's SQL stores, must be given.
func (e *Engine) operatorNamespace(ctx context.Context, name string) (*namespace, error) {
	if name == "" {
		return nil, serviceerror.NewInvalidArgument("Namespace is not set on request.")
	}
	return e.ns.lookup(ctx, name)
}

// searchAttributeCatalog loads what queries in a namespace may name.
func (e *Engine) searchAttributeCatalog(ctx context.Context, namespaceID string) (visibility.Catalog, error) {
	attrs, err := e.store.ListSearchAttributes(ctx, namespaceID)
	if err != nil {
		return visibility.Catalog{}, unavailable("reading search attributes", err)
	}
	catalog := visibility.Catalog{Custom: make(map[string]enumspb.IndexedValueType, len(attrs))}
	for _, a := range attrs {
		catalog.Custom[a.Name] = enumspb.IndexedValueType(a.Type)
	}
	return catalog, nil
}

func compileQuery(query string, catalog visibility.Catalog) (*visibility.Query, error) {
	q, err := visibility.Compile(query, catalog)
	if err != nil {
		return nil, serviceerror.NewInvalidArgument(err.Error())
	}
	return q, nil
}

func checkCustomName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return serviceerror.NewInvalidArgument("Search attribute name is empty.")
	case len(name) > maxSearchAttributeNameLength:
		return serviceerror.NewInvalidArgumentf("Search attribute name is longer than %d bytes.", maxSearchAttributeNameLength)
	case !utf8.ValidString(name) || strings.ContainsAny(name, "`\x00"):
		return serviceerror.NewInvalidArgumentf("Search attribute name %q holds characters that cannot be queried.", name)
	case visibility.IsReserved(name):
		return serviceerror.NewInvalidArgumentf("Search attribute %s is reserved by system.", name)
	}
	return nil
}

// listedExecutionInfo is the summary of a run that listings return, from its
// visibility row alone.
func listedExecutionInfo(row *store.Execution, catalog visibility.Catalog) *workflowpb.WorkflowExecutionInfo {
	info := &workflowpb.WorkflowExecutionInfo{
		Execution:     &commonpb.WorkflowExecution{WorkflowId: row.WorkflowID, RunId: row.RunID},
		Type:          &commonpb.WorkflowType{Name: row.WorkflowType},
		StartTime:     timestamppb.New(row.StartTime),
		CloseTime:     tsOrNil(row.CloseTime),
		Status:        enumspb.WorkflowExecutionStatus(row.Status),
		HistoryLength: row.HistoryLength,
		ExecutionTime: timestamppb.New(row.ExecutionTime),
		TaskQueue:     row.TaskQueue,
	}
	if !row.CloseTime.IsZero() {
		info.ExecutionDuration = durationpb.New(row.CloseTime.Sub(row.ExecutionTime))
	}
	setListedLineage(info, row)
	if len(row.Memo) > 0 {
		m := &commonpb.Memo{}
		if proto.Unmarshal(row.Memo, m) == nil {
			info.Memo = m
		}
	}
	if len(row.SearchAttributes) > 0 {
		sa := &commonpb.SearchAttributes{}
		if proto.Unmarshal(row.SearchAttributes, sa) == nil {
			typeSearchAttributes(sa, catalog)
			info.SearchAttributes = sa
		}
	}
	return info
}

// typeSearchAttributes writes each known attribute's type into its payload's
// metadata where the writer left it out, as Temporal's server does, so that
// SDKs can decode typed search attributes.
func typeSearchAttributes(sa *commonpb.SearchAttributes, catalog visibility.Catalog) {
	system := visibility.SystemAttributes()
	for name, p := range sa.GetIndexedFields() {
		if p == nil || len(p.Metadata["type"]) > 0 {
			continue
		}
		t, ok := system[name]
		if !ok {
			t, ok = catalog.Custom[name]
		}
		if !ok {
			continue
		}
		if p.Metadata == nil {
			p.Metadata = map[string][]byte{}
		}
		p.Metadata["type"] = []byte(t.String())
	}
}

// keywordPayload encodes s as a search attribute value of type Keyword.
func keywordPayload(s string) *commonpb.Payload {
	data, _ := json.Marshal(s) // a string always marshals
	return &commonpb.Payload{
		Metadata: map[string][]byte{"encoding": []byte("json/plain"), "type": []byte(enumspb.INDEXED_VALUE_TYPE_KEYWORD.String())},
		Data:     data,
	}
}
