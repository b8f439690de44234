package engine_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	nexuspb "go.temporal.io/api/nexus/v1"
	"go.temporal.io/api/operatorservice/v1"
	schedulepb "go.temporal.io/api/schedule/v1"
	"go.temporal.io/api/serviceerror"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/store/sqlite"
	"github.com/sundialdev/sundial/server"
)

// logWatch is a slog handler that closes a channel when a message containing
// want is logged: the test waits on the server's own report.
type logWatch struct {
	want string
	once *sync.Once
	seen chan struct{}
}

func (h logWatch) Enabled(context.Context, slog.Level) bool { return true }
func (h logWatch) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, h.want) {
		h.once.Do(func() { close(h.seen) })
	}
	return nil
}
func (h logWatch) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h logWatch) WithGroup(string) slog.Handler      { return h }

// TestDeleteNamespace: DeleteNamespace renames the namespace at once (its
// name is free again), refuses the protected and Nexus-targeted namespaces
// with Temporal's texts, and removes the namespace's runs, open and closed,
// its schedules and its worker deployments in the background.
func TestDeleteNamespace(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "db")
	watch := logWatch{want: "a deleted namespace's runs and schedules are removed", once: &sync.Once{}, seen: make(chan struct{})}
	srv, err := server.New(server.Options{DatabasePath: path, ListenAddr: "127.0.0.1:0", Logger: slog.New(watch)})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			_ = srv.Stop(context.Background())
		}
	}
	defer stop()
	conn, err := grpc.NewClient(srv.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := workflowservice.NewWorkflowServiceClient(conn)
	op := operatorservice.NewOperatorServiceClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	const doomed = "doomed"
	if _, err := c.RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{Namespace: doomed, WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	desc, err := c.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: doomed})
	if err != nil {
		t.Fatal(err)
	}
	nsID := desc.GetNamespaceInfo().GetId()
	var runs []string
	for _, id := range []string{"open", "closed"} {
		resp, err := c.StartWorkflowExecution(ctx, &workflowservice.StartWorkflowExecutionRequest{
			Namespace: doomed, WorkflowId: id, WorkflowType: &commonpb.WorkflowType{Name: "W"},
			TaskQueue: &taskqueuepb.TaskQueue{Name: "tq"}, RequestId: "start-" + id,
		})
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, resp.GetRunId())
	}
	if _, err := c.TerminateWorkflowExecution(ctx, &workflowservice.TerminateWorkflowExecutionRequest{
		Namespace: doomed, WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: "closed"}, Reason: "done",
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateSchedule(ctx, &workflowservice.CreateScheduleRequest{
		Namespace: doomed, ScheduleId: "hourly", RequestId: "create-hourly",
		Schedule: &schedulepb.Schedule{
			Spec: &schedulepb.ScheduleSpec{Interval: []*schedulepb.IntervalSpec{{Interval: durationpb.New(time.Hour)}}},
			Action: &schedulepb.ScheduleAction{Action: &schedulepb.ScheduleAction_StartWorkflow{StartWorkflow: &workflowpb.NewWorkflowExecutionInfo{
				WorkflowId: "scheduled", WorkflowType: &commonpb.WorkflowType{Name: "W"}, TaskQueue: &taskqueuepb.TaskQueue{Name: "tq"},
			}}},
		},
	}); err != nil {
		t.Fatal(err)
	}

	if _, err := c.CreateWorkerDeployment(ctx, &workflowservice.CreateWorkerDeploymentRequest{
		Namespace: doomed, DeploymentName: "orders", Identity: "operator", RequestId: "create-orders",
	}); err != nil {
		t.Fatal(err)
	}

	wantText := func(what string, err error, code codes.Code, text string) {
		t.Helper()
		if status.Code(err) != code || status.Convert(err).Message() != text {
			t.Fatalf("%s: %v, want %v %q", what, err, code, text)
		}
	}
	_, err = op.DeleteNamespace(ctx, &operatorservice.DeleteNamespaceRequest{})
	wantText("no namespace", err, codes.InvalidArgument, "Namespace not set on request.")
	_, err = op.DeleteNamespace(ctx, &operatorservice.DeleteNamespaceRequest{Namespace: doomed, NamespaceId: nsID})
	wantText("name and id", err, codes.InvalidArgument, "Only one of namespace name or Id should be set on request.")
	_, err = op.DeleteNamespace(ctx, &operatorservice.DeleteNamespaceRequest{Namespace: "default"})
	wantText("default", err, codes.FailedPrecondition, "namespace default is protected from deletion")
	_, err = op.DeleteNamespace(ctx, &operatorservice.DeleteNamespaceRequest{Namespace: "no-such"})
	if _, ok := serviceerror.FromStatus(status.Convert(err)).(*serviceerror.NamespaceNotFound); !ok {
		t.Fatalf("unknown namespace: %v, want NamespaceNotFound", err)
	}
	if _, err := op.CreateNexusEndpoint(ctx, &operatorservice.CreateNexusEndpointRequest{Spec: &nexuspb.EndpointSpec{
		Name: "into-doomed", Target: &nexuspb.EndpointTarget{Variant: &nexuspb.EndpointTarget_Worker_{Worker: &nexuspb.EndpointTarget_Worker{Namespace: doomed, TaskQueue: "tq"}}},
	}}); err != nil {
		t.Fatal(err)
	}
	_, err = op.DeleteNamespace(ctx, &operatorservice.DeleteNamespaceRequest{Namespace: doomed})
	wantText("Nexus target", err, codes.FailedPrecondition, "cannot delete a namespace that is a target of a Nexus endpoint into-doomed")
	ep, err := op.ListNexusEndpoints(ctx, &operatorservice.ListNexusEndpointsRequest{Name: "into-doomed"})
	if err != nil || len(ep.GetEndpoints()) != 1 {
		t.Fatalf("ListNexusEndpoints: %v %v", ep, err)
	}
	if _, err := op.DeleteNexusEndpoint(ctx, &operatorservice.DeleteNexusEndpointRequest{Id: ep.GetEndpoints()[0].GetId(), Version: ep.GetEndpoints()[0].GetVersion()}); err != nil {
		t.Fatal(err)
	}

	resp, err := op.DeleteNamespace(ctx, &operatorservice.DeleteNamespaceRequest{NamespaceId: nsID})
	if err != nil {
		t.Fatalf("DeleteNamespace: %v", err)
	}
	wantName := doomed + "-deleted-" + nsID[:5]
	if resp.GetDeletedNamespace() != wantName {
		t.Fatalf("deleted namespace %q, want %q", resp.GetDeletedNamespace(), wantName)
	}
	if _, err := c.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: doomed}); status.Code(err) != codes.NotFound {
		t.Fatalf("the old name after deletion: %v, want NotFound", err)
	}
	renamed, err := c.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Id: nsID})
	if err != nil || renamed.GetNamespaceInfo().GetName() != wantName || renamed.GetNamespaceInfo().GetState() != enumspb.NAMESPACE_STATE_DELETED {
		t.Fatalf("the namespace after deletion: %v %v", renamed.GetNamespaceInfo(), err)
	}
	// Deleting again answers the same name.
	again, err := op.DeleteNamespace(ctx, &operatorservice.DeleteNamespaceRequest{Namespace: wantName})
	if err != nil || again.GetDeletedNamespace() != wantName {
		t.Fatalf("deleting again: %v %v", again, err)
	}
	if _, err := c.RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{Namespace: doomed, WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour)}); err != nil {
		t.Fatalf("the freed name is not reusable: %v", err)
	}
	listed, err := c.ListNamespaces(ctx, &workflowservice.ListNamespacesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range listed.GetNamespaces() {
		if n.GetNamespaceInfo().GetName() == wantName {
			t.Fatalf("ListNamespaces shows the deleted namespace without include_deleted")
		}
	}

	select {
	case <-watch.seen:
	case <-ctx.Done():
		t.Fatal("the deleted namespace's runs were not removed within 30s")
	}
	stop()
	st, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for i, id := range []string{"open", "closed"} {
		if _, err := st.GetExecution(context.Background(), store.ExecutionKey{NamespaceID: nsID, WorkflowID: id, RunID: runs[i]}); err == nil {
			t.Errorf("run %s of the deleted namespace is still stored", id)
		}
	}
	for _, kind := range []string{"schedule", "worker-deployment"} {
		if recs, err := st.ListRecords(context.Background(), nsID, kind, "", 10); err != nil || len(recs) != 0 {
			t.Errorf("%s records of the deleted namespace: %d left (%v)", kind, len(recs), err)
		}
	}
}
