package sundial

import failurepb "go.temporal.io/api/failure/v1"

// decodedFrom remembers the Failure an error was decoded from, so encoding the error
// again reproduces the original exactly (stack trace, source, encoded attributes).
type decodedFrom struct {
	failure *failurepb.Failure
}

func (d *decodedFrom) originalFailure() *failurepb.Failure { return d.failure }

func (d *decodedFrom) setOriginalFailure(f *failurepb.Failure) { d.failure = f }

type failureOrigin interface {
	originalFailure() *failurepb.Failure
	setOriginalFailure(f *failurepb.Failure)
}

// OriginalFailure returns the Failure err was decoded from, or nil when err is not one
// of this package's error types or was created locally. Only err itself is inspected,
// not its chain. FailureConverter implementations use it to re-encode decoded errors
// without loss.
func OriginalFailure(err error) *failurepb.Failure {
	if o, ok := err.(failureOrigin); ok {
		return o.originalFailure()
	}
	return nil
}

// SetOriginalFailure records on err the Failure it was decoded from; it does nothing when
// err is not one of this package's error types. FailureConverter implementations call
// it right after building an error from a Failure.
func SetOriginalFailure(err error, f *failurepb.Failure) {
	if o, ok := err.(failureOrigin); ok {
		o.setOriginalFailure(f)
	}
}

// DetailValues returns the details err was built with, for FailureConverter
// implementations: ApplicationError and CanceledError details, or TimeoutError last
// heartbeat details. The result is either plain Go values or a single EncodedValues
// (when err was decoded). Other errors give nil. Only err itself is inspected.
func DetailValues(err error) []any {
	switch e := err.(type) {
	case *ApplicationError:
		return e.details
	case *CanceledError:
		return e.details
	case *TimeoutError:
		return e.lastHeartbeatDetails
	default:
		return nil
	}
}
