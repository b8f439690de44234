package machine

import (
	"strconv"
	"testing"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"google.golang.org/protobuf/types/known/durationpb"
)

// stateWithActivities is a run whose first workflow task scheduled n
// activities on queue "work", with the transition still open.
func stateWithActivities(b *testing.B, workflowType string, n int) (*State, *Tx) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tx := NewRun(StartParams{NamespaceID: "ns-id", Namespace: "default", WorkflowID: "order-12345", RunID: "0b7c5a0e-5b0f-4c47-9b1e-1f2a3b4c5d6e",
		WorkflowType: workflowType, TaskQueue: "work", Identity: "worker@host", RequestID: "req-1"}, now)
	s := tx.S
	wtx := Begin(s, now)
	if _, err := wtx.StartWorkflowTask(s.WorkflowTask.ScheduledEventID, "worker@host", "r"); err != nil {
		b.Fatal(err)
	}
	var cmds []*commandpb.Command
	for i := range n {
		cmds = append(cmds, &commandpb.Command{
			CommandType: enumspb.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
			Attributes: &commandpb.Command_ScheduleActivityTaskCommandAttributes{ScheduleActivityTaskCommandAttributes: &commandpb.ScheduleActivityTaskCommandAttributes{
				ActivityId: strconv.Itoa(i), ActivityType: &commonpb.ActivityType{Name: "Work"}, TaskQueue: &taskqueuepb.TaskQueue{Name: "work"},
				StartToCloseTimeout: durationpb.New(10 * time.Second),
			}},
		})
	}
	if _, err := wtx.CompleteWorkflowTask(cmds, CompletionOptions{Identity: "worker@host"}); err != nil {
		b.Fatal(err)
	}
	return s, wtx
}

// typicalState is a run in the middle of a one-activity workflow: started,
// one workflow task completed, one activity running.
func typicalState(b *testing.B) *State {
	s, tx := stateWithActivities(b, "OrderWorkflow", 1)
	for _, a := range s.Activities {
		if _, err := tx.StartActivity(a.ScheduledEventID, 1, "worker@host", "r2"); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

func BenchmarkEncodeState(b *testing.B) { benchmarkEncode(b, typicalState(b)) }

func BenchmarkEncodeFanOutState(b *testing.B) { benchmarkEncode(b, fanOutState(b)) }

func benchmarkEncode(b *testing.B, s *State) {
	data, _ := Encode(s)
	b.ReportMetric(float64(len(data)), "bytes")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeState(b *testing.B) {
	data, _ := Encode(typicalState(b))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCloneState(b *testing.B) {
	s := typicalState(b)
	b.ReportAllocs()
	for b.Loop() {
		s.Clone()
	}
}

// fanOutState is a run with 100 activities scheduled by one workflow task, as
// in the benchmark's fan-out scenario.
func fanOutState(b *testing.B) *State {
	s, _ := stateWithActivities(b, "FanOut", 100)
	return s
}
