package tasktoken

import (
	"errors"
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// ErrMalformed is wrapped by every error Decode returns, so callers can map any decoding
// failure to one response (InvalidArgument) with errors.Is.
var ErrMalformed = errors.New("malformed task token")

// Decode reads a token written by Encode. It refuses empty or oversized input, an unknown
// format version, truncated or badly typed fields, an unknown kind, and tokens that lack
// a field their kind requires. Unknown fields are skipped and a repeated field keeps its
// last value, as in protobuf, so newer writers can add fields.
func Decode(b []byte) (Token, error) {
	if len(b) == 0 {
		return Token{}, malformed("token is empty")
	}
	if len(b) > MaxEncodedSize {
		return Token{}, malformed("token is %d bytes, more than the limit of %d", len(b), MaxEncodedSize)
	}
	if b[0] != formatVersion {
		return Token{}, malformed("unknown format version %d", b[0])
	}
	var t Token
	rest := b[1:]
	for len(rest) > 0 {
		n, err := decodeField(&t, rest)
		if err != nil {
			return Token{}, err
		}
		rest = rest[n:]
	}
	if err := checkComplete(t); err != nil {
		return Token{}, err
	}
	return t, nil
}

// decodeField reads one field from b into t and returns how many bytes it used.
func decodeField(t *Token, b []byte) (int, error) {
	num, typ, tagLen := protowire.ConsumeTag(b)
	if tagLen < 0 {
		return 0, malformed("bad field tag: %v", protowire.ParseError(tagLen))
	}
	b = b[tagLen:]
	switch num {
	case fieldKind, fieldScheduledEventID, fieldStartedEventID, fieldAttempt:
		if typ != protowire.VarintType {
			return 0, malformed("field %d has wire type %d, want varint", num, typ)
		}
		v, n := protowire.ConsumeVarint(b)
		if n < 0 {
			return 0, malformed("field %d: %v", num, protowire.ParseError(n))
		}
		if err := setVarint(t, num, v); err != nil {
			return 0, err
		}
		return tagLen + n, nil
	case fieldNamespaceID, fieldWorkflowID, fieldRunID, fieldActivityID, fieldQueryID:
		if typ != protowire.BytesType {
			return 0, malformed("field %d has wire type %d, want bytes", num, typ)
		}
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return 0, malformed("field %d: %v", num, protowire.ParseError(n))
		}
		setString(t, num, string(v))
		return tagLen + n, nil
	default:
		n, err := skipLen(num, typ, b)
		if err != nil {
			return 0, err
		}
		return tagLen + n, nil
	}
}

// skipLen returns how many bytes the value of an unknown field takes. Groups are refused:
// this format never writes them, and skipping them would need recursion.
func skipLen(num protowire.Number, typ protowire.Type, b []byte) (int, error) {
	if typ == protowire.StartGroupType || typ == protowire.EndGroupType {
		return 0, malformed("field %d uses unsupported group wire type", num)
	}
	n := protowire.ConsumeFieldValue(num, typ, b)
	if n < 0 {
		return 0, malformed("unknown field %d: %v", num, protowire.ParseError(n))
	}
	return n, nil
}

func setVarint(t *Token, num protowire.Number, v uint64) error {
	switch num {
	case fieldKind:
		if v > math.MaxUint8 {
			return malformed("unknown kind %d", v)
		}
		t.Kind = Kind(v)
	case fieldScheduledEventID:
		t.ScheduledEventID = int64(v)
	case fieldStartedEventID:
		t.StartedEventID = int64(v)
	case fieldAttempt:
		a := int64(v)
		if a < math.MinInt32 || a > math.MaxInt32 {
			return malformed("attempt %d is out of range", a)
		}
		t.Attempt = int32(a)
	}
	return nil
}

func setString(t *Token, num protowire.Number, v string) {
	switch num {
	case fieldNamespaceID:
		t.NamespaceID = v
	case fieldWorkflowID:
		t.WorkflowID = v
	case fieldRunID:
		t.RunID = v
	case fieldActivityID:
		t.ActivityID = v
	case fieldQueryID:
		t.QueryID = v
	}
}

// checkComplete refuses a token that lacks what its kind needs to find the task again.
func checkComplete(t Token) error {
	switch t.Kind {
	case WorkflowTask, ActivityTask, QueryTask:
	case 0:
		return malformed("kind is missing")
	default:
		return malformed("unknown kind %d", uint8(t.Kind))
	}
	if t.NamespaceID == "" {
		return malformed("%v token has no namespace id", t.Kind)
	}
	if t.WorkflowID == "" {
		return malformed("%v token has no workflow id", t.Kind)
	}
	if t.RunID == "" {
		return malformed("%v token has no run id", t.Kind)
	}
	switch t.Kind {
	case WorkflowTask:
		if t.ScheduledEventID <= 0 {
			return malformed("WorkflowTask token has scheduled event id %d, want > 0", t.ScheduledEventID)
		}
		if t.StartedEventID <= 0 {
			return malformed("WorkflowTask token has started event id %d, want > 0", t.StartedEventID)
		}
		if t.Attempt <= 0 {
			return malformed("WorkflowTask token has attempt %d, want > 0", t.Attempt)
		}
	case ActivityTask:
		if t.ScheduledEventID <= 0 {
			return malformed("ActivityTask token has scheduled event id %d, want > 0", t.ScheduledEventID)
		}
		if t.Attempt <= 0 {
			return malformed("ActivityTask token has attempt %d, want > 0", t.Attempt)
		}
	case QueryTask:
		if t.QueryID == "" {
			return malformed("QueryTask token has no query id")
		}
	}
	return nil
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}
