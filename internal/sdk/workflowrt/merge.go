package workflowrt

import commonpb "go.temporal.io/api/common/v1"

// mergeSearchAttributes applies an upsert: new values replace old ones, and empty
// payloads remove keys.
func mergeSearchAttributes(current, upsert *commonpb.SearchAttributes) *commonpb.SearchAttributes {
	merged := &commonpb.SearchAttributes{IndexedFields: make(map[string]*commonpb.Payload)}
	for k, v := range current.GetIndexedFields() {
		merged.IndexedFields[k] = v
	}
	for k, v := range upsert.GetIndexedFields() {
		if isEmptyPayload(v) {
			delete(merged.IndexedFields, k)
			continue
		}
		merged.IndexedFields[k] = v
	}
	return merged
}

// mergeMemo applies a memo upsert with the same rules.
func mergeMemo(current, upsert *commonpb.Memo) *commonpb.Memo {
	merged := &commonpb.Memo{Fields: make(map[string]*commonpb.Payload)}
	for k, v := range current.GetFields() {
		merged.Fields[k] = v
	}
	for k, v := range upsert.GetFields() {
		if isEmptyPayload(v) {
			delete(merged.Fields, k)
			continue
		}
		merged.Fields[k] = v
	}
	return merged
}

func isEmptyPayload(p *commonpb.Payload) bool {
	data := string(p.GetData())
	return p == nil || data == "" || data == "null" || data == "[]"
}
