package engine_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
)

// saPayload encodes v as an SDK encodes a search attribute value; typ ""
// leaves the type out, as the Go SDK's untyped API does.
func saPayload(t *testing.T, v any, typ string) *commonpb.Payload {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	p := &commonpb.Payload{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: data}
	if typ != "" {
		p.Metadata["type"] = []byte(typ)
	}
	return p
}

// TestVisibilityThroughGRPC registers search attributes, starts workflows
// with them, upserts more from a workflow task, and lists, scans and counts
// through the frontend.
func TestVisibilityThroughGRPC(t *testing.T) {
	e := newEnv(t)
	op := operatorservice.NewOperatorServiceClient(e.conn)

	_, err := op.AddSearchAttributes(e.ctx(), &operatorservice.AddSearchAttributesRequest{
		Namespace: ns,
		SearchAttributes: map[string]enumspb.IndexedValueType{
			"CustomKeywordField":     enumspb.INDEXED_VALUE_TYPE_KEYWORD,
			"CustomIntField":         enumspb.INDEXED_VALUE_TYPE_INT,
			"CustomKeywordListField": enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST,
			"CustomTextField":        enumspb.INDEXED_VALUE_TYPE_TEXT,
		},
	})
	if err != nil {
		t.Fatalf("AddSearchAttributes: %v", err)
	}

	e.start("wf-1", "tq", func(r *workflowservice.StartWorkflowExecutionRequest) {
		r.SearchAttributes = &commonpb.SearchAttributes{IndexedFields: map[string]*commonpb.Payload{
			"CustomKeywordField": saPayload(t, "alpha", "Keyword"),
			"CustomIntField":     saPayload(t, 1, ""),
			"CustomTextField":    saPayload(t, "hello brave new world", "Text"),
		}}
	})
	e.start("wf-2", "tq", func(r *workflowservice.StartWorkflowExecutionRequest) {
		r.SearchAttributes = &commonpb.SearchAttributes{IndexedFields: map[string]*commonpb.Payload{
			"CustomKeywordField": saPayload(t, "beta", "Keyword"),
			"CustomIntField":     saPayload(t, 2, "Int"),
		}}
	})
	// wf-2's first task upserts and completes.
	task := e.pollWFT("tq")
	if id := task.GetWorkflowExecution().GetWorkflowId(); id != "wf-1" {
		t.Fatalf("first task is for %s, want wf-1", id)
	}
	e.completeWFT(task.TaskToken)
	task = e.pollWFT("tq")
	e.completeWFT(task.TaskToken,
		&commandpb.Command{
			CommandType: enumspb.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
			Attributes: &commandpb.Command_UpsertWorkflowSearchAttributesCommandAttributes{
				UpsertWorkflowSearchAttributesCommandAttributes: &commandpb.UpsertWorkflowSearchAttributesCommandAttributes{
					SearchAttributes: &commonpb.SearchAttributes{IndexedFields: map[string]*commonpb.Payload{
						"CustomIntField":         saPayload(t, 20, "Int"),
						"CustomKeywordListField": saPayload(t, []string{"x", "y"}, "KeywordList"),
					}},
				},
			},
		},
		completeWorkflowCmd("done"))
	e.start("wf-3", "other-tq", func(r *workflowservice.StartWorkflowExecutionRequest) {
		r.WorkflowType = &commonpb.WorkflowType{Name: "Other"}
	})

	list := func(query string, pageSize int32) []string {
		t.Helper()
		var ids []string
		var token []byte
		for {
			resp, err := e.c.ListWorkflowExecutions(e.ctx(), &workflowservice.ListWorkflowExecutionsRequest{
				Namespace: ns, Query: query, PageSize: pageSize, NextPageToken: token,
			})
			if err != nil {
				t.Fatalf("ListWorkflowExecutions(%q): %v", query, err)
			}
			for _, info := range resp.Executions {
				ids = append(ids, info.GetExecution().GetWorkflowId())
			}
			if token = resp.NextPageToken; len(token) == 0 {
				return ids
			}
		}
	}
	cases := []struct {
		query string
		want  []string
	}{
		{"", []string{"wf-3", "wf-1", "wf-2"}},
		{"CustomKeywordField = 'alpha'", []string{"wf-1"}},
		{"CustomIntField > 10", []string{"wf-2"}},
		{"CustomIntField = 1", []string{"wf-1"}},
		{"CustomKeywordListField = 'y'", []string{"wf-2"}},
		{"CustomTextField = 'WORLD'", []string{"wf-1"}},
		{"ExecutionStatus = 'Running'", []string{"wf-3", "wf-1"}},
		{"ExecutionStatus = 'Completed' AND CloseTime IS NOT NULL", []string{"wf-2"}},
		{"WorkflowType = 'Other' OR TaskQueue = 'nowhere'", []string{"wf-3"}},
		{"WorkflowId STARTS_WITH 'wf-' ORDER BY WorkflowId", []string{"wf-1", "wf-2", "wf-3"}},
	}
	for _, tc := range cases {
		if got := list(tc.query, 0); !slices.Equal(got, tc.want) {
			t.Errorf("list %q = %v, want %v", tc.query, got, tc.want)
		}
		if got := list(tc.query, 1); !slices.Equal(got, tc.want) {
			t.Errorf("list %q in pages of 1 = %v, want %v", tc.query, got, tc.want)
		}
	}

	// A listed run carries its summary, with each search attribute typed.
	resp, err := e.c.ListWorkflowExecutions(e.ctx(), &workflowservice.ListWorkflowExecutionsRequest{Namespace: ns, Query: "WorkflowId = 'wf-2'"})
	if err != nil || len(resp.Executions) != 1 {
		t.Fatalf("listing wf-2: %v, %v", resp, err)
	}
	info := resp.Executions[0]
	if info.GetType().GetName() != "Greet" || info.Status != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED ||
		info.TaskQueue != "tq" || info.CloseTime == nil || info.HistoryLength == 0 || info.ExecutionDuration == nil {
		t.Errorf("wf-2 listed as %v", info)
	}
	fields := info.GetSearchAttributes().GetIndexedFields()
	if got := string(fields["CustomIntField"].GetData()); got != "20" {
		t.Errorf("wf-2 CustomIntField = %s, want 20", got)
	}
	if got := string(fields["CustomKeywordListField"].GetMetadata()["type"]); got != "KeywordList" {
		t.Errorf("wf-2 CustomKeywordListField type = %q", got)
	}
	resp, err = e.c.ListWorkflowExecutions(e.ctx(), &workflowservice.ListWorkflowExecutionsRequest{Namespace: ns, Query: "WorkflowId = 'wf-1'"})
	if err != nil || len(resp.Executions) != 1 {
		t.Fatalf("listing wf-1: %v, %v", resp, err)
	}
	if got := string(resp.Executions[0].GetSearchAttributes().GetIndexedFields()["CustomIntField"].GetMetadata()["type"]); got != "Int" {
		t.Errorf("untyped CustomIntField of wf-1 listed with type %q, want Int from the registry", got)
	}

	scan, err := e.c.ScanWorkflowExecutions(e.ctx(), &workflowservice.ScanWorkflowExecutionsRequest{Namespace: ns, Query: "CustomKeywordField IS NOT NULL"})
	if err != nil || len(scan.Executions) != 2 {
		t.Fatalf("ScanWorkflowExecutions: %v, %v", scan, err)
	}

	count, err := e.c.CountWorkflowExecutions(e.ctx(), &workflowservice.CountWorkflowExecutionsRequest{Namespace: ns, Query: "TaskQueue = 'tq'"})
	if err != nil || count.Count != 2 || len(count.Groups) != 0 {
		t.Fatalf("CountWorkflowExecutions: %v, %v", count, err)
	}
	count, err = e.c.CountWorkflowExecutions(e.ctx(), &workflowservice.CountWorkflowExecutionsRequest{Namespace: ns, Query: "GROUP BY ExecutionStatus"})
	if err != nil {
		t.Fatalf("CountWorkflowExecutions grouped: %v", err)
	}
	var groups []string
	for _, g := range count.Groups {
		v := g.GroupValues[0]
		groups = append(groups, string(v.Data)+"/"+string(v.Metadata["type"])+"="+itoa(g.Count))
	}
	if want := []string{`"Running"/Keyword=2`, `"Completed"/Keyword=1`}; count.Count != 3 || !slices.Equal(groups, want) {
		t.Errorf("grouped count = %d %v, want 3 %v", count.Count, groups, want)
	}

	sa, err := e.c.GetSearchAttributes(e.ctx(), &workflowservice.GetSearchAttributesRequest{})
	if err != nil {
		t.Fatalf("GetSearchAttributes: %v", err)
	}
	if sa.Keys["CustomKeywordField"] != enumspb.INDEXED_VALUE_TYPE_KEYWORD || sa.Keys["WorkflowId"] != enumspb.INDEXED_VALUE_TYPE_KEYWORD ||
		sa.Keys["TemporalChangeVersion"] != enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST {
		t.Errorf("GetSearchAttributes = %v", sa.Keys)
	}

	// Removing an attribute makes queries on it invalid.
	if _, err := op.RemoveSearchAttributes(e.ctx(), &operatorservice.RemoveSearchAttributesRequest{Namespace: ns, SearchAttributes: []string{"CustomTextField"}}); err != nil {
		t.Fatalf("RemoveSearchAttributes: %v", err)
	}
	_, err = e.c.ListWorkflowExecutions(e.ctx(), &workflowservice.ListWorkflowExecutionsRequest{Namespace: ns, Query: "CustomTextField = 'world'"})
	wantCode(t, "listing by a removed attribute", err, codes.InvalidArgument)
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestVisibilityBadQueries checks that malformed queries, unknown names and
// foreign page tokens are InvalidArgument with a message that says why.
func TestVisibilityBadQueries(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		query   string
		message string
	}{
		{"WorkflowId = ", "at position 14 near 'end of query'"},
		{"WorkflowId = 'a' AND AND", "at position 22 near 'AND'"},
		{"Nope = 'x'", "Nope is not defined"},
		{"ExecutionStatus = 'Sleeping'", "invalid ExecutionStatus value 'Sleeping'"},
		{"StartTime > 'yesterday'", "unable to parse datetime 'yesterday'"},
		{"WorkflowId = 'a' GROUP BY ExecutionStatus", "GROUP BY is supported only by CountWorkflowExecutions"},
		{"WorkflowId = 'a' LIMIT 3", "LIMIT"},
		{"(WorkflowId = 'a'", "'(' is never closed"},
	}
	for _, tc := range cases {
		_, err := e.c.ListWorkflowExecutions(e.ctx(), &workflowservice.ListWorkflowExecutionsRequest{Namespace: ns, Query: tc.query})
		wantCode(t, "listing "+tc.query, err, codes.InvalidArgument)
		if !strings.Contains(err.Error(), tc.message) {
			t.Errorf("listing %q: %v, want a message containing %q", tc.query, err, tc.message)
		}
	}
	_, err := e.c.CountWorkflowExecutions(e.ctx(), &workflowservice.CountWorkflowExecutionsRequest{Namespace: ns, Query: "GROUP BY WorkflowType"})
	wantCode(t, "grouping by WorkflowType", err, codes.InvalidArgument)
	_, err = e.c.ListWorkflowExecutions(e.ctx(), &workflowservice.ListWorkflowExecutionsRequest{Namespace: ns, NextPageToken: []byte("garbage")})
	wantCode(t, "listing with a garbage token", err, codes.InvalidArgument)
	_, err = e.c.ListWorkflowExecutions(e.ctx(), &workflowservice.ListWorkflowExecutionsRequest{Namespace: ns, PageSize: -1})
	wantCode(t, "listing with a negative page size", err, codes.InvalidArgument)
	_, err = e.c.ListWorkflowExecutions(e.ctx(), &workflowservice.ListWorkflowExecutionsRequest{Namespace: "missing"})
	wantCode(t, "listing a missing namespace", err, codes.NotFound)
}

// TestSearchAttributeRegistryThroughGRPC checks the operator service's
// validation and the registry's per-namespace contents.
func TestSearchAttributeRegistryThroughGRPC(t *testing.T) {
	e := newEnv(t)
	op := operatorservice.NewOperatorServiceClient(e.conn)
	add := func(namespace string, attrs map[string]enumspb.IndexedValueType) error {
		_, err := op.AddSearchAttributes(e.ctx(), &operatorservice.AddSearchAttributesRequest{Namespace: namespace, SearchAttributes: attrs})
		return err
	}
	keyword := enumspb.INDEXED_VALUE_TYPE_KEYWORD
	if err := add(ns, map[string]enumspb.IndexedValueType{"OrderId": keyword}); err != nil {
		t.Fatalf("adding OrderId: %v", err)
	}
	if err := add(ns, map[string]enumspb.IndexedValueType{"OrderId": keyword}); err != nil {
		t.Fatalf("adding OrderId again: %v", err)
	}
	bad := []struct {
		what  string
		ns    string
		attrs map[string]enumspb.IndexedValueType
	}{
		{"another type", ns, map[string]enumspb.IndexedValueType{"OrderId": enumspb.INDEXED_VALUE_TYPE_INT}},
		{"a system name", ns, map[string]enumspb.IndexedValueType{"WorkflowId": keyword}},
		{"a reserved prefix", ns, map[string]enumspb.IndexedValueType{"TemporalThing": keyword}},
		{"no type", ns, map[string]enumspb.IndexedValueType{"Untyped": enumspb.INDEXED_VALUE_TYPE_UNSPECIFIED}},
		{"nothing", ns, nil},
		{"no namespace", "", map[string]enumspb.IndexedValueType{"X": keyword}},
	}
	for _, b := range bad {
		wantCode(t, "adding "+b.what, add(b.ns, b.attrs), codes.InvalidArgument)
	}
	_, err := op.RemoveSearchAttributes(e.ctx(), &operatorservice.RemoveSearchAttributesRequest{Namespace: ns, SearchAttributes: []string{"StartTime"}})
	wantCode(t, "removing a system attribute", err, codes.InvalidArgument)

	listed, err := op.ListSearchAttributes(e.ctx(), &operatorservice.ListSearchAttributesRequest{Namespace: ns})
	if err != nil {
		t.Fatalf("ListSearchAttributes: %v", err)
	}
	if len(listed.CustomAttributes) != 1 || listed.CustomAttributes["OrderId"] != keyword {
		t.Errorf("custom attributes = %v", listed.CustomAttributes)
	}
	if listed.SystemAttributes["TemporalChangeVersion"] != enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST || listed.SystemAttributes["ExecutionStatus"] != keyword {
		t.Errorf("system attributes = %v", listed.SystemAttributes)
	}
	if _, err := e.c.RegisterNamespace(e.ctx(), &workflowservice.RegisterNamespaceRequest{Namespace: "second"}); err != nil {
		t.Fatalf("RegisterNamespace: %v", err)
	}
	listed, err = op.ListSearchAttributes(e.ctx(), &operatorservice.ListSearchAttributesRequest{Namespace: "second"})
	if err != nil || len(listed.CustomAttributes) != 0 {
		t.Errorf("namespace second lists %v, %v", listed.GetCustomAttributes(), err)
	}
	// Registered names are queryable, even before any run has them.
	_, err = e.c.CountWorkflowExecutions(e.ctx(), &workflowservice.CountWorkflowExecutionsRequest{Namespace: ns, Query: "OrderId = 'o-1'"})
	if err != nil {
		t.Errorf("counting by OrderId: %v", err)
	}
	_, err = e.c.CountWorkflowExecutions(e.ctx(), &workflowservice.CountWorkflowExecutionsRequest{Namespace: "second", Query: "OrderId = 'o-1'"})
	wantCode(t, "counting by OrderId in a namespace without it", err, codes.InvalidArgument)
}
