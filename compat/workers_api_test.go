package compat

import (
	"context"
	"fmt"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	workerpb "go.temporal.io/api/worker/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sundialdev/sundial/server"
)

// TestWorkersAPIFromSDKHeartbeats: the official SDK's worker heartbeats
// (sent because the namespace reports the worker_heartbeats capability)
// make it visible to ListWorkers, CountWorkers and DescribeWorker, filtered
// by the worker query attributes.
func TestWorkersAPIFromSDKHeartbeats(t *testing.T) {
	// Sundial's server whatever COMPAT_TARGET says: Temporal's dev server
	// keeps worker heartbeats off by default.
	tg := startSundial(t, server.Options{})
	ctx := testContext(t, time.Minute)
	c, err := client.DialContext(ctx, client.Options{
		HostPort: tg.HostPort, Namespace: tg.Namespace, Logger: newSDKLogger(t),
		WorkerHeartbeatInterval: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	queue := uniqueName(t, "tq")
	startWorker(t, c, queue, func(worker.Registry) {})
	svc := c.WorkflowService()

	var listed *workerpb.WorkerListInfo
	query := fmt.Sprintf("TaskQueue = '%s' AND WorkerStatus = 'Running'", queue)
	eventually(t, 20*time.Second, "the worker listed from its heartbeats", func() bool {
		resp, err := svc.ListWorkers(ctx, &workflowservice.ListWorkersRequest{Namespace: tg.Namespace, Query: query})
		if err != nil {
			t.Fatalf("ListWorkers: %v", err)
		}
		if len(resp.GetWorkers()) == 1 {
			listed = resp.GetWorkers()[0]
		}
		return listed != nil
	})
	if listed.GetSdkName() == "" || listed.GetWorkerIdentity() == "" || listed.GetStartTime() == nil {
		t.Errorf("listed worker lacks its SDK name, identity or start time: %v", listed)
	}
	count, err := svc.CountWorkers(ctx, &workflowservice.CountWorkersRequest{Namespace: tg.Namespace, Query: fmt.Sprintf("TaskQueue = '%s'", queue)})
	if err != nil || count.GetCount() != 1 {
		t.Errorf("CountWorkers on the queue = %d, %v; want 1", count.GetCount(), err)
	}
	none, err := svc.CountWorkers(ctx, &workflowservice.CountWorkersRequest{Namespace: tg.Namespace, Query: fmt.Sprintf("TaskQueue = '%s' AND SdkName STARTS_WITH 'no-such-sdk'", queue)})
	if err != nil || none.GetCount() != 0 {
		t.Errorf("CountWorkers with a filter nothing matches = %d, %v; want 0", none.GetCount(), err)
	}
	desc, err := svc.DescribeWorker(ctx, &workflowservice.DescribeWorkerRequest{Namespace: tg.Namespace, WorkerInstanceKey: listed.GetWorkerInstanceKey()})
	if err != nil || desc.GetWorkerInfo().GetWorkerHeartbeat().GetTaskQueue() != queue {
		t.Errorf("DescribeWorker = %v, %v", desc, err)
	}
	_, err = svc.DescribeWorker(ctx, &workflowservice.DescribeWorkerRequest{Namespace: tg.Namespace, WorkerInstanceKey: "no-such-worker"})
	if _, ok := err.(*serviceerror.NotFound); !ok {
		t.Errorf("DescribeWorker of an unknown worker: %v, want NotFound", err)
	}
	_, err = svc.ListWorkers(ctx, &workflowservice.ListWorkersRequest{Namespace: tg.Namespace, Query: "WorkflowId = 'x'"})
	if _, ok := err.(*serviceerror.InvalidArgument); !ok {
		t.Errorf("ListWorkers naming a workflow attribute: %v, want InvalidArgument", err)
	}
}

// TestWorkersAPIPaging: heartbeats recorded by hand page through ListWorkers
// in instance-key order, and a heartbeat without an instance key is refused.
func TestWorkersAPIPaging(t *testing.T) {
	tg := startSundial(t, server.Options{})
	svc := dialRaw(t, tg)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	queue := uniqueName(t, "tq")
	var hbs []*workerpb.WorkerHeartbeat
	for i := range 5 {
		hbs = append(hbs, &workerpb.WorkerHeartbeat{
			WorkerInstanceKey: fmt.Sprintf("%s-%d", queue, i), TaskQueue: queue, SdkName: "by-hand",
			Status: enumspb.WORKER_STATUS_RUNNING, StartTime: timestamppb.Now(), HeartbeatTime: timestamppb.Now(),
		})
	}
	if _, err := svc.RecordWorkerHeartbeat(ctx, &workflowservice.RecordWorkerHeartbeatRequest{Namespace: tg.Namespace, WorkerHeartbeat: hbs}); err != nil {
		t.Fatalf("RecordWorkerHeartbeat: %v", err)
	}
	var keys []string
	var token []byte
	for pages := 0; ; pages++ {
		resp, err := svc.ListWorkers(ctx, &workflowservice.ListWorkersRequest{Namespace: tg.Namespace, PageSize: 2, NextPageToken: token, Query: fmt.Sprintf("TaskQueue = '%s'", queue)})
		if err != nil {
			t.Fatalf("ListWorkers: %v", err)
		}
		for _, w := range resp.GetWorkers() {
			keys = append(keys, w.GetWorkerInstanceKey())
		}
		token = resp.GetNextPageToken()
		if len(token) == 0 || pages > 5 {
			break
		}
	}
	if fmt.Sprint(keys) != fmt.Sprintf("[%s-0 %s-1 %s-2 %s-3 %s-4]", queue, queue, queue, queue, queue) {
		t.Errorf("paged worker keys: %v", keys)
	}
	_, err := svc.RecordWorkerHeartbeat(ctx, &workflowservice.RecordWorkerHeartbeatRequest{Namespace: tg.Namespace, WorkerHeartbeat: []*workerpb.WorkerHeartbeat{{TaskQueue: queue}}})
	requireStatus(t, err, codes.InvalidArgument, "WorkerInstanceKey")
}
