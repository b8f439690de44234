package auth

import (
	"context"
	"testing"

	commandpb "go.temporal.io/api/command/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// TestEveryMethodHasOneRequirement fails for each method of the
// WorkflowService, the OperatorService and the health service, implemented
// by Sundial or not, that has no entry in MethodRequirements, and for each
// namespace-scoped entry whose request has no namespace field to read.
// (server's TestAuthCoversEveryServedMethod covers the TestService and
// whatever else the server registers.)
func TestEveryMethodHasOneRequirement(t *testing.T) {
	rules := MethodRequirements()
	seen := map[string]bool{}
	for _, sd := range []protoreflect.ServiceDescriptor{
		workflowservice.File_temporal_api_workflowservice_v1_service_proto.Services().ByName("WorkflowService"),
		operatorservice.File_temporal_api_operatorservice_v1_service_proto.Services().ByName("OperatorService"),
		healthpb.File_grpc_health_v1_health_proto.Services().ByName("Health"),
	} {
		methods := sd.Methods()
		for i := range methods.Len() {
			m := methods.Get(i)
			full := "/" + string(sd.FullName()) + "/" + string(m.Name())
			seen[full] = true
			rule, ok := rules[full]
			if !ok {
				t.Errorf("%s has no entry in MethodRequirements", full)
				continue
			}
			if rule.Scope == ScopeNamespace {
				fd := m.Input().Fields().ByName("namespace")
				if fd == nil || fd.Kind() != protoreflect.StringKind || fd.IsList() {
					t.Errorf("%s is namespace-scoped but %s has no string namespace field", full, m.Input().FullName())
				}
			}
			if (rule.Scope == ScopeNamespace || rule.Scope == ScopeSystem) && rule.Role == 0 {
				t.Errorf("%s: %s names no role", full, rule)
			}
		}
	}
	for full := range rules {
		if !seen[full] && !isTestServiceMethod(full) {
			t.Errorf("MethodRequirements has %s, which no known service has", full)
		}
	}
	// The descriptors above are the ones the gRPC registrations use.
	if len(workflowservice.WorkflowService_ServiceDesc.Methods) == 0 {
		t.Fatal("no WorkflowService methods")
	}
	for _, m := range workflowservice.WorkflowService_ServiceDesc.Methods {
		if _, ok := rules["/"+WorkflowServiceName+"/"+m.MethodName]; !ok {
			t.Errorf("WorkflowService_ServiceDesc method %s has no entry", m.MethodName)
		}
	}
	if _, err := protoregistry.GlobalFiles.FindDescriptorByName(WorkflowServiceName); err != nil {
		t.Fatalf("WorkflowServiceName %q is not a registered service: %v", WorkflowServiceName, err)
	}
}

func isTestServiceMethod(full string) bool {
	return len(full) > len(TestServiceName)+2 && full[1:len(TestServiceName)+1] == TestServiceName
}

// TestRolesPerNamespace checks each role against one RPC of every class, in
// its own namespace and in another.
func TestRolesPerNamespace(t *testing.T) {
	path := writeFile(t, t.TempDir(), "keys.json", apiKeysJSON(t, map[string][]string{
		"reader": {"a:read"}, "writer": {"a:write"}, "worker": {"a:worker"}, "nsadmin": {"a:admin"}, "sysadmin": {"temporal-system:admin"},
	}))
	a := newTestAuthenticator(t, Config{APIKeysFile: path})
	ws := func(m string) string { return "/" + WorkflowServiceName + "/" + m }
	calls := []struct {
		method string
		req    func(ns string) any
	}{
		{ws("DescribeWorkflowExecution"), func(ns string) any { return &workflowservice.DescribeWorkflowExecutionRequest{Namespace: ns} }},
		{ws("StartWorkflowExecution"), func(ns string) any { return &workflowservice.StartWorkflowExecutionRequest{Namespace: ns} }},
		{ws("TerminateWorkflowExecution"), func(ns string) any { return &workflowservice.TerminateWorkflowExecutionRequest{Namespace: ns} }},
		{ws("PollActivityTaskQueue"), func(ns string) any { return &workflowservice.PollActivityTaskQueueRequest{Namespace: ns} }},
		{ws("RespondActivityTaskCompleted"), func(ns string) any { return &workflowservice.RespondActivityTaskCompletedRequest{Namespace: ns} }},
		{ws("UpdateNamespace"), func(ns string) any { return &workflowservice.UpdateNamespaceRequest{Namespace: ns} }},
		{"/" + OperatorServiceName + "/AddSearchAttributes", func(ns string) any { return &operatorservice.AddSearchAttributesRequest{Namespace: ns} }},
		{ws("RegisterNamespace"), func(ns string) any { return &workflowservice.RegisterNamespaceRequest{Namespace: ns} }},
	}
	// allowed[key] lists the calls (by index) the key may make in namespace a.
	allowed := map[string][]bool{
		"reader":   {true, false, false, false, false, false, false, false},
		"writer":   {true, true, true, false, false, false, false, false},
		"worker":   {true, false, false, true, true, false, false, false},
		"nsadmin":  {true, true, true, true, true, true, true, false},
		"sysadmin": {true, true, true, true, true, true, true, true},
	}
	for key, want := range allowed {
		for i, c := range calls {
			for _, ns := range []string{"a", "b"} {
				_, err := a.Authorize(bearerContext(key), c.method, c.req(ns))
				expectAllowed := want[i] && (ns == "a" || key == "sysadmin")
				if expectAllowed && err != nil {
					t.Errorf("%s in %s calling %s: %v", key, ns, c.method, err)
				}
				if !expectAllowed {
					if status := codeOf(err); status != codes.PermissionDenied {
						t.Errorf("%s in %s calling %s: got %v, want PermissionDenied", key, ns, c.method, err)
					}
				}
			}
		}
	}
	_, err := a.Authorize(bearerContext("reader"), ws("StartWorkflowExecution"), &workflowservice.StartWorkflowExecutionRequest{Namespace: "a"})
	if err == nil || !containsAll(err.Error(), `"write"`, `namespace "a"`) {
		t.Errorf("the denial does not name the role and the namespace: %v", err)
	}
	if _, err := a.Authorize(context.Background(), ws("GetSystemInfo"), &workflowservice.GetSystemInfoRequest{}); err != nil {
		t.Errorf("GetSystemInfo without a credential: %v", err)
	}
	_, err = a.Authorize(context.Background(), ws("GetClusterInfo"), &workflowservice.GetClusterInfoRequest{})
	requireCode(t, err, codes.Unauthenticated)
	_, err = a.Authorize(bearerContext("reader"), "/some.Service/Unknown", nil)
	requireCode(t, err, codes.PermissionDenied)
	_, err = a.Authorize(context.Background(), ws("StartWorkflowExecution"), &workflowservice.StartWorkflowExecutionRequest{Namespace: "a"})
	requireCode(t, err, codes.Unauthenticated)
}

// TestCrossNamespaceCommandsNeedWrite: a worker of namespace a completing a
// workflow task whose commands reach into namespace b needs write in b.
func TestCrossNamespaceCommandsNeedWrite(t *testing.T) {
	path := writeFile(t, t.TempDir(), "keys.json", apiKeysJSON(t, map[string][]string{
		"a-worker": {"a:worker"}, "both": {"a:worker", "b:write"},
	}))
	a := newTestAuthenticator(t, Config{APIKeysFile: path})
	method := "/" + WorkflowServiceName + "/RespondWorkflowTaskCompleted"
	req := func(target string) *workflowservice.RespondWorkflowTaskCompletedRequest {
		return &workflowservice.RespondWorkflowTaskCompletedRequest{Namespace: "a", Commands: []*commandpb.Command{
			{CommandType: enumspb.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION, Attributes: &commandpb.Command_SignalExternalWorkflowExecutionCommandAttributes{
				SignalExternalWorkflowExecutionCommandAttributes: &commandpb.SignalExternalWorkflowExecutionCommandAttributes{Namespace: target},
			}},
			{CommandType: enumspb.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION, Attributes: &commandpb.Command_StartChildWorkflowExecutionCommandAttributes{
				StartChildWorkflowExecutionCommandAttributes: &commandpb.StartChildWorkflowExecutionCommandAttributes{Namespace: target},
			}},
		}}
	}
	for _, target := range []string{"", "a"} {
		if _, err := a.Authorize(bearerContext("a-worker"), method, req(target)); err != nil {
			t.Errorf("commands in the task's own namespace (%q): %v", target, err)
		}
	}
	_, err := a.Authorize(bearerContext("a-worker"), method, req("b"))
	requireCode(t, err, codes.PermissionDenied)
	if _, err := a.Authorize(bearerContext("both"), method, req("b")); err != nil {
		t.Errorf("with write in b: %v", err)
	}
}
