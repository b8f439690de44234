package activity

import (
	"context"
	"fmt"

	"github.com/sundialdev/sundial/internal/sdk/activityrun"
)

// attempt is the runtime state of the running attempt, as the activity package sees it.
type attempt = activityrun.Run[Info, MetricMeter]

// current returns the attempt ctx belongs to.
func current(ctx context.Context) (*attempt, bool) {
	if ctx == nil {
		return nil, false
	}
	return activityrun.From[Info, MetricMeter](ctx)
}

// mustCurrent returns the attempt ctx belongs to, or panics naming the function that
// needed it: calling it outside an activity is a programming error.
func mustCurrent(ctx context.Context, function string) *attempt {
	r, ok := current(ctx)
	if !ok {
		panic(fmt.Sprintf("activity.%s: context does not belong to a running activity", function))
	}
	return r
}
