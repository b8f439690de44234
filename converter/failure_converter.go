package converter

import (
	failurepb "go.temporal.io/api/failure/v1"
)

// FailureConverter maps Go errors to Temporal failures and back.
type FailureConverter interface {
	// ErrorToFailure converts err and its cause chain; nil gives nil.
	ErrorToFailure(err error) *failurepb.Failure
	// FailureToError converts a failure and its cause chain; nil gives nil.
	FailureToError(failure *failurepb.Failure) error
}

// DefaultFailureConverterOptions configure NewDefaultFailureConverter.
type DefaultFailureConverterOptions struct {
	// DataConverter encodes error details and encoded attributes; nil means
	// GetDefaultDataConverter().
	DataConverter DataConverter
	// EncodeCommonAttributes moves each failure's message and stack trace into an encoded
	// payload (Failure.encoded_attributes, a JSON object {"message", "stack_trace"}) and
	// replaces the message with "Encoded failure". With a codec DataConverter that encrypts,
	// this keeps error messages out of the server's storage, as Temporal's SDKs do.
	EncodeCommonAttributes bool
}

// failureSource is written to Failure.source for failures created here.
const failureSource = "SundialGoSDK"

// encodedFailureMessage replaces the message of a failure whose attributes are encoded.
const encodedFailureMessage = "Encoded failure"

// defaultFailureConverter is the FailureConverter of NewDefaultFailureConverter.
type defaultFailureConverter struct {
	dataConverter          DataConverter
	encodeCommonAttributes bool
}

// NewDefaultFailureConverter returns the standard FailureConverter. It maps the error
// types of package sundial to their failure infos (application, canceled, timeout,
// terminated, server, activity, child workflow), keeps cause chains both ways, records
// panic stack traces, and turns any other Go error into an application failure whose
// type is the error's Go type name (dereferenced; "" for errors.New's type), exactly as
// Temporal's Go SDK does, so other SDKs see the same failures. An error decoded from a
// failure is re-encoded as that very failure.
func NewDefaultFailureConverter(opts DefaultFailureConverterOptions) FailureConverter {
	dc := opts.DataConverter
	if dc == nil {
		dc = GetDefaultDataConverter()
	}
	return &defaultFailureConverter{dataConverter: dc, encodeCommonAttributes: opts.EncodeCommonAttributes}
}

// GetDefaultFailureConverter returns NewDefaultFailureConverter with default options.
func GetDefaultFailureConverter() FailureConverter {
	return NewDefaultFailureConverter(DefaultFailureConverterOptions{})
}
