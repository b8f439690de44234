package workflowrt

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sundialdev/sundial/internal/clock"
)

// maxResumesPerRun bounds the coroutine switches of one runUntilBlocked call, so
// coroutines that keep waking each other without end fail the workflow task instead of
// spinning forever.
const maxResumesPerRun = 1_000_000

// resumeKind tells a parked coroutine why it was woken.
type resumeKind int

const (
	resumeRun   resumeKind = iota // continue running workflow code
	resumeExit                    // unwind and end: the run is being closed
	resumeStack                   // report the current stack and stay parked
)

// handback is what a coroutine sends the scheduler when it gives the baton back.
type handback struct {
	panicValue any    // set when workflow code panicked
	panicStack string // the stack of that panic
	stack      string // answer to resumeStack
}

// scheduler runs coroutines one at a time. Each coroutine is a goroutine that runs only
// while it holds the baton; the scheduler hands the baton to each runnable coroutine in
// creation order and waits for it to come back, so workflow code never runs
// concurrently and always in the same order.
type scheduler struct {
	coroutines []*coroutine
	current    *coroutine
	handbacks  chan handback
	nextID     int
	closed     bool
	maxResumes int
	// deadlockTimeout bounds how long a coroutine may run without blocking on a
	// workflow call; 0 disables the check. clock times it.
	deadlockTimeout time.Duration
	clock           clock.Clock
	// stuck is set once a coroutine overran deadlockTimeout: it still holds the baton,
	// so the scheduler can no longer be used or closed cleanly.
	stuck atomic.Bool
}

// coroutine is one workflow goroutine.
type coroutine struct {
	sched   *scheduler
	name    string
	resume  chan resumeKind
	waitFor func() bool // nil: runnable; else runnable once it returns true
	reason  string      // what a blocked coroutine waits for, for stack traces
	done    bool
	exiting bool
}

func newScheduler() *scheduler {
	return &scheduler{handbacks: make(chan handback), maxResumes: maxResumesPerRun}
}

// spawn adds a coroutine running fn. It first runs on the next pass of runUntilBlocked
// (the current pass, if one is under way).
func (s *scheduler) spawn(name string, fn func()) {
	if s.closed {
		panic("workflowrt: starting a coroutine on a closed workflow")
	}
	s.nextID++
	if name == "" {
		name = fmt.Sprintf("%d", s.nextID)
	}
	c := &coroutine{sched: s, name: name, resume: make(chan resumeKind)}
	s.coroutines = append(s.coroutines, c)
	go c.body(fn)
}

// body is the goroutine of a coroutine: it waits for the baton, runs fn, and reports
// how fn ended.
func (c *coroutine) body(fn func()) {
	var back handback
	defer func() {
		if r := recover(); r != nil && !c.exiting {
			back.panicValue = r
			back.panicStack = string(debug.Stack())
		}
		c.done = true
		if c.sched.stuck.Load() {
			return // nobody waits for the baton any more
		}
		c.sched.handbacks <- back
	}()
	if c.park() == resumeExit {
		c.exiting = true
		runtime.Goexit()
	}
	fn()
}

// park waits for the baton and answers stack requests while waiting.
func (c *coroutine) park() resumeKind {
	for {
		kind := <-c.resume
		if kind != resumeStack {
			return kind
		}
		buf := make([]byte, 64<<10)
		c.sched.handbacks <- handback{stack: string(buf[:runtime.Stack(buf, false)])}
	}
}

// block parks the running coroutine until ready returns true. It returns at once if
// ready already does. It must be called from workflow code. The scheduler resumes the
// coroutine only right after ready returned true, so ready is not asked again then.
func (s *scheduler) block(reason string, ready func() bool) {
	c := s.current
	if c == nil {
		panic("workflowrt: a blocking workflow call was made outside workflow code (for example in a query handler or a goroutine the runtime does not own)")
	}
	if c.exiting {
		runtime.Goexit()
	}
	if ready() {
		return
	}
	c.waitFor, c.reason = ready, reason
	if s.stuck.Load() {
		runtime.Goexit()
	}
	s.handbacks <- handback{}
	if c.park() == resumeExit {
		c.exiting = true
		runtime.Goexit()
	}
}

// runUntilBlocked gives the baton to every runnable coroutine, in creation order, pass
// after pass, until a whole pass finds none runnable. It returns a *PanicError when
// workflow code panicked.
func (s *scheduler) runUntilBlocked() error {
	resumes := 0
	for {
		progressed := false
		for i := 0; i < len(s.coroutines); i++ {
			c := s.coroutines[i]
			if c.done || (c.waitFor != nil && !c.waitFor()) {
				continue
			}
			c.waitFor, c.reason = nil, ""
			if resumes++; resumes > s.maxResumes {
				return fmt.Errorf("workflow coroutines woke each other %d times without blocking for good: likely a busy loop around Await or a channel", s.maxResumes)
			}
			s.current = c
			c.resume <- resumeRun
			back, err := s.awaitHandback(c)
			if err != nil {
				return err
			}
			s.current = nil
			progressed = true
			if back.panicValue != nil {
				return &workflowPanic{value: back.panicValue, stack: back.panicStack}
			}
		}
		s.removeDone()
		if !progressed {
			return nil
		}
	}
}

// awaitHandback waits for the running coroutine to give the baton back, failing if it
// runs longer than deadlockTimeout (a real Go channel, mutex, sleep or endless loop in
// workflow code).
func (s *scheduler) awaitHandback(c *coroutine) (handback, error) {
	if s.deadlockTimeout <= 0 || s.clock == nil {
		return <-s.handbacks, nil
	}
	expired := make(chan struct{})
	timer := s.clock.AfterFunc(s.deadlockTimeout, func() { close(expired) })
	defer timer.Stop()
	select {
	case back := <-s.handbacks:
		return back, nil
	case <-expired:
		s.stuck.Store(true)
		return handback{}, &workflowPanic{
			value: fmt.Sprintf("potential deadlock: workflow coroutine %q ran for %s without blocking on a workflow call; "+
				"use workflow.Sleep, workflow channels and futures instead of time.Sleep, Go channels or locks", c.name, s.deadlockTimeout),
		}
	}
}

func (s *scheduler) removeDone() {
	live := s.coroutines[:0]
	for _, c := range s.coroutines {
		if !c.done {
			live = append(live, c)
		}
	}
	clear(s.coroutines[len(live):])
	s.coroutines = live
}

// stackTraces describes every coroutine that has not ended: its name, what it waits
// for and its stack.
func (s *scheduler) stackTraces() string {
	if s.stuck.Load() {
		return "a workflow coroutine is stuck outside workflow calls; stacks are unavailable"
	}
	var b strings.Builder
	for _, c := range s.coroutines {
		if c.done {
			continue
		}
		c.resume <- resumeStack
		back := <-s.handbacks
		fmt.Fprintf(&b, "coroutine %s [%s]:\n%s\n", c.name, orDefault(c.reason, "not started"), back.stack)
	}
	return b.String()
}

// close ends every coroutine: each unwinds with runtime.Goexit, running its deferred
// calls. The scheduler cannot be used afterwards.
func (s *scheduler) close() {
	if s.closed {
		return
	}
	s.closed = true
	if s.stuck.Load() {
		// A coroutine still holds the baton; its goroutines are abandoned.
		return
	}
	for _, c := range s.coroutines {
		if c.done {
			continue
		}
		c.exiting = true
		c.resume <- resumeExit
		<-s.handbacks
	}
	s.coroutines = nil
}

// workflowPanic is a panic in workflow code. It fails the workflow task (the workflow
// itself stays open, so a fixed worker can continue it).
type workflowPanic struct {
	value any
	stack string
}

func (p *workflowPanic) Error() string {
	return fmt.Sprintf("workflow code panicked: %v", p.value)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
