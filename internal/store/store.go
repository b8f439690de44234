// Package store defines the persistence seam of the engine: the rows it keeps and the
// Store interface every driver implements. The engine owns all meaning; a driver only
// stores and returns rows and blobs, and performs each Write atomically.
//
// This API is internal-grade: it changes with the engine.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/sundialdev/sundial/internal/visibility"
)

// Sentinel errors. Drivers map their own errors to these; callers test with errors.Is.
var (
	// ErrNotFound: the requested row does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrAlreadyExists: a create collided with an existing row.
	ErrAlreadyExists = errors.New("store: already exists")
	// ErrConflict: a conditional write found a different version than expected.
	ErrConflict = errors.New("store: conflict")
	// ErrClosed: the store has been closed.
	ErrClosed = errors.New("store: closed")
	// ErrCorrupt: the database is damaged; retrying will not help. The
	// operator must restore it (see the README's "Operating" section).
	ErrCorrupt = errors.New("store: database is damaged")
)

// Namespace is one namespace row. Data is the engine's encoding of the namespace's
// info and configuration; the driver does not interpret it.
type Namespace struct {
	ID   string
	Name string
	Data []byte
}

// Execution is one workflow run: the engine's encoded mutable state plus the
// columns visibility queries filter on.
type Execution struct {
	NamespaceID string
	WorkflowID  string
	RunID       string
	// Version is the row's version after this write. Write sets it to
	// ExpectedVersion+1; readers see the stored value.
	Version int64
	// State is the engine's encoding of the run's mutable state.
	State []byte

	// Visibility columns.
	WorkflowType     string
	TaskQueue        string
	Status           int32 // enums.WorkflowExecutionStatus
	StartTime        time.Time
	ExecutionTime    time.Time
	CloseTime        time.Time // zero while the run is open
	HistoryLength    int64
	Memo             []byte // encoded commonpb.Memo, may be nil
	SearchAttributes []byte // encoded commonpb.SearchAttributes, may be nil

	// Parent is set by listings on child runs (see Lineage); writes ignore it.
	Parent *Lineage
}

// ExecutionKey names one run.
type ExecutionKey struct {
	NamespaceID string
	WorkflowID  string
	RunID       string
}

// CurrentExecution points a workflow id at its latest run.
type CurrentExecution struct {
	NamespaceID string
	WorkflowID  string
	RunID       string
}

// EventBatch is a contiguous run of history events [FirstEventID, LastEventID] of one
// run, written by one transition and stored as one engine-encoded blob.
type EventBatch struct {
	NamespaceID  string
	RunID        string
	FirstEventID int64
	LastEventID  int64
	Data         []byte
}

// ExecutionWrite creates or updates one execution row.
type ExecutionWrite struct {
	Execution *Execution
	// ExpectedVersion is the version the engine loaded. 0 means the row must not
	// exist yet (create; ErrAlreadyExists if it does). Otherwise the stored version
	// must equal it (ErrConflict if not). The stored version becomes
	// ExpectedVersion+1.
	ExpectedVersion int64
	// StateOnly says that only State and HistoryLength differ from what the
	// row holds: the columns listings and indexes read (type, queue, status,
	// times, memo, search attributes) are unchanged, so a store may leave
	// them, and their indexes, untouched. Ignored when creating.
	StateOnly bool
}

// CurrentWrite moves a workflow id's current-run pointer.
type CurrentWrite struct {
	Current CurrentExecution
	// ExpectedRunID is the run the pointer must name now; "" means no pointer may
	// exist yet. A mismatch is ErrConflict.
	ExpectedRunID string
}

// Record is a small document the engine keeps beside the runs, such as a
// batch operation's progress. Kind separates the kinds of records; the
// driver does not interpret Data.
type Record struct {
	NamespaceID string
	Kind        string
	ID          string
	// Version is the row's version after this write: Write sets it to
	// ExpectedVersion+1; readers see the stored value.
	Version int64
	Data    []byte
}

// RecordWrite creates, replaces or deletes one record.
type RecordWrite struct {
	Record *Record
	// ExpectedVersion is the version the engine read: 0 creates the record
	// (ErrAlreadyExists if it exists); otherwise the stored version must
	// equal it (ErrConflict if not, or if the record is gone).
	ExpectedVersion int64
	// Delete removes the record (at ExpectedVersion) instead of writing it;
	// only the key fields of Record are read.
	Delete bool
}

// Transition is everything one engine state transition writes. A driver applies it
// entirely or not at all.
type Transition struct {
	Executions []ExecutionWrite
	Events     []EventBatch
	Current    *CurrentWrite
	Records    []RecordWrite
}

// OpenExecutionsPage is one page of a scan over runs that are not closed.
type OpenExecutionsPage struct {
	Executions []*Execution
	// Next is the key to pass as After for the next page; nil when done.
	Next *ExecutionKey
}

// Store is implemented by each driver. All methods are safe for concurrent use.
type Store interface {
	// CreateNamespace inserts a namespace. ErrAlreadyExists if the name or id is taken.
	CreateNamespace(ctx context.Context, ns *Namespace) error
	// UpdateNamespace replaces the name and Data of the namespace with ns.ID.
	// ErrNotFound if absent; ErrAlreadyExists if another namespace has the name.
	UpdateNamespace(ctx context.Context, ns *Namespace) error
	// GetNamespaceByName returns ErrNotFound if absent.
	GetNamespaceByName(ctx context.Context, name string) (*Namespace, error)
	// GetNamespaceByID returns ErrNotFound if absent.
	GetNamespaceByID(ctx context.Context, id string) (*Namespace, error)
	// ListNamespaces returns up to limit namespaces ordered by name, starting after
	// the name afterName ("" = from the start).
	ListNamespaces(ctx context.Context, afterName string, limit int) ([]*Namespace, error)

	// GetExecution returns one run. ErrNotFound if absent.
	GetExecution(ctx context.Context, key ExecutionKey) (*Execution, error)
	// GetCurrentExecution returns the current-run pointer of a workflow id.
	// ErrNotFound if the workflow id has never been used.
	GetCurrentExecution(ctx context.Context, namespaceID, workflowID string) (*CurrentExecution, error)
	// ListOpenExecutions pages through all runs (of every namespace) whose
	// CloseTime is zero, ordered by key, starting after the key after (nil = from
	// the start). Used to rebuild queues and timers on start.
	ListOpenExecutions(ctx context.Context, after *ExecutionKey, limit int) (*OpenExecutionsPage, error)
	// ListOpenExecutionsOnQueue pages through the open runs of one namespace
	// whose task queue (Execution.TaskQueue) is taskQueue, ordered by workflow
	// id and run id, starting after the key after (nil = from the start). The
	// engine uses it to find again tasks it did not keep in memory.
	ListOpenExecutionsOnQueue(ctx context.Context, namespaceID, taskQueue string, after *ExecutionKey, limit int) (*OpenExecutionsPage, error)

	// ReadEvents returns, in order, every stored batch of the run that holds at
	// least one event with id in [fromEventID, toEventID). The caller trims.
	ReadEvents(ctx context.Context, namespaceID, runID string, fromEventID, toEventID int64) ([]EventBatch, error)

	// Write applies t atomically and durably: it returns only once t is committed
	// (or has failed and left nothing behind). Drivers may commit many concurrent
	// Writes in one database transaction (group commit); a failing Write must not
	// fail the others.
	Write(ctx context.Context, t *Transition) error

	// DeleteClosedExecutions deletes up to limit runs of the namespace that
	// closed before cutoff — each with its history, visibility rows and, when
	// it names the run, its workflow id's current-run pointer — oldest first,
	// and returns their keys.
	DeleteClosedExecutions(ctx context.Context, namespaceID string, cutoff time.Time, limit int) ([]ExecutionKey, error)
	// DeleteExecution deletes one run with its history, visibility rows and,
	// when it names the run, its workflow id's current-run pointer.
	// ErrNotFound if the run does not exist.
	DeleteExecution(ctx context.Context, key ExecutionKey) error
	// EarliestCloseTime returns the earliest close time of the namespace's
	// closed runs, or the zero time when it has none.
	EarliestCloseTime(ctx context.Context, namespaceID string) (time.Time, error)
	// LatestCloseTime returns the latest close time of the namespace's closed
	// runs, or the zero time when it has none: the engine compares it with the
	// clock at start to notice a clock that stepped while it was down.
	LatestCloseTime(ctx context.Context, namespaceID string) (time.Time, error)

	// GetRecord returns one record. ErrNotFound if absent.
	GetRecord(ctx context.Context, namespaceID, kind, id string) (*Record, error)
	// ListRecords returns up to limit records of one kind in a namespace,
	// ordered by id, starting after the id afterID ("" = from the start).
	ListRecords(ctx context.Context, namespaceID, kind, afterID string, limit int) ([]*Record, error)

	// Close waits for pending writes, then releases the database.
	Close() error

	// ListExecutions returns one page of the runs of a namespace that match a
	// visibility query, in the query's order.
	ListExecutions(ctx context.Context, p *ListExecutionsParams) (*ListExecutionsPage, error)
	// CountExecutions counts the runs of a namespace that match q (nil: all).
	CountExecutions(ctx context.Context, namespaceID string, q *visibility.Query) (int64, error)
	// CountExecutionsGroupByStatus counts the matching runs per status,
	// ordered by status; statuses without runs are left out.
	CountExecutionsGroupByStatus(ctx context.Context, namespaceID string, q *visibility.Query) ([]StatusCount, error)

	// AddSearchAttributes registers custom search attributes in a namespace.
	// Registering a name again with its current type changes nothing; with
	// another type it is ErrConflict, and nothing is registered.
	AddSearchAttributes(ctx context.Context, namespaceID string, attrs []SearchAttribute) error
	// RemoveSearchAttributes unregisters names; unknown names are ignored.
	// Runs keep their values.
	RemoveSearchAttributes(ctx context.Context, namespaceID string, names []string) error
	// ListSearchAttributes returns a namespace's custom search attributes,
	// ordered by name.
	ListSearchAttributes(ctx context.Context, namespaceID string) ([]SearchAttribute, error)
}

// ListExecutionsParams selects one page of a namespace's runs.
type ListExecutionsParams struct {
	NamespaceID string
	// Query filters and orders; nil lists every run in the default order.
	Query *visibility.Query
	// PageSize is the most runs to return; it must be positive.
	PageSize int
	// After continues a listing after the page that returned it; nil starts
	// from the beginning.
	After *visibility.Cursor
}

// ListExecutionsPage is one page of runs. Executions carry every column but
// State, which is nil.
type ListExecutionsPage struct {
	Executions []*Execution
	// Next continues the listing; nil when no runs remain.
	Next *visibility.Cursor
}

// StatusCount is how many runs have one status.
type StatusCount struct {
	Status int32 // enums.WorkflowExecutionStatus
	Count  int64
}

// SearchAttribute is a custom search attribute registered in a namespace.
type SearchAttribute struct {
	Name string
	Type int32 // enums.IndexedValueType
}
