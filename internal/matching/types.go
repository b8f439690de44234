package matching

import (
	"fmt"
	"time"
)

// Kind says which sort of task a queue holds. A Temporal task queue name carries one
// queue of each kind.
type Kind uint8

const (
	// Workflow queues hold workflow tasks, polled with PollWorkflowTaskQueue.
	Workflow Kind = iota + 1
	// Activity queues hold activity tasks, polled with PollActivityTaskQueue.
	Activity
	// Nexus queues hold Nexus start and cancel requests, polled with
	// PollNexusTaskQueue.
	Nexus
)

func (k Kind) String() string {
	switch k {
	case Workflow:
		return "workflow"
	case Activity:
		return "activity"
	case Nexus:
		return "nexus"
	default:
		return fmt.Sprintf("Kind(%d)", uint8(k))
	}
}

// QueueKey names one in-memory queue.
type QueueKey struct {
	NamespaceID string
	Name        string
	Kind        Kind
	// Version separates the queue of one worker-deployment version
	// ("deployment:build") from the task queue's unversioned queue ("").
	Version string
}

// PollerInfo describes the poller making a Poll call.
type PollerInfo struct {
	Identity string
	// MaxTasksPerSecond is the dispatch rate limit the poller asks for on the whole
	// queue; 0 asks for nothing and leaves the current limit as it is.
	MaxTasksPerSecond float64
}

// Poller is a recent poller of a queue, as DescribeTaskQueue reports it.
type Poller struct {
	Identity          string
	LastAccess        time.Time
	MaxTasksPerSecond float64
}

// Default option values.
const (
	DefaultIdleQueueTTL = 5 * time.Minute
	DefaultPollerTTL    = 5 * time.Minute
	DefaultWindow       = 4096
)

// Options tunes a Manager. Zero values pick the defaults.
type Options struct {
	// IdleQueueTTL is how long a queue with no backlog and no waiting poller is kept
	// after its last poll before it is forgotten, together with its poller list,
	// last-poll time and rate limit.
	IdleQueueTTL time.Duration
	// PollerTTL is how long a poller stays in Pollers after its last poll.
	PollerTTL time.Duration
	// PriorityLevels is how many priority keys there are (1..PriorityLevels);
	// a task's key above it counts as the lowest priority. Default
	// DefaultPriorityLevels.
	PriorityLevels int32
	// Window is how many tasks a queue keeps in memory for Offer (Add
	// ignores it). Default DefaultWindow.
	Window int
	// OnLow, if set, is called while a queue that refused tasks (see Offer)
	// holds half its window or less in memory, so that its owner brings the
	// refused tasks back with Refill. It is called with the queue's lock held,
	// often, and must only hand the key on, never block or call the Manager.
	OnLow func(QueueKey)
}

func (o Options) withDefaults() Options {
	if o.IdleQueueTTL <= 0 {
		o.IdleQueueTTL = DefaultIdleQueueTTL
	}
	if o.PollerTTL <= 0 {
		o.PollerTTL = DefaultPollerTTL
	}
	if o.PriorityLevels <= 0 {
		o.PriorityLevels = DefaultPriorityLevels
	}
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	return o
}
