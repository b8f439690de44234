package machine

import "sort"

// sortedTimers orders timers by fire time, then id, so that timers due together
// fire in a deterministic order.
func sortedTimers(m map[string]*Timer) []*Timer {
	out := make([]*Timer, 0, len(m))
	for _, t := range m {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].FireTime.Equal(out[j].FireTime) {
			return out[i].FireTime.Before(out[j].FireTime)
		}
		return out[i].StartedEventID < out[j].StartedEventID
	})
	return out
}

// sortedChildren orders children by initiated event id.
func sortedChildren(m map[int64]*Child) []*Child {
	out := make([]*Child, 0, len(m))
	for _, c := range m {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].InitiatedEventID < out[j].InitiatedEventID })
	return out
}
