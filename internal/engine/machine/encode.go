package machine

import (
	"encoding/json"
	"fmt"
	"slices"

	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/proto"
)

// persistedState is State as stored: buffered events travel as protobuf bytes,
// and the activities, written by appendActivitiesJSON rather than by
// reflection, come last.
type persistedState struct {
	*State
	BufferedEvents [][]byte            `json:",omitempty"`
	Activities     map[int64]*Activity `json:",omitzero"`
}

// Encode serializes a run's state for the store.
func Encode(s *State) ([]byte, error) {
	p := persistedState{State: s}
	for _, ev := range s.Buffered {
		b, err := proto.Marshal(ev)
		if err != nil {
			return nil, fmt.Errorf("encoding buffered event: %w", err)
		}
		p.BufferedEvents = append(p.BufferedEvents, b)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encoding run state: %w", err)
	}
	if len(s.Activities) == 0 {
		return b, nil
	}
	// Reopen the object and add the activities as its last member.
	b = slices.Grow(b[:len(b)-1], 512*len(s.Activities))
	if b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = append(b, `"Activities":`...)
	if b, err = appendActivitiesJSON(b, s.Activities); err != nil {
		return nil, fmt.Errorf("encoding run state: %w", err)
	}
	return append(b, '}'), nil
}

// Decode restores a run's state written by Encode.
func Decode(b []byte) (*State, error) {
	p := persistedState{State: &State{}}
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("decoding run state: %w", err)
	}
	for _, raw := range p.BufferedEvents {
		ev := &historypb.HistoryEvent{}
		if err := proto.Unmarshal(raw, ev); err != nil {
			return nil, fmt.Errorf("decoding buffered event: %w", err)
		}
		p.State.Buffered = append(p.State.Buffered, ev)
	}
	p.State.Activities = p.Activities
	if p.State.Activities == nil {
		p.State.Activities = map[int64]*Activity{}
	}
	if p.State.Timers == nil {
		p.State.Timers = map[string]*Timer{}
	}
	return p.State, nil
}
