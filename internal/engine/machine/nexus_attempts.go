package machine

import (
	failurepb "go.temporal.io/api/failure/v1"
	"google.golang.org/protobuf/proto"
)

// nexusUpstreamTimeout is how a start or cancel request that no worker
// answered in time failed: Temporal's "upstream timeout" handler error.
func nexusUpstreamTimeout() *failurepb.Failure {
	return &failurepb.Failure{
		Message: "upstream timeout",
		FailureInfo: &failurepb.Failure_NexusHandlerFailureInfo{NexusHandlerFailureInfo: &failurepb.NexusHandlerFailureInfo{
			Type: "UPSTREAM_TIMEOUT",
		}},
	}
}

// encodeFailure stores a failure in a run's state; nil stays nil.
func encodeFailure(f *failurepb.Failure) []byte {
	if f == nil {
		return nil
	}
	b, err := proto.Marshal(f)
	if err != nil {
		return nil
	}
	return b
}

// DecodeFailure reads a failure encodeFailure stored; nil when there is none.
func DecodeFailure(b []byte) *failurepb.Failure {
	if len(b) == 0 {
		return nil
	}
	f := &failurepb.Failure{}
	if proto.Unmarshal(b, f) != nil {
		return nil
	}
	return f
}
