package visibility

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
)

var testCatalog = Catalog{Custom: map[string]enumspb.IndexedValueType{
	"Kw":   enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"Txt":  enumspb.INDEXED_VALUE_TYPE_TEXT,
	"Num":  enumspb.INDEXED_VALUE_TYPE_INT,
	"Dbl":  enumspb.INDEXED_VALUE_TYPE_DOUBLE,
	"Flag": enumspb.INDEXED_VALUE_TYPE_BOOL,
	"When": enumspb.INDEXED_VALUE_TYPE_DATETIME,
	"Tags": enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST,
	// A custom attribute may not shadow a system one.
	"WorkflowId": enumspb.INDEXED_VALUE_TYPE_INT,
}}

// describe prints a resolved filter compactly, values with their Go types.
func describe(e Expr) string {
	switch e := e.(type) {
	case *And:
		return "AND(" + describeAll(e.Terms) + ")"
	case *Or:
		return "OR(" + describeAll(e.Terms) + ")"
	case *Comparison:
		vals := make([]string, len(e.Values))
		for i, v := range e.Values {
			vals[i] = fmt.Sprintf("%T:%v", v, v)
		}
		return fmt.Sprintf("%s %s %s", e.Attr.Name, e.Op, strings.Join(vals, ","))
	}
	return "?"
}

func describeAll(terms []Expr) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = describe(t)
	}
	return strings.Join(parts, "; ")
}

func TestResolve(t *testing.T) {
	jan := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano()
	cases := []struct{ query, want string }{
		{"WorkflowId = 'x'", "WorkflowId = string:x"},
		{"ExecutionStatus = 'Running'", "ExecutionStatus = int64:1"},
		{"ExecutionStatus = 'completed'", "ExecutionStatus = int64:2"},
		{"ExecutionStatus = 'WORKFLOW_EXECUTION_STATUS_TIMED_OUT'", "ExecutionStatus = int64:7"},
		{"ExecutionStatus IN (3, 'Terminated')", "ExecutionStatus IN int64:3,int64:5"},
		{"ExecutionDuration > '1m30s'", "ExecutionDuration > int64:90000000000"},
		{"ExecutionDuration > '2d'", "ExecutionDuration > int64:172800000000000"},
		{"ExecutionDuration < '01:00:00'", "ExecutionDuration < int64:3600000000000"},
		{"ExecutionDuration < 5", "ExecutionDuration < int64:5"},
		{"StartTime > '2025-01-02T03:04:05Z'", fmt.Sprintf("StartTime > int64:%d", jan)},
		{"StartTime > '2025-01-02T05:04:05+02:00'", fmt.Sprintf("StartTime > int64:%d", jan)},
		{"StartTime > '2025-01-02 03:04:05'", fmt.Sprintf("StartTime > int64:%d", jan)},
		{fmt.Sprintf("StartTime > %d", jan), fmt.Sprintf("StartTime > int64:%d", jan)},
		{"When BETWEEN '2025-01-02' AND '2025-01-03'", "When BETWEEN int64:1735776000000000000,int64:1735862400000000000"},
		{"Num = -3", "Num = int64:-3"},
		{"Num > 2.5", "Num > float64:2.5"},
		{"Dbl = 2", "Dbl = float64:2"},
		{"Flag = TRUE", "Flag = bool:true"},
		{"Flag != 'false'", "Flag != bool:false"},
		{"Tags = 'a'", "Tags = string:a"},
		{"Txt = 'hello world'", "Txt = string:hello world"},
		{"TemporalChangeVersion = 'v-1'", "TemporalChangeVersion = string:v-1"},
		{"BuildIds IS NULL", "BuildIds IS NULL "},
		// NOT is pushed down with De Morgan.
		{"NOT Kw = 'a'", "Kw != string:a"},
		{"NOT (Kw = 'a' AND Num < 3)", "OR(Kw != string:a; Num >= int64:3)"},
		{"NOT (Kw IN ('a') OR NOT Num BETWEEN 1 AND 2)", "AND(Kw NOT IN string:a; Num BETWEEN int64:1,int64:2)"},
		{"NOT NOT Kw STARTS_WITH 'p'", "Kw STARTS_WITH string:p"},
		{"NOT CloseTime IS NULL", "CloseTime IS NOT NULL "},
		{"a = 1 OR (Kw = 'x' OR Kw = 'y')", ""}, // unknown a: checked below
		{"Kw = 'a' AND (Num = 1 AND Num = 2)", "AND(Kw = string:a; Num = int64:1; Num = int64:2)"},
	}
	for _, tc := range cases {
		q, err := Compile(tc.query, testCatalog)
		if tc.want == "" {
			if err == nil {
				t.Errorf("Compile(%q) succeeded", tc.query)
			}
			continue
		}
		if err != nil {
			t.Errorf("Compile(%q): %v", tc.query, err)
			continue
		}
		if got := describe(q.Filter); got != tc.want {
			t.Errorf("Compile(%q) = %s, want %s", tc.query, got, tc.want)
		}
	}
}

func TestResolveRejects(t *testing.T) {
	cases := []struct {
		query   string
		token   string
		message string
	}{
		{"Unknown = 'a'", "Unknown", "invalid search attribute: Unknown is not defined"},
		{"workflowid = 'a'", "workflowid", "not defined"},
		{"WorkflowId = 5", "5", "does not fit Keyword search attribute WorkflowId"},
		{"WorkflowId > 5", "5", "does not fit"},
		{"Num = 'five'", "'five'", "does not fit Int search attribute Num"},
		{"Num = 99999999999999999999", "99999999999999999999", "not a 64-bit integer"},
		{"Dbl = 1e999", "1e999", "not a number"},
		{"Flag = 1", "1", "does not fit Bool"},
		{"Flag > true", ">", "operator > on Bool"},
		{"Txt > 'a'", ">", "operator > on Text"},
		{"Txt = '  ,; '", "'  ,; '", "no words to match"},
		{"Tags < 'a'", "<", "operator < on KeywordList"},
		{"Tags STARTS_WITH 'a'", "STARTS_WITH", "operator STARTS_WITH on KeywordList"},
		{"Num STARTS_WITH '1'", "STARTS_WITH", "operator STARTS_WITH on Int"},
		{"ExecutionStatus > 'Running'", ">", "operator > on ExecutionStatus"},
		{"ExecutionStatus = 'Sleeping'", "'Sleeping'", "invalid ExecutionStatus value 'Sleeping'"},
		{"ExecutionStatus = 0", "0", "invalid ExecutionStatus"},
		{"ExecutionStatus = 99", "99", "invalid ExecutionStatus"},
		{"StartTime = 'noon'", "'noon'", "unable to parse datetime 'noon'"},
		{"ExecutionDuration > 'long'", "'long'", "is not a duration"},
		{"When = true", "true", "does not fit Datetime"},
		{"GROUP BY WorkflowType", "WorkflowType", "GROUP BY is supported only on ExecutionStatus"},
		{"GROUP BY ExecutionStatus, WorkflowType", "WorkflowType", "single attribute"},
		{"ORDER BY Kw", "Kw", "ORDER BY Kw"},
		{"ORDER BY ExecutionDuration", "ExecutionDuration", "ORDER BY ExecutionDuration"},
		{"ORDER BY StartTime, StartTime DESC", "StartTime", "twice"},
	}
	for _, tc := range cases {
		_, err := Compile(tc.query, testCatalog)
		var qe *Error
		if !errors.As(err, &qe) {
			t.Errorf("Compile(%q) = %v, want an *Error", tc.query, err)
			continue
		}
		if qe.Token != tc.token || !strings.Contains(qe.Message, tc.message) || qe.Position == 0 {
			t.Errorf("Compile(%q) = %q (token %q), want token %q and a message containing %q", tc.query, qe.Error(), qe.Token, tc.token, tc.message)
		}
	}
}

func TestResolveShape(t *testing.T) {
	q, err := Compile("ExecutionStatus != 'Running' GROUP BY ExecutionStatus", testCatalog)
	if err != nil || !q.GroupsByStatus() {
		t.Fatalf("group by: %v, %v", q, err)
	}
	q, err = Compile("ORDER BY WorkflowType DESC, StartTime", testCatalog)
	if err != nil {
		t.Fatal(err)
	}
	keys := q.sortKeys()
	want := []sortKey{{ColumnWorkflowType, true}, {ColumnStartTime, false}, {ColumnRunID, false}}
	if fmt.Sprint(keys) != fmt.Sprint(want) {
		t.Errorf("sort keys %v, want %v", keys, want)
	}
	q, err = Compile("ORDER BY RunId DESC, StartTime", testCatalog)
	if err != nil {
		t.Fatal(err)
	}
	if keys := q.sortKeys(); len(keys) != 1 || !keys[0].desc {
		t.Errorf("keys after RunId are pointless, got %v", keys)
	}
	if keys := (&Query{}).sortKeys(); fmt.Sprint(keys) != fmt.Sprint(defaultOrder) {
		t.Errorf("default keys %v", keys)
	}
}

func TestReservedNames(t *testing.T) {
	for _, name := range []string{"WorkflowId", "ExecutionStatus", "TemporalChangeVersion", "BuildIds", "TemporalAnything", "Memo", "NamespaceId"} {
		if !IsReserved(name) {
			t.Errorf("%s is not reserved", name)
		}
	}
	for _, name := range []string{"CustomKeywordField", "OrderId", "temporalLowercase"} {
		if IsReserved(name) {
			t.Errorf("%s is reserved", name)
		}
	}
	sys := SystemAttributes()
	if sys["TemporalChangeVersion"] != enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST || sys["StartTime"] != enumspb.INDEXED_VALUE_TYPE_DATETIME {
		t.Errorf("system attributes: %v", sys)
	}
}
