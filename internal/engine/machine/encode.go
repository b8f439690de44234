package machine

import (
	"encoding/json"
	"fmt"

	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/proto"
)

// persistedState is State as stored: buffered events travel as protobuf bytes,
// and the activities come last. Encode writes it with appendStateJSON; Decode
// reads it with encoding/json.
type persistedState struct {
	*State
	BufferedEvents [][]byte            `json:",omitempty"`
	Activities     map[int64]*Activity `json:",omitzero"`
}

// Encode serializes a run's state for the store.
func Encode(s *State) ([]byte, error) {
	var buffered [][]byte
	for _, ev := range s.Buffered {
		b, err := proto.Marshal(ev)
		if err != nil {
			return nil, fmt.Errorf("encoding buffered event: %w", err)
		}
		buffered = append(buffered, b)
	}
	b, err := appendStateJSON(make([]byte, 0, 1024+512*len(s.Activities)), s, buffered)
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
	p.State.Activities = p.Activities
	if p.State.Activities == nil {
		p.State.Activities = map[int64]*Activity{}
	}
	if p.State.Timers == nil {
		p.State.Timers = map[string]*Timer{}
	}
	return p.State, nil
}
