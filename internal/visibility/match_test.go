package visibility

import (
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
)

func TestMatchInMemory(t *testing.T) {
	catalog := Catalog{Only: true, Custom: map[string]enumspb.IndexedValueType{
		"TaskQueue": enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		"HostName":  enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		"StartTime": enumspb.INDEXED_VALUE_TYPE_DATETIME,
	}}
	row := map[string]any{"TaskQueue": "orders", "StartTime": int64(1_000_000_000)} // HostName unset
	value := func(name string) (any, bool) { v, ok := row[name]; return v, ok }
	cases := map[string]bool{
		"":                                     true,
		"TaskQueue = 'orders'":                 true,
		"TaskQueue != 'orders'":                false,
		"NOT TaskQueue = 'orders'":             false,
		"TaskQueue STARTS_WITH 'ord'":          true,
		"TaskQueue NOT STARTS_WITH 'ord'":      false,
		"TaskQueue IN ('a', 'orders')":         true,
		"TaskQueue NOT IN ('a', 'orders')":     false,
		"HostName IS NULL":                     true,
		"HostName = 'h'":                       false,
		"HostName != 'h'":                      false,
		"StartTime > '1970-01-01T00:00:00Z'":   true,
		"StartTime < '1970-01-01T00:00:00Z'":   false,
		"StartTime BETWEEN 0 AND 2000000000":   true,
		"TaskQueue = 'x' OR HostName IS NULL":  true,
		"TaskQueue = 'x' AND HostName IS NULL": false,
	}
	for query, want := range cases {
		q, err := Compile(query, catalog)
		if err != nil {
			t.Fatalf("Compile(%q): %v", query, err)
		}
		if got := Match(q.Filter, value); got != want {
			t.Errorf("Match(%q) = %v, want %v", query, got, want)
		}
	}
	if _, err := Compile("WorkflowId = 'a'", catalog); err == nil {
		t.Error("a catalog with Only set accepted a system attribute it does not list")
	}
}
