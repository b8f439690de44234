package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/sundialdev/sundial/internal/engine/machine"
	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/uuid"
)

// Standalone Nexus operations (StartNexusOperationExecution and the RPCs that
// observe and control them) are runs of their own, stored under the
// namespace id plus standaloneNexusSuffix with the operation id as the
// workflow id, as standalone activities are. Their one NexusOperation is
// dispatched, retried, timed out and completed by callback by the same code
// as an operation a workflow scheduled (nexus_tasks.go, nexus_callbacks.go).
const standaloneNexusSuffix = "/nexus-operations"

// StandaloneNexusNamespaceID is the namespace id a standalone Nexus
// operation's run carries, for the namespace with id namespaceID.
func StandaloneNexusNamespaceID(namespaceID string) string {
	return namespaceID + standaloneNexusSuffix
}

// isStandaloneNexusRun reports whether k names a standalone operation's run.
func isStandaloneNexusRun(k runKey) bool {
	return strings.HasSuffix(k.namespaceID, standaloneNexusSuffix)
}

func standaloneNexusKey(ns *namespace, operationID, runID string) runKey {
	return runKey{StandaloneNexusNamespaceID(ns.id), operationID, runID}
}

// The list attributes Temporal names Service and RequestId have no column of
// their own: the run's search attributes carry them under these reserved
// names, which listings and descriptions leave out.
const (
	nexusServiceAttribute   = "TemporalNexusService"
	nexusRequestIDAttribute = "TemporalNexusRequestId"
)

// StartNexusOperationExecution starts a standalone Nexus operation, honouring
// request-id deduplication and the id reuse and conflict policies.
func (e *Engine) StartNexusOperationExecution(ctx context.Context, req *workflowservice.StartNexusOperationExecutionRequest) (*workflowservice.StartNexusOperationExecutionResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	for name := range req.GetSearchAttributes().GetIndexedFields() {
		if name == nexusServiceAttribute || name == nexusRequestIDAttribute {
			return nil, serviceerror.NewInvalidArgumentf("search attribute %s is reserved", name)
		}
	}
	if _, err := e.NexusEndpointByName(ctx, req.Endpoint); err != nil {
		if isNotFoundErr(err) {
			return nil, serviceerror.NewNotFoundf("could not find Nexus endpoint by name: %v", req.Endpoint)
		}
		return nil, err
	}
	target, ok := e.resolveNexusEndpoint(ctx, req.Endpoint)
	if !ok {
		return nil, serviceerror.NewFailedPreconditionf("Nexus endpoint %q does not target a worker namespace and task queue of this server", req.Endpoint)
	}
	p := machine.StandaloneNexusParams{
		NamespaceID: ns.id, Namespace: ns.name, OperationID: req.OperationId, Target: target,
		Endpoint: req.Endpoint, Service: req.Service, Operation: req.Operation,
		Input: req.Input, Header: req.NexusHeader,
		ScheduleToClose: req.GetScheduleToCloseTimeout().AsDuration(), ScheduleToStart: req.GetScheduleToStartTimeout().AsDuration(),
		StartToClose:     req.GetStartToCloseTimeout().AsDuration(),
		SearchAttributes: req.SearchAttributes,
		UserMetadata:     req.UserMetadata, Identity: req.Identity, RequestID: req.RequestId,
	}
	nsID := StandaloneNexusNamespaceID(ns.id)
	unlock := e.idLocks.lock(nsID + "\x00" + req.OperationId)
	defer unlock()

	runID, started, err := e.createStandaloneNexus(ctx, ns, p, "")
	if !errors.Is(err, errCurrentRunExists) {
		return startNexusResponse(runID, started, err)
	}
	prev, err := e.lockCurrent(ctx, nsID, req.OperationId)
	if err != nil {
		return nil, err
	}
	ps := prev.state
	prev.mu.Unlock()
	alreadyStarted := func() error {
		return serviceerror.NewNexusOperationExecutionAlreadyStartedf(ps.StartRequest, ps.RunID,
			"nexus operation execution already started: request_id=%s, run_id=%s", ps.StartRequest, ps.RunID)
	}
	if req.RequestId != "" && ps.StartRequest == req.RequestId {
		return startNexusResponse(ps.RunID, true, nil)
	}
	if ps.Open() {
		if req.IdConflictPolicy == enumspb.NEXUS_OPERATION_ID_CONFLICT_POLICY_USE_EXISTING {
			return startNexusResponse(ps.RunID, false, nil)
		}
		return nil, alreadyStarted()
	}
	switch req.IdReusePolicy {
	case enumspb.NEXUS_OPERATION_ID_REUSE_POLICY_REJECT_DUPLICATE:
		return nil, alreadyStarted()
	case enumspb.NEXUS_OPERATION_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY:
		if ps.Status == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
			return nil, alreadyStarted()
		}
	}
	runID, started, err = e.createStandaloneNexus(ctx, ns, p, ps.RunID)
	if errors.Is(err, errCurrentRunExists) || errors.Is(err, store.ErrConflict) {
		err = serviceerror.NewUnavailable("concurrent start of the same operation id, retry")
	}
	return startNexusResponse(runID, started, err)
}

func startNexusResponse(runID string, started bool, err error) (*workflowservice.StartNexusOperationExecutionResponse, error) {
	if err != nil {
		return nil, err
	}
	return &workflowservice.StartNexusOperationExecutionResponse{RunId: runID, Started: started}, nil
}

// withNexusAttributes returns the user's search attributes plus the reserved
// ones that make Service and RequestId (the id of the requests sent to the
// handler, as in Temporal) filterable.
func withNexusAttributes(sa *commonpb.SearchAttributes, service, requestID string) *commonpb.SearchAttributes {
	out := &commonpb.SearchAttributes{IndexedFields: make(map[string]*commonpb.Payload, len(sa.GetIndexedFields())+2)}
	for k, v := range sa.GetIndexedFields() {
		out.IndexedFields[k] = v
	}
	out.IndexedFields[nexusServiceAttribute] = keywordPayload(service)
	if requestID != "" {
		out.IndexedFields[nexusRequestIDAttribute] = keywordPayload(requestID)
	}
	return out
}

// userSearchAttributes leaves the reserved attributes out of a run's.
func userSearchAttributes(sa *commonpb.SearchAttributes) *commonpb.SearchAttributes {
	delete(sa.GetIndexedFields(), nexusServiceAttribute)
	delete(sa.GetIndexedFields(), nexusRequestIDAttribute)
	return sa
}

// createStandaloneNexus writes a new standalone operation's run, moving its
// id's current-run pointer from expectedCurrent ("" for none;
// errCurrentRunExists if there is one after all).
func (e *Engine) createStandaloneNexus(ctx context.Context, ns *namespace, p machine.StandaloneNexusParams, expectedCurrent string) (string, bool, error) {
	now := e.clock.Now()
	p.RunID = uuid.NewTimeOrdered(now)
	// The request id the handler sees is the run's (see
	// machine.NewStandaloneNexusOperation); RequestId filters on it.
	p.SearchAttributes = withNexusAttributes(p.SearchAttributes, p.Service, p.RunID)
	key := standaloneNexusKey(ns, p.OperationID, p.RunID)
	tx := machine.NewStandaloneNexusOperation(p, now)
	w, batch, err := e.executionWrite(key, tx, nil)
	if err != nil {
		return "", false, err
	}
	t := &store.Transition{
		Executions: []store.ExecutionWrite{w},
		Events:     []store.EventBatch{*batch},
		Current: &store.CurrentWrite{
			Current:       store.CurrentExecution{NamespaceID: key.namespaceID, WorkflowID: key.workflowID, RunID: key.runID},
			ExpectedRunID: expectedCurrent,
		},
	}
	r := e.lockNewRun(key)
	defer r.mu.Unlock()
	if err := e.store.Write(context.WithoutCancel(ctx), t); err != nil {
		r.uncertain()
		if expectedCurrent == "" && errors.Is(err, store.ErrConflict) {
			return "", false, errCurrentRunExists
		}
		return "", false, commitError(err)
	}
	e.applied(r, tx)
	return p.RunID, true, nil
}

// lockStandaloneNexus returns a standalone operation's run, locked: the run
// runID names, or the operation id's latest run. The caller must unlock r.mu.
func (e *Engine) lockStandaloneNexus(ctx context.Context, ns *namespace, operationID, runID string) (*run, error) {
	var r *run
	var err error
	if runID != "" {
		r, err = e.lockRun(ctx, standaloneNexusKey(ns, operationID, runID))
	} else {
		r, err = e.lockCurrent(ctx, StandaloneNexusNamespaceID(ns.id), operationID)
		if errors.Is(err, errNoCurrentRun) {
			err = errStandaloneNexusNotFound(operationID)
		}
	}
	if isNotFoundErr(err) {
		return nil, errStandaloneNexusNotFound(operationID)
	}
	if err == nil && r.state.StandaloneNexus == nil {
		r.mu.Unlock()
		return nil, errStandaloneNexusNotFound(operationID)
	}
	return r, err
}

// errStandaloneNexusNotFound is Temporal's answer for a missing operation:
// it names the operation id only, whether or not a run id was given.
func errStandaloneNexusNotFound(operationID string) error {
	return serviceerror.NewNotFound(fmt.Sprintf("operation not found for ID: %s", operationID))
}

// standaloneNexusLink is the link a standalone operation's start request
// carries back to its caller: the operation itself.
func standaloneNexusLink(namespace string, k runKey) *commonpb.Link {
	return &commonpb.Link{Variant: &commonpb.Link_NexusOperation_{NexusOperation: &commonpb.Link_NexusOperation{
		Namespace: namespace, OperationId: k.workflowID, RunId: k.runID,
	}}}
}
