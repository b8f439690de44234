package fakeserver

import (
	"context"

	"go.temporal.io/api/workflowservice/v1"
)

// NexusReply is a worker's answer to a Nexus task: exactly one field is set.
type NexusReply struct {
	Completed *workflowservice.RespondNexusTaskCompletedRequest
	Failed    *workflowservice.RespondNexusTaskFailedRequest
}

// nexusState is the fake's Nexus task queue and the answers it got, guarded by the
// server's mutex.
type nexusState struct {
	tasks   chan *workflowservice.PollNexusTaskQueueResponse
	polls   int
	replies map[string]NexusReply
}

// nexusTasksLocked returns the Nexus task channel, made on first use; s.mu must be
// held.
func (s *Server) nexusTasksLocked() chan *workflowservice.PollNexusTaskQueueResponse {
	if s.nexus.tasks == nil {
		s.nexus.tasks = make(chan *workflowservice.PollNexusTaskQueueResponse, 1000)
		s.nexus.replies = make(map[string]NexusReply)
	}
	return s.nexus.tasks
}

// AddNexusTask queues a Nexus task for the next PollNexusTaskQueue.
func (s *Server) AddNexusTask(task *workflowservice.PollNexusTaskQueueResponse) {
	s.mu.Lock()
	tasks := s.nexusTasksLocked()
	s.mu.Unlock()
	tasks <- task
}

// NexusReply is the answer to the Nexus task with the given token, if one came.
func (v View) NexusReply(token string) (NexusReply, bool) {
	r, ok := v.s.nexus.replies[token]
	return r, ok
}

// NexusPolls is how many PollNexusTaskQueue calls arrived.
func (v View) NexusPolls() int { return v.s.nexus.polls }

// PollNexusTaskQueue hands out the next queued Nexus task, or an empty answer when
// the poll's context ends first.
func (s *Server) PollNexusTaskQueue(ctx context.Context, _ *workflowservice.PollNexusTaskQueueRequest) (*workflowservice.PollNexusTaskQueueResponse, error) {
	s.mu.Lock()
	s.nexus.polls++
	tasks := s.nexusTasksLocked()
	s.notifyLocked()
	s.mu.Unlock()
	select {
	case task := <-tasks:
		return task, nil
	case <-ctx.Done():
		return &workflowservice.PollNexusTaskQueueResponse{}, nil
	}
}

// RespondNexusTaskCompleted records a completed Nexus task.
func (s *Server) RespondNexusTaskCompleted(_ context.Context, req *workflowservice.RespondNexusTaskCompletedRequest) (*workflowservice.RespondNexusTaskCompletedResponse, error) {
	s.recordNexusReply(string(req.GetTaskToken()), NexusReply{Completed: req})
	return &workflowservice.RespondNexusTaskCompletedResponse{}, nil
}

// RespondNexusTaskFailed records a failed Nexus task.
func (s *Server) RespondNexusTaskFailed(_ context.Context, req *workflowservice.RespondNexusTaskFailedRequest) (*workflowservice.RespondNexusTaskFailedResponse, error) {
	s.recordNexusReply(string(req.GetTaskToken()), NexusReply{Failed: req})
	return &workflowservice.RespondNexusTaskFailedResponse{}, nil
}

func (s *Server) recordNexusReply(token string, r NexusReply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nexusTasksLocked()
	s.nexus.replies[token] = r
	s.notifyLocked()
}

// NexusReplyNow is the answer to the Nexus task with the given token, if one came.
func (s *Server) NexusReplyNow(token string) (NexusReply, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return View{s}.NexusReply(token)
}
