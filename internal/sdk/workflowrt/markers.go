package workflowrt

import (
	"fmt"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
)

// Marker names and detail keys, the same as Temporal's Go SDK writes, so histories
// interoperate.
const (
	sideEffectMarkerName        = "SideEffect"
	versionMarkerName           = "Version"
	localActivityMarkerName     = "LocalActivity"
	mutableSideEffectMarkerName = "MutableSideEffect"

	markerIDKey           = "side-effect-id"
	markerDataKey         = "data"
	versionChangeIDKey    = "change-id"
	versionKey            = "version"
	mutableCallCounterKey = "mutable-side-effect-call-counter"

	changeVersionSearchAttribute = "TemporalChangeVersion"
)

// SideEffect runs fn once and records its result in history; on replay the recorded
// result is returned instead of calling fn again. Use it for nondeterministic values
// such as random numbers or UUIDs. fn must not fail: an encoding error panics.
func SideEffect(ctx Context, fn func(ctx Context) any) Future {
	env := envFrom(ctx)
	env.nextSideEffectID++
	id := env.nextSideEffectID
	f := newFuture(env)
	var data *commonpb.Payloads
	if env.replaying {
		recorded, ok := env.sideEffectResults[id]
		if !ok {
			panic(&NondeterminismError{Reason: fmt.Sprintf("SideEffect #%d was called during replay but history has no SideEffect marker for it", id)})
		}
		delete(env.sideEffectResults, id)
		data = recorded
	} else {
		encoded, err := env.dataConverter.ToPayloads(fn(ctx))
		if err != nil {
			panic(fmt.Sprintf("encoding SideEffect result: %v", err))
		}
		data = encoded
	}
	idPayloads, err := env.dataConverter.ToPayloads(id)
	if err != nil {
		panic(fmt.Sprintf("encoding SideEffect id: %v", err))
	}
	env.addCommand(markerCommand(sideEffectMarkerName, map[string]*commonpb.Payloads{
		markerIDKey: idPayloads, markerDataKey: data,
	}), false)
	f.setPayloads(data, nil)
	return f
}

// GetVersion returns the version of the code path changeID to follow: on first
// execution maxSupported (recorded in a Version marker), on replay the recorded version,
// or DefaultVersion if history has no marker because the run started before the change.
// A recorded version outside [minSupported, maxSupported] panics, failing the workflow
// task until a compatible worker takes it.
func GetVersion(ctx Context, changeID string, minSupported, maxSupported Version) Version {
	env := envFrom(ctx)
	version, known := env.changeVersions[changeID]
	if !known {
		version = DefaultVersion
		if !env.replaying {
			version = maxSupported
			env.recordVersion(changeID, version)
		}
		env.changeVersions[changeID] = version
	}
	if version < minSupported || version > maxSupported {
		panic(fmt.Sprintf("workflow code supports versions %d to %d of change %q but history recorded version %d",
			minSupported, maxSupported, changeID, version))
	}
	return version
}

// recordVersion adds the Version marker and the TemporalChangeVersion upsert the Go SDK
// writes with it.
func (e *runEnv) recordVersion(changeID string, version Version) {
	idPayloads, err1 := e.dataConverter.ToPayloads(changeID)
	versionPayloads, err2 := e.dataConverter.ToPayloads(version)
	if err1 != nil || err2 != nil {
		panic(fmt.Sprintf("encoding Version marker for %q: %v %v", changeID, err1, err2))
	}
	e.addCommand(markerCommand(versionMarkerName, map[string]*commonpb.Payloads{
		versionChangeIDKey: idPayloads, versionKey: versionPayloads,
	}), true)
	values := []string{fmt.Sprintf("%s-%d", changeID, version)}
	for _, id := range sortedKeys(e.changeVersions) {
		values = append(values, fmt.Sprintf("%s-%d", id, e.changeVersions[id]))
	}
	payload, err := e.dataConverter.ToPayload(values)
	if err != nil {
		panic(fmt.Sprintf("encoding %s: %v", changeVersionSearchAttribute, err))
	}
	payload.Metadata["type"] = []byte("KeywordList")
	e.addCommand(&commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
		Attributes: &commandpb.Command_UpsertWorkflowSearchAttributesCommandAttributes{
			UpsertWorkflowSearchAttributesCommandAttributes: &commandpb.UpsertWorkflowSearchAttributesCommandAttributes{
				SearchAttributes: &commonpb.SearchAttributes{IndexedFields: map[string]*commonpb.Payload{changeVersionSearchAttribute: payload}},
			},
		},
	}, true)
}

func markerCommand(name string, details map[string]*commonpb.Payloads) *commandpb.Command {
	return &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_RECORD_MARKER,
		Attributes: &commandpb.Command_RecordMarkerCommandAttributes{RecordMarkerCommandAttributes: &commandpb.RecordMarkerCommandAttributes{
			MarkerName: name, Details: details,
		}},
	}
}

// preloadMarker makes a marker's data available to code that runs before the marker's
// own batch is applied (the code that produced it, on replay).
func (e *runEnv) preloadMarker(ev *historypb.HistoryEvent, next *historypb.HistoryEvent) error {
	attrs := ev.GetMarkerRecordedEventAttributes()
	details := attrs.GetDetails()
	switch attrs.GetMarkerName() {
	case sideEffectMarkerName:
		var id int64
		if err := e.dataConverter.FromPayloads(details[markerIDKey], &id); err != nil {
			return fmt.Errorf("decoding SideEffect marker of event %d: %w", ev.GetEventId(), err)
		}
		e.sideEffectResults[id] = details[markerDataKey]
	case versionMarkerName:
		var changeID string
		var version Version
		if err := e.dataConverter.FromPayloads(details[versionChangeIDKey], &changeID); err != nil {
			return fmt.Errorf("decoding Version marker of event %d: %w", ev.GetEventId(), err)
		}
		if err := e.dataConverter.FromPayloads(details[versionKey], &version); err != nil {
			return fmt.Errorf("decoding Version marker of event %d: %w", ev.GetEventId(), err)
		}
		if _, known := e.changeVersions[changeID]; !known {
			e.changeVersions[changeID] = version
		}
		span := int64(1)
		if isUnmatchedEvent(next, ev) {
			span = 2
		}
		e.versionMarkerSpans[ev.GetEventId()] = span
	case mutableSideEffectMarkerName:
		return e.preloadMutableMarker(ev)
	}
	return nil
}
