package machine

import (
	"encoding/json"
	"fmt"

	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/proto"
)

// persistedState is State as stored: buffered events travel as protobuf bytes.
type persistedState struct {
	*State
	BufferedEvents [][]byte `json:",omitempty"`
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
	return b, nil
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
	if p.State.Activities == nil {
		p.State.Activities = map[int64]*Activity{}
	}
	if p.State.Timers == nil {
		p.State.Timers = map[string]*Timer{}
	}
	return p.State, nil
}
