package worker

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/internal/clock"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
)

// heartbeater sends one attempt's heartbeats, at most one per interval: the first at
// once, later ones when the interval since the previous send has passed, always with the
// latest details recorded. One send is in flight at a time.
type heartbeater struct {
	w        *Worker
	logger   *slog.Logger
	token    []byte
	interval time.Duration
	clock    clock.Clock
	// cancel cancels the attempt's context with a reason taken from a heartbeat answer.
	cancel func(cause error)

	sends sync.WaitGroup

	mu         sync.Mutex
	pending    pendingDetails
	throttled  bool // a heartbeat was sent less than interval ago
	sending    bool
	stopped    bool
	throttleTo clock.Timer
}

// pendingDetails are recorded details not yet sent.
type pendingDetails struct {
	payloads *commonpb.Payloads
	ok       bool
}

func (w *Worker) newHeartbeater(logger *slog.Logger, token []byte, interval time.Duration, cancel func(error)) *heartbeater {
	return &heartbeater{w: w, logger: logger, token: token, interval: interval, clock: w.clock, cancel: cancel}
}

// record encodes details and sends them now or when the throttle interval ends.
func (h *heartbeater) record(details []any) {
	payloads, err := h.w.client.DataConverter().ToPayloads(details...)
	if err != nil {
		h.logger.Error("heartbeat dropped: encoding its details failed", "error", err)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopped {
		return
	}
	h.pending = pendingDetails{payloads: payloads, ok: true}
	if !h.throttled && !h.sending {
		h.sendPendingLocked()
	}
}

// sendPendingLocked starts sending the pending details and the throttle interval.
func (h *heartbeater) sendPendingLocked() {
	details := h.pending.payloads
	h.pending = pendingDetails{}
	h.throttled = true
	h.sending = true
	h.throttleTo = h.clock.AfterFunc(h.interval, h.intervalEnded)
	h.sends.Add(1)
	go func() {
		defer h.sends.Done()
		h.send(details)
		h.mu.Lock()
		defer h.mu.Unlock()
		h.sending = false
		if !h.stopped && !h.throttled && h.pending.ok {
			h.sendPendingLocked()
		}
	}()
}

// intervalEnded sends the details recorded during the interval, if any.
func (h *heartbeater) intervalEnded() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.throttled = false
	if !h.stopped && !h.sending && h.pending.ok {
		h.sendPendingLocked()
	}
}

// stop ends heartbeating for a finished attempt: it waits for a send in flight and
// returns the details recorded but not sent.
func (h *heartbeater) stop() pendingDetails {
	h.mu.Lock()
	h.stopped = true
	if h.throttleTo != nil {
		h.throttleTo.Stop()
	}
	pending := h.pending
	h.pending = pendingDetails{}
	h.mu.Unlock()
	h.sends.Wait()
	return pending
}

// send records one heartbeat and acts on the answer.
func (h *heartbeater) send(details *commonpb.Payloads) {
	ctx, cancel := context.WithTimeout(context.Background(), rpcTimeout)
	defer cancel()
	resp, err := h.w.client.WorkflowService().RecordActivityTaskHeartbeat(ctx, &workflowservice.RecordActivityTaskHeartbeatRequest{
		TaskToken: h.token,
		Details:   details,
		Identity:  h.w.opts.Identity,
		Namespace: h.w.client.Namespace(),
	})
	if err != nil {
		var notFound *serviceerror.NotFound
		if errors.As(err, &notFound) {
			h.cancel(activity.NotFound)
			return
		}
		h.logger.Warn("recording heartbeat failed", "error", err)
		return
	}
	switch {
	case resp.GetCancelRequested():
		h.cancel(activity.CancelRequested)
	case resp.GetActivityPaused():
		h.cancel(activity.Paused)
	case resp.GetActivityReset():
		h.cancel(activity.Reset)
	}
}

// flush sends details recorded but not yet sent, after stop, for an attempt that stays
// open or ends without a result, so that the server keeps the latest details.
func (h *heartbeater) flush(pending pendingDetails) {
	if pending.ok {
		h.send(pending.payloads)
	}
}
