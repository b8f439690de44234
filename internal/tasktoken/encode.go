package tasktoken

import "google.golang.org/protobuf/encoding/protowire"

// Encode writes t as a token. Zero-valued fields are left out. Encode does not check
// that t is complete; Decode does, so a token built from an incomplete Token will be
// refused when it comes back.
func Encode(t Token) []byte {
	size := 1 + 2 + // version byte, kind
		stringFieldSize(t.NamespaceID) + stringFieldSize(t.WorkflowID) + stringFieldSize(t.RunID) +
		stringFieldSize(t.ActivityID) + stringFieldSize(t.QueryID) + 3*11
	b := make([]byte, 0, size)
	b = append(b, formatVersion)
	b = appendVarintField(b, fieldKind, uint64(t.Kind))
	b = appendStringField(b, fieldNamespaceID, t.NamespaceID)
	b = appendStringField(b, fieldWorkflowID, t.WorkflowID)
	b = appendStringField(b, fieldRunID, t.RunID)
	b = appendVarintField(b, fieldScheduledEventID, uint64(t.ScheduledEventID))
	b = appendVarintField(b, fieldStartedEventID, uint64(t.StartedEventID))
	// Sign-extended like protobuf's int32, so negative values survive a round trip.
	b = appendVarintField(b, fieldAttempt, uint64(int64(t.Attempt)))
	b = appendStringField(b, fieldActivityID, t.ActivityID)
	b = appendStringField(b, fieldQueryID, t.QueryID)
	return b
}

func appendVarintField(b []byte, num protowire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func appendStringField(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func stringFieldSize(s string) int {
	if s == "" {
		return 0
	}
	return 1 + protowire.SizeBytes(len(s))
}
