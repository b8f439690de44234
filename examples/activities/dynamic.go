package activities

import (
	"context"
	"fmt"
	"math"

	"github.com/sundialdev/sundial/activity"
)

// DynamicActivity runs any activity type without a function of its own. It decodes each
// raw argument into a generic value with the activity's data converter, then picks a
// treatment by the arguments' shape.
func DynamicActivity(ctx context.Context, args activity.DynamicArgs) (any, error) {
	decoded := make([]any, args.Len())
	for i := range decoded {
		if err := args.Decode(i, &decoded[i]); err != nil {
			return nil, err
		}
	}
	activity.Logger(ctx).Info("dynamic activity", "type", activity.GetInfo(ctx).ActivityType, "args", len(decoded))
	if len(decoded) == 1 {
		if s, ok := decoded[0].(string); ok {
			return "String processing: " + s, nil
		}
	}
	if len(decoded) == 2 {
		a, aOK := asInteger(decoded[0])
		b, bOK := asInteger(decoded[1])
		if aOK && bOK {
			return fmt.Sprintf("Math result: %d", a+b), nil
		}
	}
	return fmt.Sprintf("Generic processing: %v", decoded), nil
}

// asInteger accepts the whole numbers JSON decodes as float64.
func asInteger(v any) (int64, bool) {
	f, ok := v.(float64)
	if !ok || f != math.Trunc(f) {
		return 0, false
	}
	return int64(f), true
}
