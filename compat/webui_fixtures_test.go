package compat

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/types/known/durationpb"
)

// webUICustomerID is the custom search attribute the Web UI fixtures carry.
var webUICustomerID = temporal.NewSearchAttributeKeyKeyword("CustomerId")

// webUIFixtures names what the Web UI checks look for; it is passed to the
// node script as JSON.
type webUIFixtures struct {
	Namespace       string `json:"namespace"`
	SecondNamespace string `json:"secondNamespace"`
	SecondWorkflow  string `json:"secondWorkflow"`
	TaskQueue       string `json:"taskQueue"`
	WorkerIdentity  string `json:"workerIdentity"`
	Completed       string `json:"completed"`
	Failed          string `json:"failed"`
	Canceled        string `json:"canceled"`
	Terminated      string `json:"terminated"`
	TimedOut        string `json:"timedOut"`
	Continued       string `json:"continued"`
	Parent          string `json:"parent"`
	Child           string `json:"child"`
	SignalTarget    string `json:"signalTarget"`
	CancelTarget    string `json:"cancelTarget"`
	TerminateTarget string `json:"terminateTarget"`
	ResetTarget     string `json:"resetTarget"`
	CustomerID      string `json:"customerId"`
	SundialSDK      string `json:"sundialSdk"`
	Running         int    `json:"running"`
	Total           int    `json:"total"`
}

// webUIGreet runs one activity and returns its greeting.
func webUIGreet(ctx workflow.Context, name string) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	var upper string
	if err := workflow.ExecuteActivity(ctx, webUIUpper, name).Get(ctx, &upper); err != nil {
		return "", err
	}
	return "Hello, " + upper, nil
}

func webUIUpper(_ context.Context, name string) (string, error) { return strings.ToUpper(name), nil }

// webUIFail fails with an application error the UI shows.
func webUIFail(workflow.Context) error {
	return temporal.NewNonRetryableApplicationError("card declined", "PaymentError", nil)
}

// webUIWaitFinish waits for the "finish" signal, or ends canceled.
func webUIWaitFinish(ctx workflow.Context) (string, error) {
	var note string
	sel := workflow.NewSelector(ctx)
	sel.AddReceive(workflow.GetSignalChannel(ctx, "finish"), func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, &note) })
	sel.AddReceive(ctx.Done(), func(workflow.ReceiveChannel, bool) {})
	sel.Select(ctx)
	if err := ctx.Err(); err != nil {
		return "", err
	}
	return "finished: " + note, nil
}

// webUIContinue continues as new once, then returns its generation.
func webUIContinue(ctx workflow.Context, generation int) (int, error) {
	if generation == 0 {
		return 0, workflow.NewContinueAsNewError(ctx, webUIContinue, generation+1)
	}
	return generation, nil
}

// webUIParent starts a child and a long activity, answers the "status" query
// and counts "note" signals, then waits for "approve".
func webUIParent(ctx workflow.Context, childID string) (string, error) {
	notes := 0
	if err := workflow.SetQueryHandler(ctx, "status", func() (string, error) {
		return "awaiting approval, notes: " + strconv.Itoa(notes), nil
	}); err != nil {
		return "", err
	}
	workflow.Go(ctx, func(ctx workflow.Context) {
		ch := workflow.GetSignalChannel(ctx, "note")
		for {
			var s string
			ch.Receive(ctx, &s)
			notes++
		}
	})
	child := workflow.ExecuteChildWorkflow(workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: childID}), webUIWaitFinish)
	if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		return "", err
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Hour, HeartbeatTimeout: time.Minute})
	workflow.ExecuteActivity(actx, webUIChargeCard, "cust-42")
	workflow.GetSignalChannel(ctx, "approve").Receive(ctx, nil)
	return "approved", nil
}

// webUIChargeCard heartbeats until it is canceled (the worker stops).
func webUIChargeCard(ctx context.Context, _ string) error {
	ticker := time.NewTicker(500 * time.Millisecond)
	defer ticker.Stop()
	for {
		activity.RecordHeartbeat(ctx, "charging")
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
		}
	}
}

func registerWebUIFixtures(r worker.Registry) {
	for name, fn := range map[string]any{
		"Greet": webUIGreet, "Fail": webUIFail, "WaitFinish": webUIWaitFinish,
		"Continue": webUIContinue, "Parent": webUIParent,
	} {
		r.RegisterWorkflowWithOptions(fn, workflow.RegisterOptions{Name: name})
	}
	r.RegisterActivityWithOptions(webUIUpper, activity.RegisterOptions{Name: "Upper"})
	r.RegisterActivityWithOptions(webUIChargeCard, activity.RegisterOptions{Name: "ChargeCard"})
}

// makeWebUIFixtures puts workflows in every state on tg: completed, failed,
// canceled, terminated, timed out, continued-as-new, and running ones (a parent
// with a running child, a pending activity, a signal, a query handler and a
// custom search attribute, plus targets for the UI's own actions).
func makeWebUIFixtures(t *testing.T, tg target, c client.Client) webUIFixtures {
	t.Helper()
	ctx := testContext(t, 2*time.Minute)
	queue := "webui-fixtures"
	fx := webUIFixtures{Namespace: tg.Namespace, SecondNamespace: "webui-second", TaskQueue: queue, CustomerID: "cust-42"}

	if _, err := c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace:        tg.Namespace,
		SearchAttributes: map[string]enumspb.IndexedValueType{webUICustomerID.GetName(): enumspb.INDEXED_VALUE_TYPE_KEYWORD},
	}); err != nil {
		t.Fatalf("adding the CustomerId search attribute: %v", err)
	}
	if _, err := c.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace:                        fx.SecondNamespace,
		Description:                      "the namespace the Web UI test switches to",
		WorkflowExecutionRetentionPeriod: durationpb.New(72 * time.Hour),
	}); err != nil {
		t.Fatalf("registering %s: %v", fx.SecondNamespace, err)
	}
	fx.WorkerIdentity = "webui-worker@sundial-test"
	startWorker(t, c, queue, registerWebUIFixtures, func(o *worker.Options) { o.Identity = fx.WorkerIdentity })

	start := func(id string, opts client.StartWorkflowOptions, wf string, args ...any) client.WorkflowRun {
		t.Helper()
		opts.ID, opts.TaskQueue = id, queue
		run, err := c.ExecuteWorkflow(ctx, opts, wf, args...)
		if err != nil {
			t.Fatalf("starting %s: %v", id, err)
		}
		fx.Total++
		return run
	}
	wait := func(run client.WorkflowRun, wantErr bool) {
		t.Helper()
		err := run.Get(ctx, nil)
		if (err != nil) != wantErr {
			t.Fatalf("%s ended with %v, want an error: %v", run.GetID(), err, wantErr)
		}
	}

	fx.Completed = "order-completed"
	wait(start(fx.Completed, client.StartWorkflowOptions{}, "Greet", "ada"), false)
	fx.Failed = "order-failed"
	wait(start(fx.Failed, client.StartWorkflowOptions{}, "Fail"), true)
	fx.TimedOut = "order-timed-out"
	wait(start(fx.TimedOut, client.StartWorkflowOptions{WorkflowExecutionTimeout: time.Second}, "WaitFinish"), true)
	fx.Continued = "order-continued"
	wait(start(fx.Continued, client.StartWorkflowOptions{}, "Continue", 0), false)
	fx.Total++ // the run it continued as

	fx.Canceled = "order-canceled"
	run := start(fx.Canceled, client.StartWorkflowOptions{}, "WaitFinish")
	if err := c.CancelWorkflow(ctx, fx.Canceled, ""); err != nil {
		t.Fatal(err)
	}
	wait(run, true)
	fx.Terminated = "order-terminated"
	run = start(fx.Terminated, client.StartWorkflowOptions{}, "WaitFinish")
	if err := c.TerminateWorkflow(ctx, fx.Terminated, "", "operator stopped it"); err != nil {
		t.Fatal(err)
	}
	wait(run, true)
	fx.ResetTarget = "order-to-reset"
	wait(start(fx.ResetTarget, client.StartWorkflowOptions{}, "Greet", "grace"), false)

	fx.Parent, fx.Child = "order-parent", "order-parent-child"
	start(fx.Parent, client.StartWorkflowOptions{
		TypedSearchAttributes: temporal.NewSearchAttributes(webUICustomerID.ValueSet(fx.CustomerID)),
	}, "Parent", fx.Child)
	fx.Total++ // the child
	if err := c.SignalWorkflow(ctx, fx.Parent, "", "note", "call the customer"); err != nil {
		t.Fatal(err)
	}
	fx.SignalTarget, fx.CancelTarget, fx.TerminateTarget = "order-ui-signal", "order-ui-cancel", "order-ui-terminate"
	for _, id := range []string{fx.SignalTarget, fx.CancelTarget, fx.TerminateTarget} {
		start(id, client.StartWorkflowOptions{}, "WaitFinish")
	}
	fx.SundialSDK = startWebUISundialWorkflow(t, tg)
	fx.Total++
	fx.Running = 6 // parent, child, the three action targets and the Sundial SDK's
	waitForWebUIParent(t, ctx, c, fx)

	second := client.StartWorkflowOptions{ID: "order-in-second-namespace", TaskQueue: queue}
	secondClient, err := client.NewClientFromExisting(c, client.Options{Namespace: fx.SecondNamespace})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := secondClient.ExecuteWorkflow(ctx, second, "WaitFinish"); err != nil {
		t.Fatalf("starting in %s: %v", fx.SecondNamespace, err)
	}
	fx.SecondWorkflow = second.ID
	return fx
}

// waitForWebUIParent waits until the parent's activity has started and its
// signal has been handled, so the pages show them.
func waitForWebUIParent(t *testing.T, ctx context.Context, c client.Client, fx webUIFixtures) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		callCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		last := webUIParentState(callCtx, c, fx.Parent)
		cancel()
		if last == "" {
			return
		}
		select {
		case <-deadline:
			t.Fatalf("the parent never reached its waiting state: %s", last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// webUIParentState tells what the parent still lacks ("" when nothing).
func webUIParentState(ctx context.Context, c client.Client, id string) string {
	desc, err := c.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		return err.Error()
	}
	activities := desc.GetPendingActivities()
	if len(activities) != 1 || activities[0].GetState() != enumspb.PENDING_ACTIVITY_STATE_STARTED {
		return fmt.Sprintf("pending activities %v", activities)
	}
	if len(desc.GetPendingChildren()) != 1 {
		return fmt.Sprintf("pending children %v", desc.GetPendingChildren())
	}
	v, err := c.QueryWorkflow(ctx, id, "", "status")
	if err != nil {
		return fmt.Sprintf("query: %v", err)
	}
	var status string
	if err := v.Get(&status); err != nil || !strings.HasSuffix(status, "notes: 1") {
		return fmt.Sprintf("status %q, %v", status, err)
	}
	return ""
}
