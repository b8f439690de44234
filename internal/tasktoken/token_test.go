package tasktoken

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

func sampleTokens() []Token {
	return []Token{
		{
			Kind: WorkflowTask, NamespaceID: "7f0c9c1e-3b51-4f0e-9a55-2c3f1d9e8a01",
			WorkflowID: "order-42", RunID: "0b6c7f3e-8a1d-4c2b-9e5f-6a7b8c9d0e1f",
			ScheduledEventID: 2, StartedEventID: 3, Attempt: 1,
		},
		{
			Kind: ActivityTask, NamespaceID: "ns-id", WorkflowID: "wf", RunID: "run",
			ScheduledEventID: 5, Attempt: 7, ActivityID: "charge-card",
		},
		{
			Kind: QueryTask, NamespaceID: "ns-id", WorkflowID: "wf", RunID: "run",
			QueryID: "q-1",
		},
		{
			// Large values and non-ASCII ids survive too.
			Kind: WorkflowTask, NamespaceID: "ns", WorkflowID: "работа/日本", RunID: "r",
			ScheduledEventID: 1<<62 + 3, StartedEventID: 1<<62 + 4, Attempt: 1<<31 - 1,
		},
	}
}

func TestRoundTrip(t *testing.T) {
	for _, want := range sampleTokens() {
		t.Run(want.Kind.String(), func(t *testing.T) {
			b := Encode(want)
			if bytes.HasPrefix(b, []byte("local_act_")) {
				t.Fatalf("token %q begins with the local-activity prefix", b)
			}
			if b[0] != formatVersion {
				t.Fatalf("first byte = %#x, want version %#x", b[0], formatVersion)
			}
			got, err := Decode(b)
			if err != nil {
				t.Fatalf("Decode(Encode(%+v)): %v", want, err)
			}
			if got != want {
				t.Fatalf("round trip: got %+v, want %+v", got, want)
			}
		})
	}
}

func TestEncodeIsDeterministic(t *testing.T) {
	tok := sampleTokens()[1]
	if a, b := Encode(tok), Encode(tok); !bytes.Equal(a, b) {
		t.Fatalf("two encodings differ: %x vs %x", a, b)
	}
	other := tok
	other.Attempt++
	if bytes.Equal(Encode(tok), Encode(other)) {
		t.Fatal("tokens for different attempts encode the same")
	}
}

// build assembles a token by hand so tests can produce inputs Encode never would.
func build(parts ...func([]byte) []byte) []byte {
	b := []byte{formatVersion}
	for _, p := range parts {
		b = p(b)
	}
	return b
}

func varintField(num protowire.Number, v uint64) func([]byte) []byte {
	return func(b []byte) []byte {
		b = protowire.AppendTag(b, num, protowire.VarintType)
		return protowire.AppendVarint(b, v)
	}
}

func bytesField(num protowire.Number, s string) func([]byte) []byte {
	return func(b []byte) []byte {
		b = protowire.AppendTag(b, num, protowire.BytesType)
		return protowire.AppendString(b, s)
	}
}

func tagged(num protowire.Number, typ protowire.Type, extra ...byte) func([]byte) []byte {
	return func(b []byte) []byte { return append(protowire.AppendTag(b, num, typ), extra...) }
}

func raw(extra ...byte) func([]byte) []byte {
	return func(b []byte) []byte { return append(b, extra...) }
}

// activityBase is a complete activity token's fields.
func activityBase() []func([]byte) []byte {
	return []func([]byte) []byte{
		varintField(fieldKind, uint64(ActivityTask)),
		bytesField(fieldNamespaceID, "ns"),
		bytesField(fieldWorkflowID, "wf"),
		bytesField(fieldRunID, "run"),
		varintField(fieldScheduledEventID, 5),
		varintField(fieldAttempt, 1),
	}
}

func TestDecodeAcceptsUnknownAndRepeatedFields(t *testing.T) {
	parts := append(activityBase(),
		varintField(42, 99),     // unknown varint
		bytesField(43, "extra"), // unknown bytes
		tagged(44, protowire.Fixed32Type, 1, 2, 3, 4),
		tagged(45, protowire.Fixed64Type, 1, 2, 3, 4, 5, 6, 7, 8),
		bytesField(fieldWorkflowID, "wf-last"), // repeated: last wins
	)
	got, err := Decode(build(parts...))
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	want := Token{Kind: ActivityTask, NamespaceID: "ns", WorkflowID: "wf-last", RunID: "run", ScheduledEventID: 5, Attempt: 1}
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestDecodeRejectsMalformed(t *testing.T) {
	valid := Encode(sampleTokens()[0])
	without := func(skip int) []byte {
		parts := activityBase()
		return build(append(parts[:skip:skip], parts[skip+1:]...)...)
	}
	withAttempt := func(v uint64) []byte {
		parts := activityBase()
		parts[5] = varintField(fieldAttempt, v)
		return build(parts...)
	}
	cases := []struct {
		name  string
		input []byte
		want  string
	}{
		{"nil", nil, "token is empty"},
		{"empty", []byte{}, "token is empty"},
		{"local activity prefix", []byte("local_act_123"), "unknown format version 108"},
		{"wrong version", append([]byte{0x02}, valid[1:]...), "unknown format version 2"},
		{"version only", []byte{formatVersion}, "kind is missing"},
		{"oversized", append([]byte{formatVersion}, make([]byte, MaxEncodedSize)...), "more than the limit"},
		{"truncated in the middle of a string", valid[:len(valid)/2], "field"},
		{"truncated tag", build(raw(0x80)), "bad field tag"},
		{"field number zero", build(raw(0x00)), "bad field tag"},
		{"truncated varint", build(tagged(fieldKind, protowire.VarintType, 0x80)), "field 1"},
		{"string length past end", build(tagged(fieldNamespaceID, protowire.BytesType, 10, 'a')), "field 2"},
		{"kind as bytes", build(bytesField(fieldKind, "x")), "field 1 has wire type 2, want varint"},
		{"namespace as varint", build(varintField(fieldNamespaceID, 1)), "field 2 has wire type 0, want bytes"},
		{"group wire type", build(tagged(50, protowire.StartGroupType)), "group"},
		{"truncated unknown fixed64", build(tagged(50, protowire.Fixed64Type, 1, 2)), "unknown field 50"},
		{"unknown kind", build(varintField(fieldKind, 9)), "unknown kind 9"},
		{"kind overflows a byte", build(varintField(fieldKind, 257)), "unknown kind 257"},
		{"no namespace", without(1), "has no namespace id"},
		{"no workflow id", without(2), "has no workflow id"},
		{"no run id", without(3), "has no run id"},
		{"activity without scheduled event", without(4), "scheduled event id 0"},
		{"activity without attempt", without(5), "attempt 0"},
		{"attempt out of int32 range", withAttempt(1 << 40), "out of range"},
		{"negative attempt", withAttempt(uint64(1<<64 - 1)), "attempt -1"},
		{"workflow task without started event", Encode(Token{Kind: WorkflowTask, NamespaceID: "n", WorkflowID: "w", RunID: "r", ScheduledEventID: 2, Attempt: 1}), "started event id 0"},
		{"query without query id", Encode(Token{Kind: QueryTask, NamespaceID: "n", WorkflowID: "w", RunID: "r"}), "no query id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := Decode(tc.input)
			if err == nil {
				t.Fatalf("Decode succeeded with %+v, want error containing %q", tok, tc.want)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("error %v does not wrap ErrMalformed", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{WorkflowTask: "WorkflowTask", ActivityTask: "ActivityTask", QueryTask: "QueryTask", 9: "Kind(9)"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", k, got, want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, tok := range sampleTokens() {
		f.Add(Encode(tok))
	}
	f.Add([]byte{})
	f.Add([]byte{formatVersion})
	f.Add([]byte("local_act_abc"))
	f.Add(build(append(activityBase(), varintField(42, 1), bytesField(43, "x"))...))
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, err := Decode(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		again := Encode(tok)
		if bytes.HasPrefix(again, []byte("local_act_")) {
			t.Fatalf("re-encoded token begins with the local-activity prefix: %q", again)
		}
		tok2, err := Decode(again)
		if err != nil {
			t.Fatalf("Decode(Encode(%+v)) failed: %v", tok, err)
		}
		if tok2 != tok {
			t.Fatalf("re-decoded %+v, want %+v", tok2, tok)
		}
	})
}
