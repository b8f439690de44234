package visibility

import (
	"fmt"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/proto"
)

func encodeFields(t *testing.T, fields map[string]*commonpb.Payload) []byte {
	t.Helper()
	b, err := proto.Marshal(&commonpb.SearchAttributes{IndexedFields: fields})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func jsonPayload(data string) *commonpb.Payload {
	return &commonpb.Payload{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(data)}
}

func TestIndexRows(t *testing.T) {
	blob := encodeFields(t, map[string]*commonpb.Payload{
		"Kw":      jsonPayload(`"alpha"`),
		"Num":     jsonPayload(`9007199254740993`),
		"Dbl":     jsonPayload(`2.5`),
		"Flag":    jsonPayload(`true`),
		"Off":     jsonPayload(`false`),
		"When":    jsonPayload(`"2025-06-01T12:00:00+02:00"`),
		"Tags":    jsonPayload(`["b","a","b"]`),
		"Null":    jsonPayload(`null`),
		"Obj":     jsonPayload(`{"x":1}`),
		"Bad":     jsonPayload(`{`),
		"Binary":  {Metadata: map[string][]byte{"encoding": []byte("binary/plain")}, Data: []byte("x")},
		"Missing": nil,
		"Untyped": {Data: []byte(`7`)},
	})
	got := fmt.Sprint(describeRows(IndexRows(blob)))
	want := "[Dbl=float64:2.5 Flag=int64:1 Kw=string:alpha Num=int64:9007199254740993 Off=int64:0 Tags=string:a Tags=string:b Untyped=int64:7 When=string:2025-06-01T12:00:00+02:00@1748772000000000000]"
	if got != want {
		t.Errorf("IndexRows:\n got %s\nwant %s", got, want)
	}
	for _, junk := range [][]byte{nil, {}, []byte("attrs"), {0xff, 0xff}} {
		if rows := IndexRows(junk); len(rows) != 0 {
			t.Errorf("IndexRows(%q) = %v", junk, rows)
		}
	}
}

func describeRows(rows []IndexRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = fmt.Sprintf("%s=%T:%v", r.Name, r.Value, r.Value)
		if r.TimeNanos != nil {
			out[i] += fmt.Sprintf("@%d", *r.TimeNanos)
		}
	}
	return out
}

func TestTextMatches(t *testing.T) {
	cases := []struct {
		text, query string
		want        bool
	}{
		{"The quick brown fox", "fox", true},
		{"The quick brown fox", "FOX dog", true},
		{"The quick brown fox", "fo", false},
		{"order-42 shipped", "42", true},
		{"Grüße aus Köln", "köln", true},
		{"anything", "", false},
		{"", "x", false},
	}
	for _, tc := range cases {
		if got := TextMatches(tc.text, tc.query); got != tc.want {
			t.Errorf("TextMatches(%q, %q) = %v", tc.text, tc.query, got)
		}
	}
}
