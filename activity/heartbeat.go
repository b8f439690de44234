package activity

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/sundialdev/sundial"
)

// defaultAutoHeartbeatInterval is AutoHeartbeat's interval for an activity scheduled
// without a heartbeat timeout.
const defaultAutoHeartbeatInterval = 10 * time.Second

// RecordHeartbeat tells the server the activity is alive and records details (for example
// its progress) that a later attempt reads with GetHeartbeatDetails. It never blocks on
// the network: the worker sends heartbeats in the background, at most once per throttle
// interval (80% of the heartbeat timeout, or the worker's default interval when there is
// none, capped by its maximum), and always sends the latest details in the end.
//
// Heartbeats are also how an activity learns that the workflow cancelled it: the answer
// to a heartbeat carries the request, and the worker then cancels the activity's context.
// An activity that never heartbeats is never told.
//
// RecordHeartbeat panics when ctx does not belong to an activity.
func RecordHeartbeat(ctx context.Context, details ...any) {
	mustCurrent(ctx, "RecordHeartbeat").RecordHeartbeat(details)
}

// HasHeartbeatDetails reports whether the previous attempt of the running activity
// recorded heartbeat details.
func HasHeartbeatDetails(ctx context.Context) bool {
	r, ok := current(ctx)
	return ok && len(r.HeartbeatDetails().GetPayloads()) > 0
}

// GetHeartbeatDetails decodes the details the previous attempt recorded with its last
// heartbeat, in order, into valuePtrs. It returns sundial.ErrNoData when there are none,
// which is the case on the first attempt.
func GetHeartbeatDetails(ctx context.Context, valuePtrs ...any) error {
	r, ok := current(ctx)
	if !ok {
		return fmt.Errorf("activity.GetHeartbeatDetails: context does not belong to a running activity")
	}
	details := r.HeartbeatDetails()
	if len(details.GetPayloads()) == 0 {
		return sundial.ErrNoData
	}
	if n := len(details.GetPayloads()); len(valuePtrs) > n {
		return fmt.Errorf("decoding heartbeat details: %d value pointers for %d details: %w", len(valuePtrs), n, sundial.ErrTooManyArgs)
	}
	if err := r.DataConverter().FromPayloads(details, valuePtrs...); err != nil {
		return fmt.Errorf("decoding heartbeat details: %w", err)
	}
	return nil
}

// AutoHeartbeat heartbeats in the background, every interval, for an activity that
// cannot conveniently heartbeat itself (for example while it waits on one long call). Each
// heartbeat repeats the details of the activity's latest RecordHeartbeat, so progress
// details are never overwritten with nothing.
//
// An interval of zero or less means a third of the heartbeat timeout, or 10 seconds when
// the activity has none. Heartbeating stops when stop is called, when the activity's
// context is cancelled, or when the activity returns, whichever comes first; stop waits
// for the background goroutine to end and may be called more than once.
//
// AutoHeartbeat panics when ctx does not belong to an activity.
func AutoHeartbeat(ctx context.Context, interval time.Duration) (stop func()) {
	r := mustCurrent(ctx, "AutoHeartbeat")
	if interval <= 0 {
		interval = defaultAutoHeartbeatInterval
		if timeout := r.Info().HeartbeatTimeout; timeout > 0 {
			interval = timeout / 3
		}
	}
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		ticker := time.NewTicker(interval)
		defer ticker.Stop()
		for {
			select {
			case <-ticker.C:
				details, _ := r.LastHeartbeatDetails()
				r.RecordHeartbeat(details)
			case <-quit:
				return
			case <-r.Finished():
				return
			case <-r.Context().Done():
				return
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() { close(quit) })
		<-done
	}
}
