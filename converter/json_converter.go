package converter

import (
	"encoding/json"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
)

// JSONPayloadConverter encodes any value with encoding/json as json/plain. It accepts
// every value, so it belongs last in a composite converter.
type JSONPayloadConverter struct{}

// ToPayload marshals value to JSON.
func (JSONPayloadConverter) ToPayload(value any) (*commonpb.Payload, error) {
	data, err := json.Marshal(value)
	if err != nil {
		return nil, fmt.Errorf("encoding %T as JSON: %w", value, err)
	}
	return newPayload(data, EncodingJSON), nil
}

// FromPayload unmarshals the JSON data into valuePtr.
func (JSONPayloadConverter) FromPayload(payload *commonpb.Payload, valuePtr any) error {
	if err := json.Unmarshal(payload.GetData(), valuePtr); err != nil {
		return fmt.Errorf("decoding JSON into %T: %w", valuePtr, err)
	}
	return nil
}

// Encoding is json/plain.
func (JSONPayloadConverter) Encoding() string { return EncodingJSON }
