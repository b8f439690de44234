package workflowrt

import (
	"context"
	"errors"
	"fmt"
	enumspb "go.temporal.io/api/enums/v1"
	"math"
	"strconv"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/internal/clock"
	commonpb "go.temporal.io/api/common/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
)

// LocalActivityExecutor runs local activities for a TaskHandler. The worker implements
// it with its activity registry; ctx ends at the attempt's timeout.
type LocalActivityExecutor interface {
	ExecuteLocalActivity(ctx context.Context, req LocalActivityRequest) (*commonpb.Payloads, error)
}

// LocalActivityRequest is one attempt of a local activity.
type LocalActivityRequest struct {
	ActivityID   string
	ActivityType string
	Input        *commonpb.Payloads
	Attempt      int32
	// Workflow is the calling workflow's Info.
	Workflow *Info
}

// localActivityMarkerData is the "data" detail of a LocalActivity marker; field names
// are those Temporal's Go SDK writes.
type localActivityMarkerData struct {
	ActivityID   string
	ActivityType string
	ReplayTime   time.Time
	Attempt      int32
	Backoff      time.Duration
}

const localActivityResultKey = "result"

// localActivityCall is a local activity waiting for its result.
type localActivityCall struct {
	id     string
	params LocalActivityParams
	future *future
}

// ExecuteLocalActivity runs an activity inside the workflow task, without a round trip
// through the server's activity queues, and records its result in a LocalActivity
// marker; replays return the recorded result. Keep local activities short: they must
// finish within the workflow task timeout.
func ExecuteLocalActivity(ctx Context, params LocalActivityParams) Future {
	env := envFrom(ctx)
	f := newFuture(env)
	if err := ctx.Err(); err != nil {
		f.SetError(err)
		return f
	}
	env.nextLocalActivityID++
	call := &localActivityCall{id: strconv.FormatInt(env.nextLocalActivityID, 10), params: params, future: f}
	env.localActivities[call.id] = call
	env.unstartedLocal = append(env.unstartedLocal, call)
	return f
}

// applyLocalActivityMarker resolves the local activity a marker records, as on replay,
// and queues the marker command the code produced then. It reports whether a pending
// local activity was resolved.
func (e *runEnv) applyLocalActivityMarker(details map[string]*commonpb.Payloads, failure *failurepb.Failure) (bool, error) {
	var data localActivityMarkerData
	if err := e.dataConverter.FromPayloads(details[markerDataKey], &data); err != nil {
		return false, fmt.Errorf("decoding LocalActivity marker: %w", err)
	}
	call, ok := e.localActivities[data.ActivityID]
	if !ok {
		return false, nil
	}
	if data.ActivityType != "" && data.ActivityType != call.params.ActivityType {
		return false, &NondeterminismError{Reason: fmt.Sprintf("the code ran local activity %s as #%s, history recorded %s", call.params.ActivityType, data.ActivityID, data.ActivityType)}
	}
	delete(e.localActivities, data.ActivityID)
	for i, c := range e.unstartedLocal {
		if c == call {
			e.unstartedLocal = append(e.unstartedLocal[:i], e.unstartedLocal[i+1:]...)
			break
		}
	}
	marker := markerCommand(localActivityMarkerName, details)
	marker.GetRecordMarkerCommandAttributes().Failure = failure
	e.addCommand(marker, false)
	if failure != nil {
		call.future.SetError(sundial.NewActivityError(sundial.ActivityErrorOptions{
			ActivityType: call.params.ActivityType, ActivityID: call.id,
			RetryState: retryStateOf(failure), Cause: e.failureConverter.FailureToError(failure),
		}))
	} else {
		call.future.setPayloads(details[localActivityResultKey], nil)
	}
	if data.ReplayTime.After(e.now) {
		e.now = data.ReplayTime
	}
	return true, nil
}

func retryStateOf(failure *failurepb.Failure) enumspb.RetryState {
	if failure.GetApplicationFailureInfo().GetNonRetryable() {
		return enumspb.RETRY_STATE_NON_RETRYABLE_FAILURE
	}
	return enumspb.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED
}

// runLocalActivity runs call with retries and builds its marker details.
func (e *runEnv) runLocalActivity(ctx context.Context, exec LocalActivityExecutor, clk clock.Clock, call *localActivityCall) (map[string]*commonpb.Payloads, *failurepb.Failure) {
	started := clk.Now()
	p := call.params
	var result *commonpb.Payloads
	var err error
	attempt := int32(1)
	for ; ; attempt++ {
		attemptCtx, cancel := context.WithCancel(ctx)
		timeout := p.StartToCloseTimeout
		if timeout == 0 {
			timeout = p.ScheduleToCloseTimeout
		}
		stop := clk.AfterFunc(timeout, cancel)
		result, err = exec.ExecuteLocalActivity(attemptCtx, LocalActivityRequest{
			ActivityID: call.id, ActivityType: p.ActivityType, Input: p.Input, Attempt: attempt, Workflow: e.info,
		})
		timedOut := attemptCtx.Err() != nil && ctx.Err() == nil
		stop.Stop()
		cancel()
		if timedOut && err != nil {
			err = sundial.NewTimeoutError("local activity timed out", enumspb.TIMEOUT_TYPE_START_TO_CLOSE, err)
		}
		if err == nil {
			break
		}
		backoff, retry := localRetryDelay(p, attempt, err, clk.Now().Sub(started))
		if !retry || !sleepOn(ctx, clk, backoff) {
			break
		}
	}
	data := localActivityMarkerData{ActivityID: call.id, ActivityType: p.ActivityType, ReplayTime: e.now.Add(clk.Now().Sub(started)), Attempt: attempt}
	encoded, encErr := e.dataConverter.ToPayloads(data)
	if encErr != nil {
		err = errors.Join(err, fmt.Errorf("encoding LocalActivity marker: %w", encErr))
	}
	details := map[string]*commonpb.Payloads{markerDataKey: encoded}
	if err != nil {
		return details, e.failureConverter.ErrorToFailure(err)
	}
	if result != nil {
		details[localActivityResultKey] = result
	}
	return details, nil
}

// localRetryDelay decides whether a failed attempt is retried and after how long.
func localRetryDelay(p LocalActivityParams, attempt int32, err error, elapsed time.Duration) (time.Duration, bool) {
	var appErr *sundial.ApplicationError
	if errors.As(err, &appErr) {
		if appErr.NonRetryable() {
			return 0, false
		}
		if p.RetryPolicy != nil {
			for _, t := range p.RetryPolicy.NonRetryableErrorTypes {
				if t == appErr.Type() {
					return 0, false
				}
			}
		}
	}
	policy := p.RetryPolicy
	if policy == nil {
		policy = &sundial.RetryPolicy{}
	}
	if policy.MaximumAttempts > 0 && attempt >= policy.MaximumAttempts {
		return 0, false
	}
	initial := policy.InitialInterval
	if initial <= 0 {
		initial = time.Second
	}
	coefficient := policy.BackoffCoefficient
	if coefficient < 1 {
		coefficient = 2
	}
	maxInterval := policy.MaximumInterval
	if maxInterval <= 0 {
		maxInterval = 100 * initial
	}
	delay := time.Duration(math.Min(float64(initial)*math.Pow(coefficient, float64(attempt-1)), float64(maxInterval)))
	if p.ScheduleToCloseTimeout > 0 && elapsed+delay >= p.ScheduleToCloseTimeout {
		return 0, false
	}
	return delay, true
}

// sleepOn waits d on clk; false if ctx ended first.
func sleepOn(ctx context.Context, clk clock.Clock, d time.Duration) bool {
	done := make(chan struct{})
	t := clk.AfterFunc(d, func() { close(done) })
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}

// localActivityMarkers returns the LocalActivity markers of a batch, in order.
func localActivityMarkers(b batch) []*historypb.HistoryEvent {
	var out []*historypb.HistoryEvent
	for _, ev := range b.events {
		if ev.GetMarkerRecordedEventAttributes().GetMarkerName() == localActivityMarkerName {
			out = append(out, ev)
		}
	}
	return out
}
