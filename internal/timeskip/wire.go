package timeskip

import (
	"fmt"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"
)

// The TestService's messages are dynamic, built from its descriptor; these
// helpers read and write their google.protobuf.Timestamp and Duration fields
// through the fields' own descriptors.

// readTimestamp returns msg's Timestamp field name, and whether it is set.
func readTimestamp(msg protoreflect.Message, name protoreflect.Name) (time.Time, bool, error) {
	seconds, nanos, ok, err := readSecondsNanos(msg, name)
	if err != nil || !ok {
		return time.Time{}, ok, err
	}
	return time.Unix(seconds, int64(nanos)).UTC(), true, nil
}

// readDuration returns msg's Duration field name; unset reads as zero.
func readDuration(msg protoreflect.Message, name protoreflect.Name) (time.Duration, error) {
	seconds, nanos, _, err := readSecondsNanos(msg, name)
	if err != nil {
		return 0, err
	}
	const maxSeconds = int64(1<<63-1) / int64(time.Second)
	if seconds > maxSeconds || seconds < -maxSeconds {
		return 0, fmt.Errorf("field %s: %d seconds is out of range", name, seconds)
	}
	return time.Duration(seconds)*time.Second + time.Duration(nanos), nil
}

func readSecondsNanos(msg protoreflect.Message, name protoreflect.Name) (int64, int32, bool, error) {
	fd := msg.Descriptor().Fields().ByName(name)
	if fd == nil || fd.Message() == nil {
		return 0, 0, false, fmt.Errorf("message %s has no message field %s", msg.Descriptor().FullName(), name)
	}
	if !msg.Has(fd) {
		return 0, 0, false, nil
	}
	inner := msg.Get(fd).Message()
	fields := inner.Descriptor().Fields()
	seconds := inner.Get(fields.ByName("seconds")).Int()
	nanos := int32(inner.Get(fields.ByName("nanos")).Int())
	if nanos < -999_999_999 || nanos > 999_999_999 {
		return 0, 0, false, fmt.Errorf("field %s: nanos %d is out of range", name, nanos)
	}
	return seconds, nanos, true, nil
}

// setTimestamp sets msg's Timestamp field name to t.
func setTimestamp(msg protoreflect.Message, name protoreflect.Name, t time.Time) {
	setSecondsNanos(msg, name, t.Unix(), int32(t.Nanosecond()))
}

// setDuration sets msg's Duration field name to d.
func setDuration(msg protoreflect.Message, name protoreflect.Name, d time.Duration) {
	setSecondsNanos(msg, name, int64(d/time.Second), int32(d%time.Second))
}

func setSecondsNanos(msg protoreflect.Message, name protoreflect.Name, seconds int64, nanos int32) {
	fd := msg.Descriptor().Fields().ByName(name)
	inner := dynamicpb.NewMessage(fd.Message())
	fields := fd.Message().Fields()
	inner.Set(fields.ByName("seconds"), protoreflect.ValueOfInt64(seconds))
	inner.Set(fields.ByName("nanos"), protoreflect.ValueOfInt32(nanos))
	msg.Set(fd, protoreflect.ValueOfMessage(inner))
}
