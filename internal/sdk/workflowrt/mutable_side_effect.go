package workflowrt

import (
	"fmt"
	"reflect"
	"strconv"

	commonpb "go.temporal.io/api/common/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/proto"
)

// MutableSideEffect returns the value of fn for id, recording a MutableSideEffect
// marker (in the Go SDK's format) only when the value differs from the last recorded
// one, as judged by equals. Replays return the recorded values. Use it for values that
// change rarely, such as configuration read by the workflow.
func MutableSideEffect(ctx Context, id string, fn func(ctx Context) any, equals func(a, b any) bool) Future {
	env := envFrom(ctx)
	env.mutableCallCounts[id]++
	callCount := env.mutableCallCounts[id]
	f := newFuture(env)
	existing := env.latestMutableValue(id, callCount)
	switch {
	case existing != nil && env.replaying:
		if env.mutableRecorded[id+"_"+strconv.FormatInt(env.nextSequence(), 10)] {
			env.recordMutable(id, callCount, existing)
		}
		f.setPayloads(existing, nil)
	case existing != nil:
		value := fn(ctx)
		if env.sameValue(value, existing, equals) {
			f.setPayloads(existing, nil)
			return f
		}
		f.setPayloads(env.recordMutable(id, callCount, env.mustEncode(value)), nil)
	case env.replaying:
		panic(&NondeterminismError{Reason: fmt.Sprintf("MutableSideEffect %q was called during replay but history has no marker for it", id)})
	default:
		f.setPayloads(env.recordMutable(id, callCount, env.mustEncode(fn(ctx))), nil)
	}
	return f
}

// latestMutableValue is the value recorded for id at or before callCount.
func (e *runEnv) latestMutableValue(id string, callCount int) *commonpb.Payloads {
	var best *commonpb.Payloads
	bestCount := -1
	for count, value := range e.mutableSideEffects[id] {
		if count <= callCount && count > bestCount {
			best, bestCount = value, count
		}
	}
	return best
}

func (e *runEnv) sameValue(value any, existing *commonpb.Payloads, equals func(a, b any) bool) bool {
	if value == nil {
		return proto.Equal(e.mustEncode(nil), existing)
	}
	old := reflect.New(reflect.TypeOf(value))
	if err := e.dataConverter.FromPayloads(existing, old.Interface()); err != nil {
		return false
	}
	return equals(value, old.Elem().Interface())
}

func (e *runEnv) mustEncode(value any) *commonpb.Payloads {
	p, err := e.dataConverter.ToPayloads(value)
	if err != nil {
		panic(fmt.Sprintf("encoding MutableSideEffect value: %v", err))
	}
	return p
}

// recordMutable adds the marker for a new value of id and remembers it.
func (e *runEnv) recordMutable(id string, callCount int, data *commonpb.Payloads) *commonpb.Payloads {
	idWithCounter := id + "_" + strconv.FormatInt(e.nextSequence(), 10)
	idPayloads := e.mustEncode(idWithCounter)
	wrapped, err := e.dataConverter.ToPayloads(id, data)
	if err != nil {
		panic(fmt.Sprintf("encoding MutableSideEffect marker: %v", err))
	}
	e.addCommand(markerCommand(mutableSideEffectMarkerName, map[string]*commonpb.Payloads{
		markerIDKey: idPayloads, markerDataKey: wrapped, mutableCallCounterKey: e.mustEncode(callCount),
	}), true)
	if e.mutableSideEffects[id] == nil {
		e.mutableSideEffects[id] = make(map[int]*commonpb.Payloads)
	}
	e.mutableSideEffects[id][callCount] = data
	return data
}

// preloadMutableMarker records a MutableSideEffect marker's value for replay.
func (e *runEnv) preloadMutableMarker(ev *historypb.HistoryEvent) error {
	details := ev.GetMarkerRecordedEventAttributes().GetDetails()
	var idWithCounter, id string
	var contents commonpb.Payloads
	var callCount int
	if err := e.dataConverter.FromPayloads(details[markerIDKey], &idWithCounter); err != nil {
		return fmt.Errorf("decoding MutableSideEffect marker of event %d: %w", ev.GetEventId(), err)
	}
	if err := e.dataConverter.FromPayloads(details[markerDataKey], &id, &contents); err != nil {
		return fmt.Errorf("decoding MutableSideEffect marker of event %d: %w", ev.GetEventId(), err)
	}
	if counter, ok := details[mutableCallCounterKey]; ok {
		if err := e.dataConverter.FromPayloads(counter, &callCount); err != nil {
			return fmt.Errorf("decoding MutableSideEffect marker of event %d: %w", ev.GetEventId(), err)
		}
	} else {
		callCount = e.mutableCallCounts[id]
	}
	if e.mutableSideEffects[id] == nil {
		e.mutableSideEffects[id] = make(map[int]*commonpb.Payloads)
	}
	e.mutableSideEffects[id][callCount] = &contents
	e.mutableRecorded[idWithCounter] = true
	return nil
}
