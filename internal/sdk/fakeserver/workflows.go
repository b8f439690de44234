package fakeserver

import (
	"context"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/proto"
)

// workflowRun is a started workflow: the fake runs no workflow code; the test closes it.
type workflowRun struct {
	request *workflowservice.StartWorkflowExecutionRequest
	result  *commonpb.Payloads
	closed  bool
}

// StartWorkflowExecution records the start and answers run id "run-<workflow id>".
func (s *Server) StartWorkflowExecution(_ context.Context, req *workflowservice.StartWorkflowExecutionRequest) (*workflowservice.StartWorkflowExecutionResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.workflows == nil {
		s.workflows = make(map[string]*workflowRun)
	}
	s.workflows[req.GetWorkflowId()] = &workflowRun{request: req}
	s.notifyLocked()
	return &workflowservice.StartWorkflowExecutionResponse{RunId: "run-" + req.GetWorkflowId(), Started: true}, nil
}

// StartedWorkflow returns the start request of workflowID, if it was started.
func (s *Server) StartedWorkflow(workflowID string) (*workflowservice.StartWorkflowExecutionRequest, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return View{s}.StartedWorkflow(workflowID)
}

// StartedWorkflow returns the start request of workflowID, if it was started.
func (v View) StartedWorkflow(workflowID string) (*workflowservice.StartWorkflowExecutionRequest, bool) {
	run, ok := v.s.workflows[workflowID]
	if !ok {
		return nil, false
	}
	return proto.Clone(run.request).(*workflowservice.StartWorkflowExecutionRequest), true
}

// CompleteWorkflow closes a started workflow with result, waking history long polls.
func (s *Server) CompleteWorkflow(workflowID string, result *commonpb.Payloads) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if run, ok := s.workflows[workflowID]; ok {
		run.result, run.closed = result, true
		s.notifyLocked()
	}
}

// GetWorkflowExecutionHistory answers close-event long polls: the completion event once
// the test completed the workflow, else, when the caller gives up, an empty page with a
// token to poll again.
func (s *Server) GetWorkflowExecutionHistory(ctx context.Context, req *workflowservice.GetWorkflowExecutionHistoryRequest) (*workflowservice.GetWorkflowExecutionHistoryResponse, error) {
	workflowID := req.GetExecution().GetWorkflowId()
	var result *commonpb.Payloads
	err := s.Await(ctx, func(v View) bool {
		run, ok := v.s.workflows[workflowID]
		if ok && run.closed {
			result = run.result
		}
		return ok && run.closed
	})
	if err != nil {
		return &workflowservice.GetWorkflowExecutionHistoryResponse{NextPageToken: []byte("again")}, nil
	}
	return &workflowservice.GetWorkflowExecutionHistoryResponse{History: &historypb.History{Events: []*historypb.HistoryEvent{{
		EventId:   2,
		EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
		Attributes: &historypb.HistoryEvent_WorkflowExecutionCompletedEventAttributes{
			WorkflowExecutionCompletedEventAttributes: &historypb.WorkflowExecutionCompletedEventAttributes{Result: result},
		},
	}}}}, nil
}
