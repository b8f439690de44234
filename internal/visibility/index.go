package visibility

import (
	"encoding/json"
	"math"
	"strings"
	"unicode"

	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/proto"
)

// IndexRow is one indexed value of a run's search attribute: one per
// attribute, or one per element of a list.
type IndexRow struct {
	Name string
	// Value is a string, int64, float64 or, for booleans, int64 0 or 1.
	Value any
	// TimeNanos is set when Value is a string that reads as a datetime, so
	// that Datetime comparisons work whether or not the payload said its
	// type.
	TimeNanos *int64
}

// IndexRows decodes a run's encoded commonpb.SearchAttributes into the rows
// of search_attribute_values. Payloads are JSON (json/plain, as every SDK
// writes search attributes); a payload that does not decode, null, an
// object, or an encoding that is not understood indexes nothing, and so does
// a blob that is not SearchAttributes at all. The result is sorted by name
// and value and holds no duplicates.
func IndexRows(encoded []byte) []IndexRow {
	if len(encoded) == 0 {
		return nil
	}
	sa := &commonpb.SearchAttributes{}
	if err := proto.Unmarshal(encoded, sa); err != nil {
		return nil
	}
	var rows []IndexRow
	for name, p := range sa.GetIndexedFields() {
		if name == "" || p == nil || !isJSONPayload(p) {
			continue
		}
		var decoded any
		dec := json.NewDecoder(strings.NewReader(string(p.Data)))
		dec.UseNumber()
		if err := dec.Decode(&decoded); err != nil {
			continue
		}
		if list, ok := decoded.([]any); ok {
			for _, item := range list {
				if row, ok := indexRow(name, item); ok {
					rows = append(rows, row)
				}
			}
			continue
		}
		if row, ok := indexRow(name, decoded); ok {
			rows = append(rows, row)
		}
	}
	return sortRows(rows)
}

func isJSONPayload(p *commonpb.Payload) bool {
	enc := string(p.GetMetadata()["encoding"])
	return enc == "" || enc == "json/plain"
}

func indexRow(name string, v any) (IndexRow, bool) {
	row := IndexRow{Name: name}
	switch v := v.(type) {
	case string:
		row.Value = v
		if t, ok := ParseTime(v); ok {
			n := t.UnixNano()
			row.TimeNanos = &n
		}
	case json.Number:
		if i, err := v.Int64(); err == nil {
			row.Value = i
		} else if f, err := v.Float64(); err == nil && !math.IsInf(f, 0) {
			row.Value = f
		} else {
			return row, false
		}
	case bool:
		row.Value = int64(0)
		if v {
			row.Value = int64(1)
		}
	default:
		return row, false
	}
	return row, true
}

// Words splits text into lower-cased runs of letters and digits: the units
// Text search attributes match on.
func Words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// TextMatches reports whether text shares at least one word with query.
func TextMatches(text, query string) bool {
	want := Words(query)
	if len(want) == 0 {
		return false
	}
	have := make(map[string]struct{})
	for _, w := range Words(text) {
		have[w] = struct{}{}
	}
	for _, w := range want {
		if _, ok := have[w]; ok {
			return true
		}
	}
	return false
}
