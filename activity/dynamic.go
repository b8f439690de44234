package activity

import (
	"context"
	"fmt"

	"github.com/sundialdev/sundial/converter"
	commonpb "go.temporal.io/api/common/v1"
)

// DynamicFunc is a dynamic activity: registered with worker.Worker.RegisterDynamicActivity, it
// runs every activity type that has no function of its own. GetInfo(ctx).ActivityType
// names the type it was called as; args holds the arguments undecoded. Its result is
// encoded with the data converter like any activity's.
type DynamicFunc func(ctx context.Context, args DynamicArgs) (any, error)

// DynamicArgs are the arguments of a dynamic activity as they arrived: payloads that
// decode on request with the activity's data converter.
type DynamicArgs struct {
	payloads      []*commonpb.Payload
	dataConverter converter.DataConverter
}

// NewDynamicArgs wraps payloads and the converter that decodes them. Workers and test
// environments build DynamicArgs; activities only read them.
func NewDynamicArgs(payloads *commonpb.Payloads, dc converter.DataConverter) DynamicArgs {
	if dc == nil {
		dc = converter.GetDefaultDataConverter()
	}
	return DynamicArgs{payloads: payloads.GetPayloads(), dataConverter: dc}
}

// Len is the number of arguments.
func (a DynamicArgs) Len() int { return len(a.payloads) }

// Raw returns the arguments as raw values, in order, for code that inspects payloads
// (their encoding metadata, for example) before deciding how to decode them.
func (a DynamicArgs) Raw() []converter.RawValue {
	raw := make([]converter.RawValue, len(a.payloads))
	for i, p := range a.payloads {
		raw[i] = converter.NewRawValue(p)
	}
	return raw
}

// Decode decodes argument i into the variable valuePtr points to.
func (a DynamicArgs) Decode(i int, valuePtr any) error {
	if i < 0 || i >= len(a.payloads) {
		return fmt.Errorf("dynamic activity argument %d: out of range, there are %d", i, len(a.payloads))
	}
	if err := a.dataConverter.FromPayload(a.payloads[i], valuePtr); err != nil {
		return fmt.Errorf("decoding dynamic activity argument %d: %w", i, err)
	}
	return nil
}

// Get decodes the first len(valuePtrs) arguments, in order. Asking for more arguments
// than there are is an error.
func (a DynamicArgs) Get(valuePtrs ...any) error {
	if len(valuePtrs) > len(a.payloads) {
		return fmt.Errorf("decoding dynamic activity arguments: %d value pointers for %d arguments", len(valuePtrs), len(a.payloads))
	}
	for i, ptr := range valuePtrs {
		if err := a.Decode(i, ptr); err != nil {
			return err
		}
	}
	return nil
}
