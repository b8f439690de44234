// Package workflowrt is the deterministic runtime behind package workflow: it runs
// workflow code as coroutines stepped one at a time in a fixed order, turns what the code
// does into Temporal commands, feeds history events back into the code, detects
// nondeterminism by matching replayed commands against recorded events, caches running
// workflows between tasks, and answers queries.
//
// The runtime follows Temporal's Go SDK on the wire, so histories written by either one
// replay on the other for the same logic:
//
//   - Command ids (activity ids, timer ids, side-effect ids) are the id of the history
//     event the command is expected to produce: the WorkflowTaskStarted event id + 2 for
//     the first command of a task, counting up from there.
//   - Activity events are matched to their activity by scheduled_event_id, learned from
//     the ActivityTaskScheduled event's activity_id; timer events by timer_id.
//   - History is cut into batches that each end at a WorkflowTaskStarted whose task did
//     not fail or time out; workflow code runs once per batch, after its events.
//   - Markers (SideEffect, MutableSideEffect, Version, LocalActivity) use the Go SDK's
//     names and detail keys.
//
// The entry points are TaskHandler (one call per polled workflow task) and
// ReplayWorkflowHistory (tests and tooling).
//
// The types workflow code sees (Context, Future, Channel, Selector, Info, ...) are
// declared, with their documentation, in package workflow; this package implements
// them under alias names (public_types.go) and gives every workflow context the
// runtime the workflow package calls into (api.go, under wfapi.RuntimeKey).
package workflowrt
