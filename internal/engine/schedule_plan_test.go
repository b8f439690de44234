package engine

import (
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	schedulepb "go.temporal.io/api/schedule/v1"
)

// TestPlanBufferPolicies checks what one pass over a buffer of three starts
// does under each overlap policy, with and without a running workflow.
func TestPlanBufferPolicies(t *testing.T) {
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	three := func() []bufferedStart {
		return []bufferedStart{{Nominal: base}, {Nominal: base.Add(time.Minute)}, {Nominal: base.Add(2 * time.Minute)}}
	}
	type want struct {
		starts, overlapping, keep int
		skipped                   int64
		cancel, terminate         bool
		first                     int // minute of the last start, -1 if none
	}
	cases := []struct {
		policy  enumspb.ScheduleOverlapPolicy
		running bool
		want    want
	}{
		{enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, false, want{starts: 1, skipped: 2, first: 0}},
		{enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, true, want{skipped: 3, first: -1}},
		{enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE, false, want{starts: 1, keep: 1, skipped: 1, first: 0}},
		{enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE, true, want{keep: 1, skipped: 2, first: -1}},
		{enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL, false, want{starts: 1, keep: 2, first: 0}},
		{enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL, true, want{keep: 3, first: -1}},
		{enumspb.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER, false, want{starts: 1, first: 2}},
		{enumspb.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER, true, want{keep: 3, cancel: true, first: -1}},
		{enumspb.SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER, false, want{starts: 1, first: 2}},
		{enumspb.SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER, true, want{keep: 3, terminate: true, first: -1}},
		{enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL, true, want{starts: 3, overlapping: 3, first: 2}},
	}
	for _, tc := range cases {
		st := &scheduleState{
			schedule: &schedulepb.Schedule{Policies: &schedulepb.SchedulePolicies{OverlapPolicy: tc.policy}},
			Buffer:   three(),
		}
		p := planBuffer(st, tc.running)
		got := want{starts: len(p.starts), overlapping: p.overlapping, keep: len(p.keep), skipped: p.skipped, cancel: p.cancel, terminate: p.terminate, first: -1}
		if len(p.starts) > 0 {
			got.first = int(p.starts[len(p.starts)-1].Nominal.Sub(base) / time.Minute)
		}
		if got != tc.want {
			t.Errorf("%v running=%v: got %+v, want %+v", tc.policy, tc.running, got, tc.want)
		}
	}
}

// TestScheduledWorkflowIDAndRequestID: the started workflow's id is the
// action's id and the nominal time in seconds; request ids differ by
// schedule generation and manual sequence, and repeat otherwise.
func TestScheduledWorkflowIDAndRequestID(t *testing.T) {
	nominal := time.Date(2026, 3, 8, 7, 0, 0, 500_000_000, time.FixedZone("X", -5*3600))
	if got := scheduledWorkflowID("wf", nominal); got != "wf-2026-03-08T12:00:00Z" {
		t.Errorf("workflow id %q", got)
	}
	a := scheduleRequestID("ns", "s", "g1", nominal, 0)
	if a != scheduleRequestID("ns", "s", "g1", nominal, 0) {
		t.Error("the request id of one action is not stable")
	}
	for _, other := range []string{
		scheduleRequestID("ns", "s", "g2", nominal, 0),
		scheduleRequestID("ns", "s", "g1", nominal, 1),
		scheduleRequestID("ns", "s", "g1", nominal.Add(time.Second), 0),
	} {
		if other == a {
			t.Errorf("request id %s repeats for a different action", a)
		}
	}
}
