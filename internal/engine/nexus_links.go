package engine

import (
	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/proto"
)

// startLinks is what a start request's links leave on the run's started
// event: a link that one of the request's Nexus callbacks already carries is
// recorded with that callback only, as Temporal's frontend drops it (the
// SDKs send a Nexus caller's link twice, for servers that keep links only on
// the request).
func startLinks(links []*commonpb.Link, callbacks []*commonpb.Callback) []*commonpb.Link {
	if len(links) == 0 {
		return nil
	}
	var out []*commonpb.Link
	for _, l := range links {
		if !carriedByCallback(l, callbacks) {
			out = append(out, l)
		}
	}
	return out
}

func carriedByCallback(l *commonpb.Link, callbacks []*commonpb.Callback) bool {
	for _, cb := range callbacks {
		if cb.GetNexus() == nil {
			continue
		}
		for _, c := range cb.GetLinks() {
			if proto.Equal(l, c) {
				return true
			}
		}
	}
	return false
}
