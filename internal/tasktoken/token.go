// Package tasktoken encodes and decodes the opaque task tokens the engine hands to
// workers with each workflow, activity and query task.
//
// A token names the task it was issued for (namespace, workflow, run, event ids and
// attempt) so that the engine can find the task again when the worker answers and can
// refuse answers for tasks that are stale. Tokens are not signed: the engine must treat
// every decoded field as a claim to check against its own state, never as a fact.
//
// The layout is one format-version byte followed by protobuf wire-format fields. The
// version byte is never an ASCII letter, so a token can never begin with the
// "local_act_" prefix that Temporal's core SDK reserves for local-activity tokens.
package tasktoken

import "fmt"

// Kind says which sort of task a token was issued for.
type Kind uint8

const (
	// WorkflowTask is a token for a workflow task handed out by PollWorkflowTaskQueue.
	WorkflowTask Kind = 1
	// ActivityTask is a token for an activity task handed out by PollActivityTaskQueue.
	ActivityTask Kind = 2
	// QueryTask is a token for a query delivered to a worker as its own task.
	QueryTask Kind = 3
)

// String names the kind for logs and error messages.
func (k Kind) String() string {
	switch k {
	case WorkflowTask:
		return "WorkflowTask"
	case ActivityTask:
		return "ActivityTask"
	case QueryTask:
		return "QueryTask"
	default:
		return fmt.Sprintf("Kind(%d)", uint8(k))
	}
}

// Token is the decoded content of a task token.
type Token struct {
	Kind        Kind
	NamespaceID string
	WorkflowID  string
	RunID       string
	// ScheduledEventID identifies the task's scheduled event (workflow and activity tasks).
	ScheduledEventID int64
	// StartedEventID identifies the workflow task's started event (workflow tasks).
	StartedEventID int64
	// Attempt is the attempt the task was handed out for (workflow and activity tasks).
	Attempt int32
	// ActivityID is informational, for activity tasks.
	ActivityID string
	// QueryID identifies the query, for query tasks.
	QueryID string
}

// formatVersion is the first byte of every token this package writes.
const formatVersion byte = 0x01

// MaxEncodedSize bounds the length of a token Decode will look at. Tokens carry a few
// identifiers each limited to about a kilobyte, so anything larger is not ours.
const MaxEncodedSize = 16 << 10

// Field numbers of the wire format. They must never be reused for another meaning.
const (
	fieldKind             = 1
	fieldNamespaceID      = 2
	fieldWorkflowID       = 3
	fieldRunID            = 4
	fieldScheduledEventID = 5
	fieldStartedEventID   = 6
	fieldAttempt          = 7
	fieldActivityID       = 8
	fieldQueryID          = 9
)
