// Package fakeserver is an in-process WorkflowService for SDK tests: it hands out the
// activity tasks a test queues, and records the heartbeats, completions and other calls
// workers and clients make, answering heartbeats as the test dictates. It speaks real
// gRPC on a loopback port, so SDK code under test runs exactly as against a server.
package fakeserver

import (
	"context"
	"fmt"
	"net"
	"sync"

	commonpb "go.temporal.io/api/common/v1"
	failurepb "go.temporal.io/api/failure/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// OutcomeKind is how an activity attempt was closed.
type OutcomeKind string

// The ways an attempt is closed.
const (
	Completed OutcomeKind = "completed"
	Failed    OutcomeKind = "failed"
	Canceled  OutcomeKind = "canceled"
)

// Outcome is the report that closed an attempt.
type Outcome struct {
	Kind OutcomeKind
	// ByID is set when the report named the activity by ids instead of task token.
	ByID     bool
	Identity string
	Result   *commonpb.Payloads
	Failure  *failurepb.Failure
	// Details are a cancellation's details.
	Details *commonpb.Payloads
	// LastHeartbeatDetails came with a failure.
	LastHeartbeatDetails *commonpb.Payloads
}

// Heartbeat is one recorded heartbeat.
type Heartbeat struct {
	Token   string
	ByID    bool
	Details *commonpb.Payloads
}

// Server is the fake WorkflowService. Create it with Start.
type Server struct {
	workflowservice.UnimplementedWorkflowServiceServer

	grpcServer *grpc.Server
	listener   net.Listener
	serving    sync.WaitGroup
	tasks      chan *workflowservice.PollActivityTaskQueueResponse

	mu                sync.Mutex
	changed           chan struct{}
	polls             []*workflowservice.PollActivityTaskQueueRequest
	heartbeats        []Heartbeat
	outcomes          map[string]Outcome
	byID              map[string]string // "workflowID/activityID" -> token
	heartbeatReplies  map[string]*workflowservice.RecordActivityTaskHeartbeatResponse
	heartbeatErrors   map[string]error
	pollErrors        []error
	describeNamespace int
	shutdownRequests  []*workflowservice.ShutdownWorkerRequest
	workflows         map[string]*workflowRun
	nexus             nexusState
}

// Start serves a new fake server on a loopback port until Stop.
func Start() (*Server, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening: %w", err)
	}
	s := &Server{
		grpcServer:       grpc.NewServer(grpc.UnaryInterceptor(statusInterceptor)),
		listener:         listener,
		tasks:            make(chan *workflowservice.PollActivityTaskQueueResponse, 1000),
		changed:          make(chan struct{}),
		outcomes:         make(map[string]Outcome),
		byID:             make(map[string]string),
		heartbeatReplies: make(map[string]*workflowservice.RecordActivityTaskHeartbeatResponse),
		heartbeatErrors:  make(map[string]error),
	}
	workflowservice.RegisterWorkflowServiceServer(s.grpcServer, s)
	s.serving.Add(1)
	go func() {
		defer s.serving.Done()
		_ = s.grpcServer.Serve(listener)
	}()
	return s, nil
}

// Addr is the host:port to dial.
func (s *Server) Addr() string { return s.listener.Addr().String() }

// Stop closes every connection and waits for the server to end.
func (s *Server) Stop() {
	s.grpcServer.Stop()
	s.serving.Wait()
}

// notifyLocked wakes Await callers; s.mu must be held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Await blocks until cond, called with the server locked, holds or ctx ends.
func (s *Server) Await(ctx context.Context, cond func(v View) bool) error {
	for {
		s.mu.Lock()
		ok := cond(View{s})
		changed := s.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("waiting for the fake server: %w", ctx.Err())
		}
	}
}

// View reads the server's records inside Await.
type View struct{ s *Server }

// Outcome returns the report that closed the attempt with token.
func (v View) Outcome(token string) (Outcome, bool) {
	o, ok := v.s.outcomes[token]
	return o, ok
}

// Heartbeats returns the heartbeats recorded for token, in order.
func (v View) Heartbeats(token string) []Heartbeat {
	var out []Heartbeat
	for _, h := range v.s.heartbeats {
		if h.Token == token {
			out = append(out, h)
		}
	}
	return out
}

// Polls returns how many polls arrived.
func (v View) Polls() int { return len(v.s.polls) }

// Outcome returns the report that closed the attempt with token.
func (s *Server) Outcome(token string) (Outcome, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return View{s}.Outcome(token)
}

// Heartbeats returns the heartbeats recorded for token, in order.
func (s *Server) Heartbeats(token string) []Heartbeat {
	s.mu.Lock()
	defer s.mu.Unlock()
	return View{s}.Heartbeats(token)
}

// Polls returns copies of the poll requests received so far.
func (s *Server) Polls() []*workflowservice.PollActivityTaskQueueRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*workflowservice.PollActivityTaskQueueRequest, len(s.polls))
	for i, p := range s.polls {
		out[i] = proto.Clone(p).(*workflowservice.PollActivityTaskQueueRequest)
	}
	return out
}

// DescribeNamespaceCalls counts DescribeNamespace calls.
func (s *Server) DescribeNamespaceCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.describeNamespace
}

// ShutdownRequests returns the ShutdownWorker requests received.
func (s *Server) ShutdownRequests() []*workflowservice.ShutdownWorkerRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*workflowservice.ShutdownWorkerRequest(nil), s.shutdownRequests...)
}

// AddTask queues an activity task for the next poll. Its task token must be set; its
// workflow id and activity id make it reachable by the …ById calls.
func (s *Server) AddTask(task *workflowservice.PollActivityTaskQueueResponse) {
	s.mu.Lock()
	s.byID[idKey(task.GetWorkflowExecution().GetWorkflowId(), task.GetActivityId())] = string(task.GetTaskToken())
	s.mu.Unlock()
	s.tasks <- task
}

// ReplyToHeartbeats makes heartbeats for token answer resp from now on.
func (s *Server) ReplyToHeartbeats(token string, resp *workflowservice.RecordActivityTaskHeartbeatResponse) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.heartbeatReplies[token] = resp
}

// FailHeartbeats makes heartbeats for token fail with err from now on.
func (s *Server) FailHeartbeats(token string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.heartbeatErrors[token] = err
}

// FailNextPolls makes the next polls fail with errs, one each, in order.
func (s *Server) FailNextPolls(errs ...error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pollErrors = append(s.pollErrors, errs...)
}

// statusInterceptor sends serviceerror values with their gRPC code and details, as
// Temporal's server does.
func statusInterceptor(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	resp, err := handler(ctx, req)
	if err != nil {
		return nil, serviceerror.ToStatus(err).Err()
	}
	return resp, nil
}

func idKey(workflowID, activityID string) string { return workflowID + "/" + activityID }

// GetSystemInfo answers with no capabilities.
func (s *Server) GetSystemInfo(context.Context, *workflowservice.GetSystemInfoRequest) (*workflowservice.GetSystemInfoResponse, error) {
	return &workflowservice.GetSystemInfoResponse{ServerVersion: "fake"}, nil
}

// DescribeNamespace accepts any namespace.
func (s *Server) DescribeNamespace(context.Context, *workflowservice.DescribeNamespaceRequest) (*workflowservice.DescribeNamespaceResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.describeNamespace++
	return &workflowservice.DescribeNamespaceResponse{}, nil
}

// PollActivityTaskQueue hands out the next queued task, waiting for one until the
// caller gives up.
func (s *Server) PollActivityTaskQueue(ctx context.Context, req *workflowservice.PollActivityTaskQueueRequest) (*workflowservice.PollActivityTaskQueueResponse, error) {
	s.mu.Lock()
	s.polls = append(s.polls, req)
	var pollErr error
	if len(s.pollErrors) > 0 {
		pollErr, s.pollErrors = s.pollErrors[0], s.pollErrors[1:]
	}
	s.notifyLocked()
	s.mu.Unlock()
	if pollErr != nil {
		return nil, pollErr
	}
	select {
	case task := <-s.tasks:
		return task, nil
	case <-ctx.Done():
		return &workflowservice.PollActivityTaskQueueResponse{}, nil
	}
}

func (s *Server) recordHeartbeat(h Heartbeat) (*workflowservice.RecordActivityTaskHeartbeatResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.heartbeats = append(s.heartbeats, h)
	s.notifyLocked()
	if err := s.heartbeatErrors[h.Token]; err != nil {
		return nil, err
	}
	if _, closed := s.outcomes[h.Token]; closed {
		return nil, serviceerror.NewNotFound("activity already closed")
	}
	if resp := s.heartbeatReplies[h.Token]; resp != nil {
		return resp, nil
	}
	return &workflowservice.RecordActivityTaskHeartbeatResponse{}, nil
}

func (s *Server) tokenByID(workflowID, activityID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	token, ok := s.byID[idKey(workflowID, activityID)]
	if !ok {
		return "", serviceerror.NewNotFound("unknown activity")
	}
	return token, nil
}

// RecordActivityTaskHeartbeat records the heartbeat and answers as configured.
func (s *Server) RecordActivityTaskHeartbeat(_ context.Context, req *workflowservice.RecordActivityTaskHeartbeatRequest) (*workflowservice.RecordActivityTaskHeartbeatResponse, error) {
	return s.recordHeartbeat(Heartbeat{Token: string(req.GetTaskToken()), Details: req.GetDetails()})
}

// RecordActivityTaskHeartbeatById records the heartbeat and answers as configured.
func (s *Server) RecordActivityTaskHeartbeatById(_ context.Context, req *workflowservice.RecordActivityTaskHeartbeatByIdRequest) (*workflowservice.RecordActivityTaskHeartbeatByIdResponse, error) {
	token, err := s.tokenByID(req.GetWorkflowId(), req.GetActivityId())
	if err != nil {
		return nil, err
	}
	resp, err := s.recordHeartbeat(Heartbeat{Token: token, ByID: true, Details: req.GetDetails()})
	if err != nil {
		return nil, err
	}
	return &workflowservice.RecordActivityTaskHeartbeatByIdResponse{
		CancelRequested: resp.GetCancelRequested(),
		ActivityPaused:  resp.GetActivityPaused(),
		ActivityReset:   resp.GetActivityReset(),
	}, nil
}

// close records the outcome of token, refusing a second one as the real server does.
func (s *Server) close(token string, o Outcome) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, closed := s.outcomes[token]; closed {
		return serviceerror.NewNotFound("activity already closed")
	}
	s.outcomes[token] = o
	s.notifyLocked()
	return nil
}

// RespondActivityTaskCompleted records a completion.
func (s *Server) RespondActivityTaskCompleted(_ context.Context, req *workflowservice.RespondActivityTaskCompletedRequest) (*workflowservice.RespondActivityTaskCompletedResponse, error) {
	err := s.close(string(req.GetTaskToken()), Outcome{Kind: Completed, Identity: req.GetIdentity(), Result: req.GetResult()})
	return &workflowservice.RespondActivityTaskCompletedResponse{}, err
}

// RespondActivityTaskFailed records a failure.
func (s *Server) RespondActivityTaskFailed(_ context.Context, req *workflowservice.RespondActivityTaskFailedRequest) (*workflowservice.RespondActivityTaskFailedResponse, error) {
	err := s.close(string(req.GetTaskToken()), Outcome{Kind: Failed, Identity: req.GetIdentity(), Failure: req.GetFailure(),
		LastHeartbeatDetails: req.GetLastHeartbeatDetails()})
	return &workflowservice.RespondActivityTaskFailedResponse{}, err
}

// RespondActivityTaskCanceled records a cancellation.
func (s *Server) RespondActivityTaskCanceled(_ context.Context, req *workflowservice.RespondActivityTaskCanceledRequest) (*workflowservice.RespondActivityTaskCanceledResponse, error) {
	err := s.close(string(req.GetTaskToken()), Outcome{Kind: Canceled, Identity: req.GetIdentity(), Details: req.GetDetails()})
	return &workflowservice.RespondActivityTaskCanceledResponse{}, err
}

// RespondActivityTaskCompletedById records a completion by ids.
func (s *Server) RespondActivityTaskCompletedById(_ context.Context, req *workflowservice.RespondActivityTaskCompletedByIdRequest) (*workflowservice.RespondActivityTaskCompletedByIdResponse, error) {
	token, err := s.tokenByID(req.GetWorkflowId(), req.GetActivityId())
	if err == nil {
		err = s.close(token, Outcome{Kind: Completed, ByID: true, Identity: req.GetIdentity(), Result: req.GetResult()})
	}
	return &workflowservice.RespondActivityTaskCompletedByIdResponse{}, err
}

// RespondActivityTaskFailedById records a failure by ids.
func (s *Server) RespondActivityTaskFailedById(_ context.Context, req *workflowservice.RespondActivityTaskFailedByIdRequest) (*workflowservice.RespondActivityTaskFailedByIdResponse, error) {
	token, err := s.tokenByID(req.GetWorkflowId(), req.GetActivityId())
	if err == nil {
		err = s.close(token, Outcome{Kind: Failed, ByID: true, Identity: req.GetIdentity(), Failure: req.GetFailure(),
			LastHeartbeatDetails: req.GetLastHeartbeatDetails()})
	}
	return &workflowservice.RespondActivityTaskFailedByIdResponse{}, err
}

// RespondActivityTaskCanceledById records a cancellation by ids.
func (s *Server) RespondActivityTaskCanceledById(_ context.Context, req *workflowservice.RespondActivityTaskCanceledByIdRequest) (*workflowservice.RespondActivityTaskCanceledByIdResponse, error) {
	token, err := s.tokenByID(req.GetWorkflowId(), req.GetActivityId())
	if err == nil {
		err = s.close(token, Outcome{Kind: Canceled, ByID: true, Identity: req.GetIdentity(), Details: req.GetDetails()})
	}
	return &workflowservice.RespondActivityTaskCanceledByIdResponse{}, err
}

// ShutdownWorker records the request.
func (s *Server) ShutdownWorker(_ context.Context, req *workflowservice.ShutdownWorkerRequest) (*workflowservice.ShutdownWorkerResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shutdownRequests = append(s.shutdownRequests, req)
	s.notifyLocked()
	return &workflowservice.ShutdownWorkerResponse{}, nil
}
