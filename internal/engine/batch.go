package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	batchpb "go.temporal.io/api/batch/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sundialdev/sundial/internal/store"
)

// Batch operations apply one operation (terminate, cancel, signal, delete,
// reset, unpause activities) to every run a visibility query selects, or to a list of runs, at a
// bounded rate. Each is a store record that holds the request and the
// progress: a restart resumes a running batch from its last saved position,
// and the operations it may repeat are deduplicated (request ids derived
// from the job and the run) or harmless (a run already closed or deleted
// counts as done), so no run is affected twice.
const (
	batchRecordKind = "batch"
	// defaultBatchRPS is Temporal's worker.batcherRPS default.
	defaultBatchRPS = 50
	maxBatchRPS     = 10_000
	// DefaultMaxConcurrentBatchOperations is the default of Temporal's
	// dynamic config setting MaxConcurrentBatchOperationPerNamespace.
	DefaultMaxConcurrentBatchOperations = 1
	// batchSaveEvery is how many operations may pass between two saves of a
	// batch's progress.
	batchSaveEvery = 100
	// batchSaveInterval is the longest a running batch goes without saving
	// (and so showing) its progress.
	batchSaveInterval = time.Second
)

// batchState is a batch operation's durable state (a record's Data).
type batchState struct {
	Request   []byte                      `json:"request"` // StartBatchOperationRequest
	State     enumspb.BatchOperationState `json:"state"`
	StartTime time.Time                   `json:"start_time"`
	CloseTime time.Time                   `json:"close_time,omitzero"`
	Total     int64                       `json:"total"`
	Completed int64                       `json:"completed"`
	Failed    int64                       `json:"failed"`
	Cursor    []byte                      `json:"cursor,omitempty"` // after the last run done (query)
	NextIndex int                         `json:"next_index"`       // the next run to do (list)
	Stopped   string                      `json:"stopped,omitempty"`
	Type      enumspb.BatchOperationType  `json:"type"`
	request   *workflowservice.StartBatchOperationRequest
}

func decodeBatch(r *store.Record) (*batchState, error) {
	var b batchState
	if err := json.Unmarshal(r.Data, &b); err != nil {
		return nil, fmt.Errorf("decoding batch operation %s: %w", r.ID, err)
	}
	b.request = &workflowservice.StartBatchOperationRequest{}
	if err := proto.Unmarshal(b.Request, b.request); err != nil {
		return nil, fmt.Errorf("decoding the request of batch operation %s: %w", r.ID, err)
	}
	return &b, nil
}

func (b *batchState) encode() ([]byte, error) {
	return json.Marshal(b)
}

// batchType is the BatchOperationType of a request's operation, or
// UNSPECIFIED for one Sundial does not run.
func batchType(req *workflowservice.StartBatchOperationRequest) enumspb.BatchOperationType {
	switch req.GetOperation().(type) {
	case *workflowservice.StartBatchOperationRequest_TerminationOperation:
		return enumspb.BATCH_OPERATION_TYPE_TERMINATE_WORKFLOW
	case *workflowservice.StartBatchOperationRequest_CancellationOperation:
		return enumspb.BATCH_OPERATION_TYPE_CANCEL_WORKFLOW
	case *workflowservice.StartBatchOperationRequest_SignalOperation:
		return enumspb.BATCH_OPERATION_TYPE_SIGNAL_WORKFLOW
	case *workflowservice.StartBatchOperationRequest_DeletionOperation:
		return enumspb.BATCH_OPERATION_TYPE_DELETE_WORKFLOW
	case *workflowservice.StartBatchOperationRequest_ResetOperation:
		return enumspb.BATCH_OPERATION_TYPE_RESET_WORKFLOW
	case *workflowservice.StartBatchOperationRequest_UnpauseActivitiesOperation:
		return enumspb.BATCH_OPERATION_TYPE_UNPAUSE_ACTIVITY
	case *workflowservice.StartBatchOperationRequest_ResetActivitiesOperation:
		return enumspb.BATCH_OPERATION_TYPE_RESET_ACTIVITY
	case *workflowservice.StartBatchOperationRequest_UpdateActivityOptionsOperation:
		return enumspb.BATCH_OPERATION_TYPE_UPDATE_ACTIVITY_OPTIONS
	case *workflowservice.StartBatchOperationRequest_UpdateWorkflowOptionsOperation:
		return enumspb.BATCH_OPERATION_TYPE_UPDATE_WORKFLOW_EXECUTION_OPTIONS
	}
	return enumspb.BATCH_OPERATION_TYPE_UNSPECIFIED
}

// batchRate is the operations per second a request asks for (Temporal's
// default when it asks for none).
func batchRate(req *workflowservice.StartBatchOperationRequest) (float64, error) {
	r := float64(req.GetMaxOperationsPerSecond())
	switch {
	case math.IsNaN(r) || math.IsInf(r, 0) || r < 0:
		return 0, serviceerror.NewInvalidArgumentf("MaxOperationsPerSecond must be a finite number from 0 to %d, got %v.", maxBatchRPS, r)
	case r == 0:
		return defaultBatchRPS, nil
	case r > maxBatchRPS:
		return 0, serviceerror.NewInvalidArgumentf("MaxOperationsPerSecond must be a finite number from 0 to %d, got %v.", maxBatchRPS, r)
	}
	return r, nil
}

// StartBatchOperation records a batch operation and starts running it.
func (e *Engine) StartBatchOperation(ctx context.Context, req *workflowservice.StartBatchOperationRequest) (*workflowservice.StartBatchOperationResponse, error) {
	ns, err := e.namespace(ctx, req.GetNamespace())
	if err != nil {
		return nil, err
	}
	typ := batchType(req)
	if typ == enumspb.BATCH_OPERATION_TYPE_UNSPECIFIED {
		return nil, serviceerror.NewInvalidArgumentf("The operation type %T is not supported", req.GetOperation())
	}
	if _, err := batchRate(req); err != nil {
		return nil, err
	}
	b := &batchState{State: enumspb.BATCH_OPERATION_STATE_RUNNING, StartTime: e.clock.Now(), Type: typ, request: req}
	if q := req.GetVisibilityQuery(); q != "" {
		count, err := e.CountWorkflowExecutions(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: req.GetNamespace(), Query: q})
		if err != nil {
			return nil, err
		}
		b.Total = count.GetCount()
	} else {
		b.Total = int64(len(batchTargets(req)))
	}
	if b.Request, err = proto.Marshal(req); err != nil {
		return nil, fmt.Errorf("encoding the batch request: %w", err)
	}
	data, err := b.encode()
	if err != nil {
		return nil, err
	}
	if err := e.batches.admit(ns.id, req.GetJobId()); err != nil {
		return nil, err
	}
	rec := &store.Record{NamespaceID: ns.id, Kind: batchRecordKind, ID: req.GetJobId(), Data: data}
	if err := e.store.Write(ctx, &store.Transition{Records: []store.RecordWrite{{Record: rec}}}); err != nil {
		e.batches.release(ns.id, req.GetJobId())
		if errors.Is(err, store.ErrAlreadyExists) {
			return nil, serviceerror.NewAlreadyExistsf("A batch operation with job id %s already exists.", req.GetJobId())
		}
		return nil, unavailable("recording the batch operation", err)
	}
	e.batches.run(ns.id, rec.ID, rec.Version, b)
	return &workflowservice.StartBatchOperationResponse{}, nil
}

// batchTargets is the list of runs a request names, when it names them.
func batchTargets(req *workflowservice.StartBatchOperationRequest) []*commonpb.WorkflowExecution {
	if len(req.GetExecutions()) > 0 {
		return req.GetExecutions()
	}
	out := make([]*commonpb.WorkflowExecution, 0, len(req.GetTargetExecutions()))
	for _, t := range req.GetTargetExecutions() {
		out = append(out, &commonpb.WorkflowExecution{WorkflowId: t.GetBusinessId(), RunId: t.GetRunId()})
	}
	return out
}

// StopBatchOperation stops a running batch operation; what it has done
// stays done.
func (e *Engine) StopBatchOperation(ctx context.Context, req *workflowservice.StopBatchOperationRequest) (*workflowservice.StopBatchOperationResponse, error) {
	ns, err := e.namespace(ctx, req.GetNamespace())
	if err != nil {
		return nil, err
	}
	if _, err := e.readBatch(ctx, ns.id, req.GetJobId()); err != nil {
		return nil, err
	}
	if err := e.batches.stop(ctx, ns.id, req.GetJobId(), req.GetReason()); err != nil {
		return nil, err
	}
	return &workflowservice.StopBatchOperationResponse{}, nil
}

// DescribeBatchOperation reports a batch operation's state and progress.
func (e *Engine) DescribeBatchOperation(ctx context.Context, req *workflowservice.DescribeBatchOperationRequest) (*workflowservice.DescribeBatchOperationResponse, error) {
	ns, err := e.namespace(ctx, req.GetNamespace())
	if err != nil {
		return nil, err
	}
	b, err := e.readBatch(ctx, ns.id, req.GetJobId())
	if err != nil {
		return nil, err
	}
	resp := &workflowservice.DescribeBatchOperationResponse{
		OperationType:          b.Type,
		JobId:                  req.GetJobId(),
		State:                  b.State,
		StartTime:              timestamppb.New(b.StartTime),
		TotalOperationCount:    b.Total,
		CompleteOperationCount: b.Completed,
		FailureOperationCount:  b.Failed,
		Identity:               batchIdentity(b.request),
		Reason:                 b.request.GetReason(),
		Query:                  b.request.GetVisibilityQuery(),
	}
	if !b.CloseTime.IsZero() {
		resp.CloseTime = timestamppb.New(b.CloseTime)
	}
	for _, ex := range batchTargets(b.request) {
		resp.Executions = append(resp.Executions, &commonpb.Execution{Type: enumspb.EXECUTION_TYPE_WORKFLOW, BusinessId: ex.GetWorkflowId(), RunId: ex.GetRunId()})
	}
	return resp, nil
}

// ListBatchOperations pages through a namespace's batch operations by job id.
func (e *Engine) ListBatchOperations(ctx context.Context, req *workflowservice.ListBatchOperationsRequest) (*workflowservice.ListBatchOperationsResponse, error) {
	ns, err := e.namespace(ctx, req.GetNamespace())
	if err != nil {
		return nil, err
	}
	size := int(req.GetPageSize())
	if size <= 0 || size > maxVisibilityPageSize {
		size = maxVisibilityPageSize
	}
	recs, err := e.store.ListRecords(ctx, ns.id, batchRecordKind, string(req.GetNextPageToken()), size+1)
	if err != nil {
		return nil, unavailable("listing batch operations", err)
	}
	resp := &workflowservice.ListBatchOperationsResponse{}
	for i, r := range recs {
		if i == size {
			resp.NextPageToken = []byte(recs[size-1].ID)
			break
		}
		b, err := decodeBatch(r)
		if err != nil {
			return nil, serviceerror.NewDataLoss(err.Error())
		}
		info := &batchpb.BatchOperationInfo{JobId: r.ID, State: b.State, StartTime: timestamppb.New(b.StartTime)}
		if !b.CloseTime.IsZero() {
			info.CloseTime = timestamppb.New(b.CloseTime)
		}
		resp.OperationInfo = append(resp.OperationInfo, info)
	}
	return resp, nil
}

// readBatch reads one batch operation.
func (e *Engine) readBatch(ctx context.Context, nsID, jobID string) (*batchState, error) {
	r, err := e.store.GetRecord(ctx, nsID, batchRecordKind, jobID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, serviceerror.NewNotFoundf("Batch operation %s not found.", jobID)
	}
	if err != nil {
		return nil, unavailable("reading the batch operation", err)
	}
	b, err := decodeBatch(r)
	if err != nil {
		return nil, serviceerror.NewDataLoss(err.Error())
	}
	return b, nil
}

// batchIdentity is the identity a request's operation carries.
func batchIdentity(req *workflowservice.StartBatchOperationRequest) string {
	switch op := req.GetOperation().(type) {
	case *workflowservice.StartBatchOperationRequest_TerminationOperation:
		return op.TerminationOperation.GetIdentity()
	case *workflowservice.StartBatchOperationRequest_CancellationOperation:
		return op.CancellationOperation.GetIdentity()
	case *workflowservice.StartBatchOperationRequest_SignalOperation:
		return op.SignalOperation.GetIdentity()
	case *workflowservice.StartBatchOperationRequest_DeletionOperation:
		return op.DeletionOperation.GetIdentity()
	case *workflowservice.StartBatchOperationRequest_ResetOperation:
		return op.ResetOperation.GetIdentity()
	case *workflowservice.StartBatchOperationRequest_UnpauseActivitiesOperation:
		return op.UnpauseActivitiesOperation.GetIdentity()
	}
	return ""
}
