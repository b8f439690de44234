package sqlite

import (
	"fmt"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"google.golang.org/protobuf/proto"

	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/visibility"
)

// BenchmarkVisibility measures listings and counts over 20,000 runs in one
// namespace, each with three search attributes, and the cost of writing a
// run whose search attributes change (which rewrites its indexed values).
//
// Measured (memory, 2 shared cores): listing 100 runs 0.7 ms unfiltered;
// a selective custom filter 30-40 ms (the planner walks the order index and
// probes each run); a Text or "!=" filter about 100 ms; a selective count
// 0.1-0.3 ms. Rewriting changed search attributes costs about 55 µs more
// per write than a write that leaves them alone.
func BenchmarkVisibility(b *testing.B) {
	const runs = 20000
	s, err := Open(b.Context(), MemoryPath, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	attrs := func(i int) []byte {
		sa := &commonpb.SearchAttributes{IndexedFields: map[string]*commonpb.Payload{
			"CustomKeywordField": {Data: fmt.Appendf(nil, `"customer-%d"`, i%500)},
			"CustomIntField":     {Data: fmt.Appendf(nil, `%d`, i)},
			"CustomTextField":    {Data: fmt.Appendf(nil, `"order %d for customer %d"`, i, i%500)},
		}}
		blob, err := proto.Marshal(sa)
		if err != nil {
			b.Fatal(err)
		}
		return blob
	}
	batch := &store.Transition{}
	for i := range runs {
		e := &store.Execution{
			NamespaceID: "ns", WorkflowID: fmt.Sprintf("wf-%d", i), RunID: fmt.Sprintf("run-%d", i),
			WorkflowType: "Order", TaskQueue: "orders", Status: int32(1 + i%2),
			StartTime: base.Add(time.Duration(i) * time.Second), ExecutionTime: base.Add(time.Duration(i) * time.Second),
			HistoryLength: 10, SearchAttributes: attrs(i),
		}
		if i%2 == 1 {
			e.CloseTime = e.StartTime.Add(time.Minute)
		}
		batch.Executions = append(batch.Executions, store.ExecutionWrite{Execution: e})
		if len(batch.Executions) == 500 {
			if err := s.Write(b.Context(), batch); err != nil {
				b.Fatal(err)
			}
			batch = &store.Transition{}
		}
	}
	catalog := visibility.Catalog{Custom: map[string]enumspb.IndexedValueType{
		"CustomKeywordField": enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		"CustomIntField":     enumspb.INDEXED_VALUE_TYPE_INT,
		"CustomTextField":    enumspb.INDEXED_VALUE_TYPE_TEXT,
	}}
	for _, query := range []string{
		"",
		"ExecutionStatus = 'Running'",
		"CustomKeywordField = 'customer-7'",
		"CustomIntField BETWEEN 100 AND 200",
		"CustomTextField = 'customer'",
		"CustomKeywordField != 'customer-7'",
	} {
		q, err := visibility.Compile(query, catalog)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("list100/%q", query), func(b *testing.B) {
			for b.Loop() {
				if _, err := s.ListExecutions(b.Context(), &store.ListExecutionsParams{NamespaceID: "ns", Query: q, PageSize: 100}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("count/%q", query), func(b *testing.B) {
			for b.Loop() {
				if _, err := s.CountExecutions(b.Context(), "ns", q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("rewrite-search-attributes", func(b *testing.B) {
		e := &store.Execution{NamespaceID: "ns", WorkflowID: "hot", RunID: "hot", WorkflowType: "Order", TaskQueue: "orders",
			Status: 1, StartTime: base, ExecutionTime: base, SearchAttributes: attrs(0)}
		if err := s.Write(b.Context(), &store.Transition{Executions: []store.ExecutionWrite{{Execution: e}}}); err != nil {
			b.Fatal(err)
		}
		i := 0
		for b.Loop() {
			i++
			next := *e
			next.SearchAttributes = attrs(i)
			if err := s.Write(b.Context(), &store.Transition{Executions: []store.ExecutionWrite{{Execution: &next, ExpectedVersion: e.Version}}}); err != nil {
				b.Fatal(err)
			}
			e = &next
		}
	})
	b.Run("rewrite-unchanged-search-attributes", func(b *testing.B) {
		e := &store.Execution{NamespaceID: "ns", WorkflowID: "warm", RunID: "warm", WorkflowType: "Order", TaskQueue: "orders",
			Status: 1, StartTime: base, ExecutionTime: base, SearchAttributes: attrs(0)}
		if err := s.Write(b.Context(), &store.Transition{Executions: []store.ExecutionWrite{{Execution: e}}}); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			next := *e
			next.HistoryLength++
			if err := s.Write(b.Context(), &store.Transition{Executions: []store.ExecutionWrite{{Execution: &next, ExpectedVersion: e.Version}}}); err != nil {
				b.Fatal(err)
			}
			e = &next
		}
	})
}
