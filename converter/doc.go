// Package converter turns Go values into Temporal payloads and back, and Go errors into
// Temporal failures and back.
//
// A [PayloadConverter] handles one encoding. A [DataConverter] chooses among several:
// [GetDefaultDataConverter] tries, in order, nil (binary/null), []byte (binary/plain),
// protobuf messages as JSON (json/protobuf), protobuf messages as binary (binary/protobuf,
// only reached for converters built without the JSON one) and finally encoding/json
// (json/plain). The order, the "encoding" and "messageType" metadata keys and the bytes
// produced are those of Temporal's SDKs, so payloads written by Sundial are read by the
// TypeScript, Python, Java and Go SDKs and the other way round.
//
// A [PayloadCodec] transforms encoded payloads as a whole, typically to compress
// ([NewZlibCodec]) or encrypt ([NewAESGCMCodec]) them; [NewCodecDataConverter] puts
// codecs behind a DataConverter.
//
// A [FailureConverter] maps Go errors (the types of package sundial, and any other error)
// to failurepb.Failure and back; see [NewDefaultFailureConverter].
package converter
