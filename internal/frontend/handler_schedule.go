package frontend

import (
	"context"

	enumspb "go.temporal.io/api/enums/v1"
	schedulepb "go.temporal.io/api/schedule/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// scheduleTimestampSuffix stands for the time a schedule appends to its
// action's workflow id, for the length check (Temporal checks the same).
const scheduleTimestampSuffix = "-2009-11-10T23:00:00Z"

// maxBackfillRequests bounds the backfill ranges one patch may carry.
const maxBackfillRequests = 100

func (h *Handler) CreateSchedule(ctx context.Context, req *workflowservice.CreateScheduleRequest) (*workflowservice.CreateScheduleResponse, error) {
	return serve(ctx, h, req, validateCreateSchedule, h.engine.CreateSchedule)
}

func (h *Handler) DescribeSchedule(ctx context.Context, req *workflowservice.DescribeScheduleRequest) (*workflowservice.DescribeScheduleResponse, error) {
	return serve(ctx, h, req, validateDescribeSchedule, h.engine.DescribeSchedule)
}

func (h *Handler) UpdateSchedule(ctx context.Context, req *workflowservice.UpdateScheduleRequest) (*workflowservice.UpdateScheduleResponse, error) {
	return serve(ctx, h, req, validateUpdateSchedule, h.engine.UpdateSchedule)
}

func (h *Handler) PatchSchedule(ctx context.Context, req *workflowservice.PatchScheduleRequest) (*workflowservice.PatchScheduleResponse, error) {
	return serve(ctx, h, req, validatePatchSchedule, h.engine.PatchSchedule)
}

func (h *Handler) DeleteSchedule(ctx context.Context, req *workflowservice.DeleteScheduleRequest) (*workflowservice.DeleteScheduleResponse, error) {
	return serve(ctx, h, req, validateDeleteSchedule, h.engine.DeleteSchedule)
}

func (h *Handler) ListSchedules(ctx context.Context, req *workflowservice.ListSchedulesRequest) (*workflowservice.ListSchedulesResponse, error) {
	return serve(ctx, h, req, validateListSchedules, h.engine.ListSchedules)
}

func (h *Handler) CountSchedules(ctx context.Context, req *workflowservice.CountSchedulesRequest) (*workflowservice.CountSchedulesResponse, error) {
	return serve(ctx, h, req, validateCountSchedules, h.engine.CountSchedules)
}

func (h *Handler) ListScheduleMatchingTimes(ctx context.Context, req *workflowservice.ListScheduleMatchingTimesRequest) (*workflowservice.ListScheduleMatchingTimesResponse, error) {
	return serve(ctx, h, req, validateListScheduleMatchingTimes, h.engine.ListScheduleMatchingTimes)
}

// scheduleID checks the namespace and schedule id every schedule request
// names, with Temporal's texts.
func (c checker) scheduleID(namespace, id string) error {
	if err := c.namespace(namespace); err != nil {
		return err
	}
	if id == "" {
		return invalid("ScheduleId is not set on request.")
	}
	return c.optional("ScheduleId", id)
}

func validateCreateSchedule(req *workflowservice.CreateScheduleRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.scheduleID(req.GetNamespace(), req.GetScheduleId()),
		c.optional("RequestId", req.GetRequestId()),
		c.optional("Identity", req.GetIdentity()),
		c.schedule(req.GetNamespace(), req.GetSchedule()),
		c.blob("Memo", req.GetMemo()),
		c.blob("SearchAttributes", req.GetSearchAttributes()),
		c.schedulePatch(req.GetInitialPatch()),
	)
}

func validateUpdateSchedule(req *workflowservice.UpdateScheduleRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.scheduleID(req.GetNamespace(), req.GetScheduleId()),
		c.optional("RequestId", req.GetRequestId()),
		c.optional("Identity", req.GetIdentity()),
		c.schedule(req.GetNamespace(), req.GetSchedule()),
		c.blob("Memo", req.GetMemo()),
		c.blob("SearchAttributes", req.GetSearchAttributes()),
		c.optional("ConflictToken", string(req.GetConflictToken())),
	)
}

func validatePatchSchedule(req *workflowservice.PatchScheduleRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	if err := c.scheduleID(req.GetNamespace(), req.GetScheduleId()); err != nil {
		return err
	}
	if req.GetPatch() == nil {
		return invalid("Patch is not set on request.")
	}
	return firstError(
		c.optional("RequestId", req.GetRequestId()),
		c.optional("Identity", req.GetIdentity()),
		c.schedulePatch(req.GetPatch()),
	)
}

func validateDescribeSchedule(req *workflowservice.DescribeScheduleRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	return newChecker(lim, scopeRequest).scheduleID(req.GetNamespace(), req.GetScheduleId())
}

func validateDeleteSchedule(req *workflowservice.DeleteScheduleRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(c.scheduleID(req.GetNamespace(), req.GetScheduleId()), c.optional("Identity", req.GetIdentity()))
}

func validateListSchedules(req *workflowservice.ListSchedulesRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.namespace(req.GetNamespace()),
		c.pageSize("MaximumPageSize", req.GetMaximumPageSize()),
		c.optional("NextPageToken", string(req.GetNextPageToken())),
		c.query(req.GetQuery()),
	)
}

func validateCountSchedules(req *workflowservice.CountSchedulesRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(c.namespace(req.GetNamespace()), c.query(req.GetQuery()))
}

func validateListScheduleMatchingTimes(req *workflowservice.ListScheduleMatchingTimesRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.scheduleID(req.GetNamespace(), req.GetScheduleId()),
		c.requiredTime("StartTime", req.GetStartTime()),
		c.requiredTime("EndTime", req.GetEndTime()),
	)
}

// query bounds a visibility query's length (the payload limit).
func (c checker) query(q string) error {
	if len(q) > c.lim.MaxPayloadBytes {
		return invalid("Query length %d exceeds limit of %d bytes.", len(q), c.lim.MaxPayloadBytes)
	}
	return nil
}

// requiredTime checks a timestamp that must be set and valid.
func (c checker) requiredTime(field string, t *timestamppb.Timestamp) error {
	if t == nil {
		return c.notSet(field)
	}
	return c.timestamp(field, t)
}

// timestamp checks a timestamp that may be unset.
func (c checker) timestamp(field string, t *timestamppb.Timestamp) error {
	if t == nil {
		return nil
	}
	if err := t.CheckValid(); err != nil {
		return invalid("%s is invalid: %v.", field, err)
	}
	return nil
}

// overlapPolicy checks an overlap policy enum.
func overlapPolicy(field string, p enumspb.ScheduleOverlapPolicy) error {
	if _, ok := enumspb.ScheduleOverlapPolicy_name[int32(p)]; !ok {
		return invalid("%s has an unknown value %d.", field, int32(p))
	}
	return nil
}

// schedule checks a schedule's size, action, policies and state; its spec
// is checked by the engine, which compiles it.
func (c checker) schedule(namespace string, s *schedulepb.Schedule) error {
	if s == nil {
		return invalid("Schedule is not set on request.")
	}
	if err := c.blob("Schedule", s); err != nil {
		return err
	}
	wf := s.GetAction().GetStartWorkflow()
	if wf == nil {
		return invalid("Schedule.Action.StartWorkflow is not set on request.")
	}
	if wf.GetCronSchedule() != "" {
		return invalid("Scheduled workflow must not contain CronSchedule")
	}
	if p := wf.GetWorkflowIdReusePolicy(); p != enumspb.WORKFLOW_ID_REUSE_POLICY_UNSPECIFIED && p != enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE {
		return invalid("Scheduled workflow must not contain WorkflowIDReusePolicy")
	}
	start := &workflowservice.StartWorkflowExecutionRequest{
		Namespace:                namespace,
		WorkflowId:               wf.GetWorkflowId() + scheduleTimestampSuffix,
		WorkflowType:             wf.GetWorkflowType(),
		TaskQueue:                wf.GetTaskQueue(),
		Input:                    wf.GetInput(),
		WorkflowExecutionTimeout: wf.GetWorkflowExecutionTimeout(),
		WorkflowRunTimeout:       wf.GetWorkflowRunTimeout(),
		WorkflowTaskTimeout:      wf.GetWorkflowTaskTimeout(),
		RetryPolicy:              wf.GetRetryPolicy(),
		Memo:                     wf.GetMemo(),
		SearchAttributes:         wf.GetSearchAttributes(),
		Header:                   wf.GetHeader(),
		Priority:                 wf.GetPriority(),
	}
	if wf.GetWorkflowId() == "" {
		start.WorkflowId = ""
	}
	if err := validateStartWorkflowExecution(start, c.lim); err != nil {
		return err
	}
	p := s.GetPolicies()
	if err := firstError(
		overlapPolicy("Schedule.Policies.OverlapPolicy", p.GetOverlapPolicy()),
		c.duration("Schedule.Policies.CatchupWindow", p.GetCatchupWindow()),
	); err != nil {
		return err
	}
	if n := s.GetState().GetRemainingActions(); n < 0 {
		return invalid("Schedule.State.RemainingActions is negative: %d.", n)
	}
	sp := s.GetSpec()
	return firstError(
		c.timestamp("Schedule.Spec.StartTime", sp.GetStartTime()),
		c.timestamp("Schedule.Spec.EndTime", sp.GetEndTime()),
		c.duration("Schedule.Spec.Jitter", sp.GetJitter()),
		c.optional("Schedule.Spec.TimezoneName", sp.GetTimezoneName()),
	)
}

// schedulePatch checks a patch's trigger, backfills and notes.
func (c checker) schedulePatch(p *schedulepb.SchedulePatch) error {
	if p == nil {
		return nil
	}
	if t := p.GetTriggerImmediately(); t != nil {
		if err := firstError(
			overlapPolicy("TriggerImmediately.OverlapPolicy", t.GetOverlapPolicy()),
			c.timestamp("TriggerImmediately.ScheduledTime", t.GetScheduledTime()),
		); err != nil {
			return err
		}
	}
	if n := len(p.GetBackfillRequest()); n > maxBackfillRequests {
		return invalid("A patch may carry at most %d backfill requests, got %d.", maxBackfillRequests, n)
	}
	for _, b := range p.GetBackfillRequest() {
		if err := firstError(
			c.requiredTime("BackfillRequest.StartTime", b.GetStartTime()),
			c.requiredTime("BackfillRequest.EndTime", b.GetEndTime()),
			overlapPolicy("BackfillRequest.OverlapPolicy", b.GetOverlapPolicy()),
		); err != nil {
			return err
		}
	}
	return firstError(c.blob("Pause", &schedulepb.ScheduleState{Notes: p.GetPause()}), c.blob("Unpause", &schedulepb.ScheduleState{Notes: p.GetUnpause()}))
}
