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

// NexusEndpointResolver finds an endpoint's current target by its id:
// found is false when no endpoint has that id any more; err reports a lookup
// that could not be made.
type NexusEndpointResolver func(id string) (target NexusTarget, found bool, err error)

// retargetNexus schedules the next start attempt of an operation that backed
// off, at its endpoint's current target: as Temporal looks an endpoint up by
// id at every attempt, an endpoint updated since the operation was scheduled
// redirects the retry, and a deleted one fails the operation with a
// non-retryable "endpoint not registered" handler error. A lookup that fails
// keeps the previous target.
func (tx *Tx) retargetNexus(op *NexusOperation) {
	if tx.NexusEndpointByID != nil && op.EndpointID != "" {
		target, found, err := tx.NexusEndpointByID(op.EndpointID)
		switch {
		case err != nil:
		case !found:
			tx.finishNexusUnsuccessfully(op, &failurepb.Failure{
				Message: "endpoint not registered",
				FailureInfo: &failurepb.Failure_NexusHandlerFailureInfo{NexusHandlerFailureInfo: &failurepb.NexusHandlerFailureInfo{
					Type: "NOT_FOUND",
				}},
			})
			return
		default:
			op.NamespaceID, op.Namespace, op.TaskQueue = target.NamespaceID, target.Namespace, target.TaskQueue
		}
	}
	op.State, op.AttemptTime = NexusScheduled, tx.Now
}
