package frontend

import (
	"context"

	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Bounds on what one worker heartbeat request may carry: heartbeats are
// kept in memory, so their number and size are capped.
const (
	maxHeartbeatsPerRequest = 1000
	maxHeartbeatBytes       = 64 << 10
)

func (h *Handler) RecordWorkerHeartbeat(ctx context.Context, req *workflowservice.RecordWorkerHeartbeatRequest) (*workflowservice.RecordWorkerHeartbeatResponse, error) {
	return serve(ctx, h, req, validateRecordWorkerHeartbeat, h.engine.RecordWorkerHeartbeat)
}

func (h *Handler) ListWorkers(ctx context.Context, req *workflowservice.ListWorkersRequest) (*workflowservice.ListWorkersResponse, error) {
	return serve(ctx, h, req, validateListWorkers, h.engine.ListWorkers)
}

func (h *Handler) CountWorkers(ctx context.Context, req *workflowservice.CountWorkersRequest) (*workflowservice.CountWorkersResponse, error) {
	return serve(ctx, h, req, validateCountWorkers, h.engine.CountWorkers)
}

func (h *Handler) DescribeWorker(ctx context.Context, req *workflowservice.DescribeWorkerRequest) (*workflowservice.DescribeWorkerResponse, error) {
	return serve(ctx, h, req, validateDescribeWorker, h.engine.DescribeWorker)
}

func validateRecordWorkerHeartbeat(req *workflowservice.RecordWorkerHeartbeatRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	if err := firstError(c.namespace(req.GetNamespace()), c.optional("Identity", req.GetIdentity())); err != nil {
		return err
	}
	if n := len(req.GetWorkerHeartbeat()); n > maxHeartbeatsPerRequest {
		return invalid("WorkerHeartbeat holds %d heartbeats; at most %d are accepted in one request.", n, maxHeartbeatsPerRequest)
	}
	for _, hb := range req.GetWorkerHeartbeat() {
		if hb == nil {
			return c.notSet("WorkerHeartbeat")
		}
		if err := c.required("WorkerInstanceKey", hb.GetWorkerInstanceKey()); err != nil {
			return err
		}
		if size := proto.Size(hb); size > maxHeartbeatBytes {
			return invalid("WorkerHeartbeat of worker %s is %d bytes; the limit is %d.", quote(hb.GetWorkerInstanceKey()), size, maxHeartbeatBytes)
		}
		if err := firstError(
			optionalTimestamp("StartTime", hb.GetStartTime()),
			optionalTimestamp("HeartbeatTime", hb.GetHeartbeatTime()),
		); err != nil {
			return err
		}
	}
	return nil
}

func validateListWorkers(req *workflowservice.ListWorkersRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.namespace(req.GetNamespace()),
		c.pageSize("PageSize", req.GetPageSize()),
		c.optional("NextPageToken", string(req.GetNextPageToken())),
	)
}

func validateCountWorkers(req *workflowservice.CountWorkersRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	return newChecker(lim, scopeRequest).namespace(req.GetNamespace())
}

func validateDescribeWorker(req *workflowservice.DescribeWorkerRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(c.namespace(req.GetNamespace()), c.required("WorkerInstanceKey", req.GetWorkerInstanceKey()))
}

// optionalTimestamp checks a timestamp that may be absent.
func optionalTimestamp(field string, ts *timestamppb.Timestamp) error {
	if ts == nil {
		return nil
	}
	if err := ts.CheckValid(); err != nil {
		return invalid("%s is not a valid timestamp: %v.", field, err)
	}
	return nil
}
