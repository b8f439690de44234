package engine_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
)

// TestHistoryPaging: pages of the requested size follow each other by
// next_page_token, and the last page has none (§7).
func TestHistoryPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	runID := e.start("paged", "tq")
	for i := range 20 {
		e.signal("paged", fmt.Sprintf("s%d", i))
	}
	// [1] started, [2] task scheduled, [3..22] signals.
	const total, pageSize = 22, 5
	var all []*historypb.HistoryEvent
	var token []byte
	pages := 0
	for {
		resp, err := e.c.GetWorkflowExecutionHistory(e.ctx(), &workflowservice.GetWorkflowExecutionHistoryRequest{
			Namespace: ns, Execution: &commonpb.WorkflowExecution{WorkflowId: "paged", RunId: runID},
			MaximumPageSize: pageSize, NextPageToken: token,
		})
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		pages++
		evs := resp.GetHistory().GetEvents()
		if len(evs) > pageSize {
			t.Fatalf("page %d has %d events, more than the page size", pages, len(evs))
		}
		all = append(all, evs...)
		if len(resp.NextPageToken) == 0 {
			break
		}
		if pages > total {
			t.Fatal("paging does not end")
		}
		token = resp.NextPageToken
	}
	checkContiguous(t, all, 1)
	if len(all) != total || pages != 5 {
		t.Errorf("read %d events in %d pages, want %d in 5", len(all), pages, total)
	}
	if got := all[21].GetWorkflowExecutionSignaledEventAttributes().GetSignalName(); got != "s19" {
		t.Errorf("last event is signal %q, want s19", got)
	}

	_, err := e.c.GetWorkflowExecutionHistory(e.ctx(), &workflowservice.GetWorkflowExecutionHistoryRequest{
		Namespace: ns, Execution: &commonpb.WorkflowExecution{WorkflowId: "paged"}, NextPageToken: []byte("garbage"),
	})
	wantCode(t, "history with a garbage page token", err, codes.InvalidArgument)
	_, err = e.c.GetWorkflowExecutionHistory(e.ctx(), &workflowservice.GetWorkflowExecutionHistoryRequest{
		Namespace: ns, Execution: &commonpb.WorkflowExecution{WorkflowId: "never-started"},
	})
	wantCode(t, "history of an unknown workflow", err, codes.NotFound)
}

// closeEventRequest is the request a client's GetResult sends.
func closeEventRequest(id string, token []byte) *workflowservice.GetWorkflowExecutionHistoryRequest {
	return &workflowservice.GetWorkflowExecutionHistoryRequest{
		Namespace: ns, Execution: &commonpb.WorkflowExecution{WorkflowId: id},
		WaitNewEvent: true, HistoryEventFilterType: enumspb.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT, NextPageToken: token,
	}
}

// TestCloseEventLongPoll: a CLOSE_EVENT long poll returns exactly the close
// event once the run closes, and an empty page with a token when its window
// ends first (§7).
func TestCloseEventLongPoll(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.start("result", "tq")

	// Times out: the server answers one second before the client's deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	began := time.Now()
	resp, err := e.c.GetWorkflowExecutionHistory(ctx, closeEventRequest("result", nil))
	cancel()
	if err != nil {
		t.Fatalf("close-event poll on an open run: %v (the server must answer before the caller's deadline)", err)
	}
	if len(resp.GetHistory().GetEvents()) != 0 || len(resp.NextPageToken) == 0 {
		t.Fatalf("close-event poll on an open run returned %d events, token %q; want none and a token", len(resp.GetHistory().GetEvents()), resp.NextPageToken)
	}
	if waited := time.Since(began); waited < 300*time.Millisecond {
		t.Errorf("close-event poll returned after %v; it should wait", waited)
	}
	token := resp.NextPageToken

	// Closes while a poll waits.
	type result struct {
		resp *workflowservice.GetWorkflowExecutionHistoryResponse
		err  error
	}
	done := make(chan result, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		r, err := e.c.GetWorkflowExecutionHistory(ctx, closeEventRequest("result", token))
		done <- result{r, err}
	}()
	wft := e.pollWFT("tq")
	select {
	case r := <-done:
		t.Fatalf("close-event poll returned before the run closed: %v %v", r.resp, r.err)
	case <-time.After(200 * time.Millisecond):
	}
	e.completeWFT(wft.TaskToken, completeWorkflowCmd("the result"))
	var r result
	select {
	case r = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("close-event poll did not return after the run closed")
	}
	if r.err != nil {
		t.Fatalf("close-event poll: %v", r.err)
	}
	evs := r.resp.GetHistory().GetEvents()
	wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)
	if evs[0].EventId != 5 || payloadString(evs[0].GetWorkflowExecutionCompletedEventAttributes().GetResult()) != "the result" {
		t.Errorf("close event = %v", evs[0])
	}
	if len(r.resp.NextPageToken) != 0 {
		t.Errorf("close event came with a next page token")
	}

	// Once closed, the close event comes at once, with or without waiting.
	for _, wait := range []bool{true, false} {
		req := closeEventRequest("result", nil)
		req.WaitNewEvent = wait
		resp, err := e.c.GetWorkflowExecutionHistory(e.ctx(), req)
		if err != nil {
			t.Fatal(err)
		}
		wantTypes(t, resp.GetHistory().GetEvents(), enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)
	}
}

// TestWaitNewEventLongPoll: without a filter, wait_new_event returns the events
// after the token as soon as they exist.
func TestWaitNewEventLongPoll(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	runID := e.start("follow", "tq")
	resp, err := e.c.GetWorkflowExecutionHistory(e.ctx(), &workflowservice.GetWorkflowExecutionHistoryRequest{
		Namespace: ns, Execution: &commonpb.WorkflowExecution{WorkflowId: "follow", RunId: runID}, WaitNewEvent: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.History.Events) != 2 || len(resp.NextPageToken) == 0 {
		t.Fatalf("first page: %s, token %q", types(resp.History.Events), resp.NextPageToken)
	}
	done := make(chan *workflowservice.GetWorkflowExecutionHistoryResponse, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		r, err := e.c.GetWorkflowExecutionHistory(ctx, &workflowservice.GetWorkflowExecutionHistoryRequest{
			Namespace: ns, Execution: &commonpb.WorkflowExecution{WorkflowId: "follow", RunId: runID}, WaitNewEvent: true, NextPageToken: resp.NextPageToken,
		})
		if err != nil {
			t.Errorf("waiting for new events: %v", err)
		}
		done <- r
	}()
	// A head start so the poll is usually parked when the signal lands (the
	// waiting path); had it not parked yet, it finds the event at once and
	// the assertions hold the same, so the outcome never depends on it.
	time.Sleep(100 * time.Millisecond)
	e.signal("follow", "poke")
	select {
	case r := <-done:
		if r == nil {
			return
		}
		wantTypes(t, r.GetHistory().GetEvents(), enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)
		checkContiguous(t, r.History.Events, 3)
	case <-time.After(10 * time.Second):
		t.Fatal("wait_new_event poll did not return the new event")
	}
}
