package frontend

import (
	"context"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sundialdev/sundial/internal/engine/machine"
	"github.com/sundialdev/sundial/internal/uuid"
)

// Standalone Nexus operations: operations started by a client rather than by
// a workflow (StartNexusOperationExecution and the RPCs that observe and
// control them). The engine keeps each as a run of its own; see
// internal/engine/nexus_standalone_start.go. The validation texts are
// Temporal's (its chasm nexusoperation validator).

// Limits of standalone operation requests, Temporal's defaults.
const (
	maxNexusReasonLength       = 1000
	maxUserMetadataSummarySize = 400
	maxUserMetadataDetailsSize = 20000
)

// StartNexusOperationExecution starts a standalone Nexus operation.
func (h *Handler) StartNexusOperationExecution(ctx context.Context, req *workflowservice.StartNexusOperationExecutionRequest) (*workflowservice.StartNexusOperationExecutionResponse, error) {
	return serve(ctx, h, req, validateStartNexusOperation, h.engine.StartNexusOperationExecution)
}

// DescribeNexusOperationExecution reports a standalone operation's state.
func (h *Handler) DescribeNexusOperationExecution(ctx context.Context, req *workflowservice.DescribeNexusOperationExecutionRequest) (*workflowservice.DescribeNexusOperationExecutionResponse, error) {
	return serve(ctx, h, req, func(r *workflowservice.DescribeNexusOperationExecutionRequest, lim Limits) error {
		if r == nil {
			return errNilRequest()
		}
		c := newChecker(lim, scopeRequest)
		if err := firstError(c.namespace(r.GetNamespace()), nexusOperationID(c, r.GetOperationId())); err != nil {
			return err
		}
		if len(r.GetLongPollToken()) > 0 && r.GetRunId() == "" {
			return serviceerror.NewInvalidArgument("run_id is required when long_poll_token is provided")
		}
		return nexusRunID(r.GetRunId())
	}, h.engine.DescribeNexusOperationExecution)
}

// PollNexusOperationExecution waits for a standalone operation to reach a stage.
func (h *Handler) PollNexusOperationExecution(ctx context.Context, req *workflowservice.PollNexusOperationExecutionRequest) (*workflowservice.PollNexusOperationExecutionResponse, error) {
	return serve(ctx, h, req, func(r *workflowservice.PollNexusOperationExecutionRequest, lim Limits) error {
		if r == nil {
			return errNilRequest()
		}
		switch r.GetWaitStage() {
		case enumspb.NEXUS_OPERATION_WAIT_STAGE_UNSPECIFIED, enumspb.NEXUS_OPERATION_WAIT_STAGE_STARTED, enumspb.NEXUS_OPERATION_WAIT_STAGE_CLOSED:
		default:
			return serviceerror.NewInvalidArgumentf("unsupported wait_stage: %s", r.GetWaitStage())
		}
		c := newChecker(lim, scopeRequest)
		return firstError(c.namespace(r.GetNamespace()), nexusOperationID(c, r.GetOperationId()), nexusRunID(r.GetRunId()))
	}, h.engine.PollNexusOperationExecution)
}

// ListNexusOperationExecutions lists standalone operations matching a query.
func (h *Handler) ListNexusOperationExecutions(ctx context.Context, req *workflowservice.ListNexusOperationExecutionsRequest) (*workflowservice.ListNexusOperationExecutionsResponse, error) {
	return serve(ctx, h, req, func(r *workflowservice.ListNexusOperationExecutionsRequest, lim Limits) error {
		if r == nil {
			return errNilRequest()
		}
		// As in Temporal, a page size out of range means the largest page.
		return newChecker(lim, scopeRequest).namespace(r.GetNamespace())
	}, h.engine.ListNexusOperationExecutions)
}

// CountNexusOperationExecutions counts standalone operations matching a query.
func (h *Handler) CountNexusOperationExecutions(ctx context.Context, req *workflowservice.CountNexusOperationExecutionsRequest) (*workflowservice.CountNexusOperationExecutionsResponse, error) {
	return serve(ctx, h, req, func(r *workflowservice.CountNexusOperationExecutionsRequest, lim Limits) error {
		if r == nil {
			return errNilRequest()
		}
		return newChecker(lim, scopeRequest).namespace(r.GetNamespace())
	}, h.engine.CountNexusOperationExecutions)
}

// RequestCancelNexusOperationExecution asks a standalone operation's handler to cancel it.
func (h *Handler) RequestCancelNexusOperationExecution(ctx context.Context, req *workflowservice.RequestCancelNexusOperationExecutionRequest) (*workflowservice.RequestCancelNexusOperationExecutionResponse, error) {
	return serve(ctx, h, req, func(r *workflowservice.RequestCancelNexusOperationExecutionRequest, lim Limits) error {
		if r == nil {
			return errNilRequest()
		}
		return validateNexusControl(r, lim, &r.RequestId)
	}, h.engine.RequestCancelNexusOperationExecution)
}

// TerminateNexusOperationExecution ends a standalone operation.
func (h *Handler) TerminateNexusOperationExecution(ctx context.Context, req *workflowservice.TerminateNexusOperationExecutionRequest) (*workflowservice.TerminateNexusOperationExecutionResponse, error) {
	return serve(ctx, h, req, func(r *workflowservice.TerminateNexusOperationExecutionRequest, lim Limits) error {
		if r == nil {
			return errNilRequest()
		}
		return validateNexusControl(r, lim, &r.RequestId)
	}, h.engine.TerminateNexusOperationExecution)
}

// DeleteNexusOperationExecution removes a standalone operation.
func (h *Handler) DeleteNexusOperationExecution(ctx context.Context, req *workflowservice.DeleteNexusOperationExecutionRequest) (*workflowservice.DeleteNexusOperationExecutionResponse, error) {
	return serve(ctx, h, req, func(r *workflowservice.DeleteNexusOperationExecutionRequest, lim Limits) error {
		if r == nil {
			return errNilRequest()
		}
		c := newChecker(lim, scopeRequest)
		return firstError(c.namespace(r.GetNamespace()), nexusOperationID(c, r.GetOperationId()), nexusRunID(r.GetRunId()))
	}, h.engine.DeleteNexusOperationExecution)
}

// validateStartNexusOperation checks a start request and normalizes it in
// place as Temporal does: a request id is generated when missing, header
// keys are lower-cased, and the other timeouts are capped to the
// schedule-to-close timeout.
func validateStartNexusOperation(req *workflowservice.StartNexusOperationExecutionRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	if err := firstError(
		c.namespace(req.GetNamespace()),
		nexusRequestID(c, &req.RequestId),
		nexusOperationID(c, req.GetOperationId()),
		nexusIDLength(c, "identity", req.GetIdentity()),
		nexusTarget(req),
		nexusTimeouts(req),
		nexusInput(c, req),
		nexusUserMetadata(req),
		nexusHeader(req),
		c.blob("SearchAttributes", req.GetSearchAttributes()),
		knownEnum("IdReusePolicy", req.GetIdReusePolicy()),
		knownEnum("IdConflictPolicy", req.GetIdConflictPolicy()),
	); err != nil {
		return err
	}
	if req.IdReusePolicy == enumspb.NEXUS_OPERATION_ID_REUSE_POLICY_UNSPECIFIED {
		req.IdReusePolicy = enumspb.NEXUS_OPERATION_ID_REUSE_POLICY_ALLOW_DUPLICATE
	}
	if req.IdConflictPolicy == enumspb.NEXUS_OPERATION_ID_CONFLICT_POLICY_UNSPECIFIED {
		req.IdConflictPolicy = enumspb.NEXUS_OPERATION_ID_CONFLICT_POLICY_FAIL
	}
	return nil
}

func nexusIDLength(c checker, field, value string) error {
	if len(value) > c.lim.MaxIDLength {
		return serviceerror.NewInvalidArgumentf("%s exceeds length limit. Length=%d Limit=%d", field, len(value), c.lim.MaxIDLength)
	}
	return nil
}

func nexusOperationID(c checker, id string) error {
	if id == "" {
		return serviceerror.NewInvalidArgument("operation_id is required")
	}
	return nexusIDLength(c, "operation_id", id)
}

// nexusRequestID checks a request id, generating one when it is empty.
func nexusRequestID(c checker, id *string) error {
	if *id == "" {
		*id = uuid.NewRandom()
		return nil
	}
	return nexusIDLength(c, "request_id", *id)
}

func nexusRunID(id string) error {
	if id != "" && !isUUID(id) {
		return serviceerror.NewInvalidArgument("run_id is not a valid UUID")
	}
	return nil
}

func nexusTarget(req *workflowservice.StartNexusOperationExecutionRequest) error {
	switch {
	case req.GetEndpoint() == "":
		return serviceerror.NewInvalidArgument("endpoint is required")
	case req.GetService() == "":
		return serviceerror.NewInvalidArgument("service is required")
	case len(req.GetService()) > machine.MaxNexusServiceNameLength:
		return serviceerror.NewInvalidArgumentf("service exceeds length limit. Length=%d Limit=%d", len(req.GetService()), machine.MaxNexusServiceNameLength)
	case req.GetOperation() == "":
		return serviceerror.NewInvalidArgument("operation is required")
	case len(req.GetOperation()) > machine.MaxNexusOperationNameLength:
		return serviceerror.NewInvalidArgumentf("operation exceeds length limit. Length=%d Limit=%d", len(req.GetOperation()), machine.MaxNexusOperationNameLength)
	}
	return nil
}

// nexusTimeouts checks the timeouts (well formed, not negative, capped at
// the longest duration Sundial keeps) and bounds the schedule-to-start and
// start-to-close timeouts by the schedule-to-close one.
func nexusTimeouts(req *workflowservice.StartNexusOperationExecutionRequest) error {
	for _, t := range []struct {
		name string
		d    *durationpb.Duration
	}{
		{"schedule_to_close_timeout", req.GetScheduleToCloseTimeout()},
		{"schedule_to_start_timeout", req.GetScheduleToStartTimeout()},
		{"start_to_close_timeout", req.GetStartToCloseTimeout()},
	} {
		if t.d == nil {
			continue
		}
		if err := durationShape(t.d); err != nil {
			return serviceerror.NewInvalidArgumentf("%s is invalid: %v", t.name, err)
		}
		if t.d.AsDuration() < 0 {
			return serviceerror.NewInvalidArgumentf("%s is invalid: negative duration", t.name)
		}
		capDuration(t.d)
	}
	s2c := req.GetScheduleToCloseTimeout().AsDuration()
	if s2c > 0 {
		if req.GetScheduleToStartTimeout().AsDuration() > s2c {
			req.ScheduleToStartTimeout = durationpb.New(s2c)
		}
		if req.GetStartToCloseTimeout().AsDuration() > s2c {
			req.StartToCloseTimeout = durationpb.New(s2c)
		}
	}
	return nil
}

func nexusInput(c checker, req *workflowservice.StartNexusOperationExecutionRequest) error {
	if size := proto.Size(req.GetInput()); size > c.lim.MaxPayloadBytes {
		return serviceerror.NewInvalidArgumentf("input exceeds size limit. Length=%d Limit=%d", size, c.lim.MaxPayloadBytes)
	}
	return nil
}

func nexusUserMetadata(req *workflowservice.StartNexusOperationExecutionRequest) error {
	md := req.GetUserMetadata()
	if size := proto.Size(md.GetSummary()); size > maxUserMetadataSummarySize {
		return serviceerror.NewInvalidArgumentf("user_metadata.summary exceeds size limit. Length=%d Limit=%d", size, maxUserMetadataSummarySize)
	}
	if size := proto.Size(md.GetDetails()); size > maxUserMetadataDetailsSize {
		return serviceerror.NewInvalidArgumentf("user_metadata.details exceeds size limit. Length=%d Limit=%d", size, maxUserMetadataDetailsSize)
	}
	return nil
}

// nexusHeader checks the Nexus header and lower-cases its keys in place.
func nexusHeader(req *workflowservice.StartNexusOperationExecutionRequest) error {
	if len(req.GetNexusHeader()) == 0 {
		return nil
	}
	lowered := make(map[string]string, len(req.NexusHeader))
	size := 0
	for k, v := range req.NexusHeader {
		lk := strings.ToLower(k)
		size += len(lk) + len(v)
		if machine.NexusHeaderDisallowed(lk) {
			return serviceerror.NewInvalidArgumentf("nexus_header contains a disallowed key: %q", k)
		}
		lowered[lk] = v
	}
	if size > machine.MaxNexusHeaderSize {
		return serviceerror.NewInvalidArgument("nexus_header exceeds size limit")
	}
	req.NexusHeader = lowered
	return nil
}

type nexusControlRequest interface {
	GetNamespace() string
	GetOperationId() string
	GetRunId() string
	GetIdentity() string
	GetReason() string
}

// validateNexusControl checks a cancel or terminate request, generating its
// request id when it is empty.
func validateNexusControl(r nexusControlRequest, lim Limits, requestID *string) error {
	c := newChecker(lim, scopeRequest)
	if err := firstError(
		c.namespace(r.GetNamespace()),
		nexusRequestID(c, requestID),
		nexusOperationID(c, r.GetOperationId()),
		nexusRunID(r.GetRunId()),
		nexusIDLength(c, "identity", r.GetIdentity()),
	); err != nil {
		return err
	}
	if len(r.GetReason()) > maxNexusReasonLength {
		return serviceerror.NewInvalidArgumentf("reason exceeds length limit. Length=%d Limit=%d", len(r.GetReason()), maxNexusReasonLength)
	}
	return nil
}
