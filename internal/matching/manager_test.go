package matching

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sundialdev/sundial/internal/clock"
)

var epoch = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

var (
	wfQueue  = QueueKey{NamespaceID: "ns", Name: "orders", Kind: Workflow}
	actQueue = QueueKey{NamespaceID: "ns", Name: "orders", Kind: Activity}
)

type pollResult struct {
	task string
	ok   bool
}

// pollAsync runs Poll in a goroutine and delivers its result on the returned channel.
func pollAsync(ctx context.Context, m *Manager[string], key QueueKey, p PollerInfo, maxWait time.Duration) <-chan pollResult {
	ch := make(chan pollResult, 1)
	go func() {
		task, ok := m.Poll(ctx, key, p, maxWait)
		ch <- pollResult{task, ok}
	}()
	return ch
}

func receive(t *testing.T, ch <-chan pollResult) pollResult {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("Poll did not return")
		return pollResult{}
	}
}

func notReturned(t *testing.T, ch <-chan pollResult) {
	t.Helper()
	select {
	case r := <-ch:
		t.Fatalf("Poll returned %+v, want it still waiting", r)
	case <-time.After(20 * time.Millisecond):
	}
}

// waitForPollers waits until n timers are armed on v: each waiting Poll with a maxWait
// arms one, so this is how tests know pollers are parked.
func waitForPollers(t *testing.T, v *clock.Virtual, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := v.WaitForTimers(ctx, n); err != nil {
		t.Fatal(err)
	}
}

func newVirtualManager(t *testing.T, opts Options) (*Manager[string], *clock.Virtual) {
	t.Helper()
	v := clock.NewVirtual(epoch)
	m := New[string](v, opts)
	t.Cleanup(m.Close)
	return m, v
}

func TestSyncMatchHandsTaskToWaitingPoller(t *testing.T) {
	m, v := newVirtualManager(t, Options{})
	ch := pollAsync(context.Background(), m, wfQueue, PollerInfo{Identity: "w1"}, time.Minute)
	waitForPollers(t, v, 1)
	m.Add(wfQueue, "t1")
	if r := receive(t, ch); !r.ok || r.task != "t1" {
		t.Fatalf("Poll = %+v, want t1", r)
	}
	if n := m.BacklogLen(wfQueue); n != 0 {
		t.Fatalf("BacklogLen = %d after sync match, want 0", n)
	}
}

func TestQueuesAreSeparateByKindAndNamespace(t *testing.T) {
	m, _ := newVirtualManager(t, Options{})
	other := QueueKey{NamespaceID: "other", Name: "orders", Kind: Workflow}
	m.Add(wfQueue, "wf")
	m.Add(actQueue, "act")
	m.Add(other, "other")
	for key, want := range map[QueueKey]string{wfQueue: "wf", actQueue: "act", other: "other"} {
		if task, ok := m.Poll(context.Background(), key, PollerInfo{}, time.Second); !ok || task != want {
			t.Fatalf("Poll(%v) = %q, %v; want %q", key, task, ok, want)
		}
	}
}

func TestBacklogIsFIFO(t *testing.T) {
	m, _ := newVirtualManager(t, Options{})
	for i := range 100 {
		m.Add(wfQueue, fmt.Sprint(i))
	}
	if n := m.BacklogLen(wfQueue); n != 100 {
		t.Fatalf("BacklogLen = %d, want 100", n)
	}
	for i := range 100 {
		task, ok := m.Poll(context.Background(), wfQueue, PollerInfo{}, time.Second)
		if !ok || task != fmt.Sprint(i) {
			t.Fatalf("Poll #%d = %q, %v; want %d", i, task, ok, i)
		}
	}
}

func TestWaitingPollersAreServedFIFO(t *testing.T) {
	m, v := newVirtualManager(t, Options{})
	var chans []<-chan pollResult
	for i := range 3 {
		chans = append(chans, pollAsync(context.Background(), m, wfQueue, PollerInfo{Identity: fmt.Sprint(i)}, time.Minute))
		waitForPollers(t, v, i+1)
	}
	for _, task := range []string{"a", "b", "c"} {
		m.Add(wfQueue, task)
	}
	for i, want := range []string{"a", "b", "c"} {
		if r := receive(t, chans[i]); !r.ok || r.task != want {
			t.Fatalf("poller %d got %+v, want %q", i, r, want)
		}
	}
}

func TestMaxWaitExpires(t *testing.T) {
	m, v := newVirtualManager(t, Options{})
	ch := pollAsync(context.Background(), m, wfQueue, PollerInfo{}, 10*time.Second)
	waitForPollers(t, v, 1)
	v.Advance(9 * time.Second)
	notReturned(t, ch)
	v.Advance(time.Second)
	if r := receive(t, ch); r.ok {
		t.Fatalf("Poll = %+v after maxWait, want no task", r)
	}
	// The expired poller must not take a later task.
	m.Add(wfQueue, "t")
	if n := m.BacklogLen(wfQueue); n != 1 {
		t.Fatalf("BacklogLen = %d, want 1", n)
	}
}

func TestCancelBeforeMatchLosesNothing(t *testing.T) {
	m, v := newVirtualManager(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	ch := pollAsync(ctx, m, wfQueue, PollerInfo{}, time.Minute)
	waitForPollers(t, v, 1)
	cancel()
	if r := receive(t, ch); r.ok {
		t.Fatalf("cancelled Poll = %+v, want no task", r)
	}
	m.Add(wfQueue, "t")
	if task, ok := m.Poll(context.Background(), wfQueue, PollerInfo{}, time.Second); !ok || task != "t" {
		t.Fatalf("Poll = %q, %v; want t", task, ok)
	}

	done, cancelDone := context.WithCancel(context.Background())
	cancelDone()
	m.Add(wfQueue, "u")
	if _, ok := m.Poll(done, wfQueue, PollerInfo{}, time.Second); ok {
		t.Fatal("Poll with an already-cancelled ctx took a task")
	}
	if n := m.BacklogLen(wfQueue); n != 1 {
		t.Fatalf("BacklogLen = %d, want 1", n)
	}
}

// handToFirstWaiter plays the part of a dispatch that hands task to the longest
// waiting poller of key. It runs before, then hands the task over, all under the
// queue lock, so a ctx cancelled in before is already done when the poller wakes.
func handToFirstWaiter(t *testing.T, m *Manager[string], key QueueKey, task string, before func(q *queue[string])) {
	t.Helper()
	q := m.lockQueue(key, false)
	if q == nil || q.waiters.Len() == 0 {
		t.Fatal("no waiting poller to hand to")
	}
	w := q.waiters.PopFront()
	before(q)
	w.handoff <- task
	q.mu.Unlock()
}

func TestCancelAfterHandoffReturnsTaskToFront(t *testing.T) {
	// The poller wakes on either its handoff or its ctx; both ways must give the task
	// back. Repeat so that select's random choice covers both.
	for range 20 {
		m, v := newVirtualManager(t, Options{})
		ctx, cancel := context.WithCancel(context.Background())
		ch := pollAsync(ctx, m, wfQueue, PollerInfo{}, time.Minute)
		waitForPollers(t, v, 1)
		handToFirstWaiter(t, m, wfQueue, "handed", func(q *queue[string]) {
			cancel()
			q.backlog.PushBack("later")
		})
		if r := receive(t, ch); r.ok {
			t.Fatalf("cancelled Poll = %+v, want no task", r)
		}
		if got, want := m.Drain(wfQueue), []string{"handed", "later"}; !slices.Equal(got, want) {
			t.Fatalf("Drain = %v, want %v (handed task back at the front)", got, want)
		}
	}
}

func TestHandoffDuringCloseIsStillDelivered(t *testing.T) {
	for range 20 {
		v := clock.NewVirtual(epoch)
		m := New[string](v, Options{})
		ch := pollAsync(context.Background(), m, wfQueue, PollerInfo{}, time.Minute)
		waitForPollers(t, v, 1)
		handToFirstWaiter(t, m, wfQueue, "t", func(*queue[string]) {})
		m.Close()
		if r := receive(t, ch); !r.ok || r.task != "t" {
			t.Fatalf("Poll = %+v, want the task handed before Close", r)
		}
	}
}

func TestGiveBackAfterQueueWasCollected(t *testing.T) {
	for range 20 {
		m, v := newVirtualManager(t, Options{})
		ctx, cancel := context.WithCancel(context.Background())
		ch := pollAsync(ctx, m, wfQueue, PollerInfo{}, time.Minute)
		waitForPollers(t, v, 1)
		// Hand the task over, then forget the queue as a sweep would, before the
		// poller notices its ctx ended.
		m.mu.Lock()
		q := m.queues[wfQueue]
		q.mu.Lock()
		cancel()
		q.waiters.PopFront().handoff <- "t"
		q.dead = true
		delete(m.queues, wfQueue)
		q.mu.Unlock()
		m.mu.Unlock()
		if r := receive(t, ch); r.ok {
			t.Fatalf("cancelled Poll = %+v", r)
		}
		if got := m.Drain(wfQueue); !slices.Equal(got, []string{"t"}) {
			t.Fatalf("Drain = %v, want the task moved to the live queue", got)
		}
	}
}

func TestGiveBackRefundsRateLimitToken(t *testing.T) {
	m, v := newVirtualManager(t, Options{})
	limited := PollerInfo{MaxTasksPerSecond: 1}
	ctx, cancel := context.WithCancel(context.Background())
	ch := pollAsync(ctx, m, actQueue, limited, time.Hour)
	waitForPollers(t, v, 1)
	q := m.lockQueue(actQueue, false)
	q.backlog.PushBack("t")
	cancel()
	q.dispatchLocked() // spends the bucket's only token
	q.mu.Unlock()
	if r := receive(t, ch); r.ok {
		t.Fatalf("cancelled Poll = %+v", r)
	}
	// The token came back with the task: no need to wait a second for it.
	if r := receive(t, pollAsync(context.Background(), m, actQueue, limited, time.Hour)); !r.ok || r.task != "t" {
		t.Fatalf("Poll = %+v, want t at once", r)
	}
}

func TestRaisingRateLimitReschedulesRefill(t *testing.T) {
	m, v := newVirtualManager(t, Options{})
	m.Add(actQueue, "a")
	m.Add(actQueue, "b")
	if _, ok := m.Poll(context.Background(), actQueue, PollerInfo{MaxTasksPerSecond: 0.1}, time.Hour); !ok {
		t.Fatal("first poll got nothing")
	}
	slow := pollAsync(context.Background(), m, actQueue, PollerInfo{Identity: "slow"}, time.Hour)
	waitForPollers(t, v, 2) // maxWait + refill in 10s
	fast := pollAsync(context.Background(), m, actQueue, PollerInfo{Identity: "fast", MaxTasksPerSecond: 100}, time.Hour)
	waitForPollers(t, v, 3) // two maxWaits + refill in 10ms
	if next, _ := v.NextDeadline(); !next.Equal(epoch.Add(10 * time.Millisecond)) {
		t.Fatalf("next refill at %v, want 10ms after start", next)
	}
	v.Advance(10 * time.Millisecond)
	if r := receive(t, slow); !r.ok || r.task != "b" {
		t.Fatalf("longest waiter got %+v, want b", r)
	}
	notReturned(t, fast)
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{Workflow: "workflow", Activity: "activity", 9: "Kind(9)"} {
		if got := k.String(); got != want {
			t.Fatalf("Kind(%d).String() = %q, want %q", k, got, want)
		}
	}
}

func TestCancelAfterHandoffPassesTaskToNextPoller(t *testing.T) {
	m, v := newVirtualManager(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	first := pollAsync(ctx, m, wfQueue, PollerInfo{Identity: "first"}, time.Minute)
	waitForPollers(t, v, 1)
	second := pollAsync(context.Background(), m, wfQueue, PollerInfo{Identity: "second"}, time.Minute)
	waitForPollers(t, v, 2)
	handToFirstWaiter(t, m, wfQueue, "t", func(*queue[string]) { cancel() })
	if r := receive(t, first); r.ok {
		t.Fatalf("cancelled poller got %+v", r)
	}
	if r := receive(t, second); !r.ok || r.task != "t" {
		t.Fatalf("second poller got %+v, want t", r)
	}
}

func TestCancelRacingAddNeverLosesTask(t *testing.T) {
	m := New[string](clock.Real(), Options{})
	defer m.Close()
	for i := range 300 {
		ctx, cancel := context.WithCancel(context.Background())
		ch := pollAsync(ctx, m, wfQueue, PollerInfo{}, time.Minute)
		task := fmt.Sprint(i)
		if i%2 == 0 {
			cancel()
			m.Add(wfQueue, task)
		} else {
			m.Add(wfQueue, task)
			cancel()
		}
		r := <-ch
		if r.ok {
			if r.task != task {
				t.Fatalf("got %q, want %q", r.task, task)
			}
			continue
		}
		if got := m.Drain(wfQueue); !slices.Equal(got, []string{task}) {
			t.Fatalf("iteration %d: Poll gave up and backlog is %v, want [%s]", i, got, task)
		}
	}
}

func TestHandoffAtMaxWaitIsStillDelivered(t *testing.T) {
	m, v := newVirtualManager(t, Options{})
	ch := pollAsync(context.Background(), m, wfQueue, PollerInfo{}, time.Second)
	waitForPollers(t, v, 1)
	handToFirstWaiter(t, m, wfQueue, "t", func(*queue[string]) {})
	v.Advance(time.Second)
	if r := receive(t, ch); !r.ok || r.task != "t" {
		t.Fatalf("Poll = %+v, want t", r)
	}
}

func TestCloseWakesPollersAndLaterPollsReturnAtOnce(t *testing.T) {
	v := clock.NewVirtual(epoch)
	m := New[string](v, Options{})
	var chans []<-chan pollResult
	for i := range 5 {
		key := QueueKey{NamespaceID: "ns", Name: fmt.Sprint("q", i%2), Kind: Workflow}
		chans = append(chans, pollAsync(context.Background(), m, key, PollerInfo{}, time.Hour))
	}
	waitForPollers(t, v, 5)
	m.Close()
	m.Close()
	for i, ch := range chans {
		if r := receive(t, ch); r.ok {
			t.Fatalf("poller %d got %+v after Close", i, r)
		}
	}
	m.Add(wfQueue, "kept")
	if _, ok := m.Poll(context.Background(), wfQueue, PollerInfo{}, time.Hour); ok {
		t.Fatal("Poll after Close took a task")
	}
	if got := m.Drain(wfQueue); !slices.Equal(got, []string{"kept"}) {
		t.Fatalf("Drain after Close = %v, want [kept]", got)
	}
}

func TestDrain(t *testing.T) {
	m, _ := newVirtualManager(t, Options{})
	sticky := QueueKey{NamespaceID: "ns", Name: "host:123", Kind: Workflow}
	for _, task := range []string{"a", "b", "c"} {
		m.Add(sticky, task)
	}
	if got, want := m.Drain(sticky), []string{"a", "b", "c"}; !slices.Equal(got, want) {
		t.Fatalf("Drain = %v, want %v", got, want)
	}
	if n := m.BacklogLen(sticky); n != 0 {
		t.Fatalf("BacklogLen after Drain = %d", n)
	}
	if got := m.Drain(sticky); got != nil {
		t.Fatalf("second Drain = %v, want nil", got)
	}
	unknown := QueueKey{NamespaceID: "ns", Name: "nobody", Kind: Activity}
	before := m.queueCount()
	if got := m.Drain(unknown); got != nil {
		t.Fatalf("Drain(unknown) = %v", got)
	}
	if m.BacklogLen(unknown) != 0 || !m.LastPoll(unknown).IsZero() || m.Pollers(unknown) != nil {
		t.Fatal("unknown queue reports state")
	}
	if m.queueCount() != before {
		t.Fatal("reading an unknown queue created it")
	}
}

func TestLastPoll(t *testing.T) {
	m, v := newVirtualManager(t, Options{})
	if got := m.LastPoll(wfQueue); !got.IsZero() {
		t.Fatalf("LastPoll before any poll = %v", got)
	}
	ch := pollAsync(context.Background(), m, wfQueue, PollerInfo{}, time.Minute)
	waitForPollers(t, v, 1)
	v.Advance(30 * time.Second)
	if got, want := m.LastPoll(wfQueue), epoch.Add(30*time.Second); !got.Equal(want) {
		t.Fatalf("LastPoll while a poller waits = %v, want now %v", got, want)
	}
	v.Advance(30 * time.Second)
	receive(t, ch)
	v.Advance(time.Hour)
	if got, want := m.LastPoll(wfQueue), epoch.Add(time.Minute); !got.Equal(want) {
		t.Fatalf("LastPoll after the poll ended = %v, want %v", got, want)
	}
}

func TestPollersListsRecentPollers(t *testing.T) {
	m, v := newVirtualManager(t, Options{PollerTTL: time.Minute})
	ctx := context.Background()
	m.Add(actQueue, "x")
	m.Add(actQueue, "y")
	m.Poll(ctx, actQueue, PollerInfo{Identity: "old"}, time.Second)
	v.Advance(50 * time.Second)
	m.Poll(ctx, actQueue, PollerInfo{Identity: "new", MaxTasksPerSecond: 7}, time.Second)
	got := m.Pollers(actQueue)
	want := []Poller{
		{Identity: "new", LastAccess: epoch.Add(50 * time.Second), MaxTasksPerSecond: 7},
		{Identity: "old", LastAccess: epoch},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Pollers = %+v, want %+v", got, want)
	}
	v.Advance(30 * time.Second)
	if got := m.Pollers(actQueue); len(got) != 1 || got[0].Identity != "new" {
		t.Fatalf("Pollers after old expired = %+v, want only new", got)
	}
}

func TestPollerListStaysBoundedOnABusyQueue(t *testing.T) {
	m, v := newVirtualManager(t, Options{PollerTTL: time.Minute})
	for i := range 1000 {
		m.Add(wfQueue, "t")
		m.Poll(context.Background(), wfQueue, PollerInfo{Identity: fmt.Sprint("worker-", i)}, time.Second)
		v.Advance(time.Second)
	}
	q := m.lockQueue(wfQueue, false)
	n := len(q.pollers)
	q.mu.Unlock()
	if n > pollerPruneThreshold+1 {
		t.Fatalf("queue keeps %d poller records, want at most %d", n, pollerPruneThreshold+1)
	}
	if got := len(m.Pollers(wfQueue)); got != 60 {
		t.Fatalf("Pollers lists %d, want the 60 seen in the last minute", got)
	}
}

func TestIdleQueuesAreCollected(t *testing.T) {
	m, v := newVirtualManager(t, Options{IdleQueueTTL: time.Minute})
	ctx := context.Background()
	for i := range 1000 {
		sticky := QueueKey{NamespaceID: "ns", Name: fmt.Sprint("host:", i), Kind: Workflow}
		m.Add(sticky, "t")
		if _, ok := m.Poll(ctx, sticky, PollerInfo{Identity: "w"}, time.Second); !ok {
			t.Fatal("poll missed its task")
		}
	}
	withBacklog := QueueKey{NamespaceID: "ns", Name: "backlog", Kind: Activity}
	m.Add(withBacklog, "pending")
	waiting := QueueKey{NamespaceID: "ns", Name: "waiting", Kind: Activity}
	ch := pollAsync(ctx, m, waiting, PollerInfo{}, time.Hour)
	waitForPollers(t, v, 1)
	if n := m.queueCount(); n != 1002 {
		t.Fatalf("queueCount = %d, want 1002", n)
	}

	v.Advance(2 * time.Minute)
	recent := QueueKey{NamespaceID: "ns", Name: "recent", Kind: Workflow}
	m.Add(recent, "r") // creating a queue triggers the sweep
	if n := m.queueCount(); n != 3 {
		t.Fatalf("queueCount after sweep = %d, want 3 (backlog, waiting, recent)", n)
	}
	if got := m.Drain(withBacklog); !slices.Equal(got, []string{"pending"}) {
		t.Fatalf("backlog of kept queue = %v", got)
	}
	if !m.LastPoll(QueueKey{NamespaceID: "ns", Name: "host:0", Kind: Workflow}).IsZero() {
		t.Fatal("collected queue still reports a last poll")
	}
	m.Add(waiting, "for the waiter")
	if r := receive(t, ch); !r.ok || r.task != "for the waiter" {
		t.Fatalf("waiting poller got %+v after sweep", r)
	}
}

func TestCollectedQueueIsRecreatedTransparently(t *testing.T) {
	m, v := newVirtualManager(t, Options{IdleQueueTTL: time.Minute})
	m.Add(wfQueue, "a")
	m.Poll(context.Background(), wfQueue, PollerInfo{}, time.Second)
	v.Advance(2 * time.Minute)
	m.Add(actQueue, "trigger sweep")
	m.Add(wfQueue, "b")
	if task, ok := m.Poll(context.Background(), wfQueue, PollerInfo{}, time.Second); !ok || task != "b" {
		t.Fatalf("Poll = %q, %v; want b", task, ok)
	}
}

func TestRateLimitSpacesDispatches(t *testing.T) {
	m, v := newVirtualManager(t, Options{})
	ctx := context.Background()
	for i := range 6 {
		m.Add(actQueue, fmt.Sprint(i))
	}
	limited := PollerInfo{Identity: "w", MaxTasksPerSecond: 2}
	var times []time.Time
	for i := range 6 {
		ch := pollAsync(ctx, m, actQueue, limited, time.Hour)
		if i > 0 {
			// Parked: its maxWait timer plus the refill timer for the next token.
			waitForPollers(t, v, 2)
			next, _ := v.NextDeadline()
			v.AdvanceTo(next)
		}
		r := receive(t, ch)
		if !r.ok || r.task != fmt.Sprint(i) {
			t.Fatalf("Poll #%d = %+v", i, r)
		}
		times = append(times, v.Now())
	}
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < 500*time.Millisecond || gap > 501*time.Millisecond {
			t.Fatalf("gap between dispatch %d and %d = %v, want 500ms at 2 tasks/s", i-1, i, gap)
		}
	}

	// The latest limit a poller asks for wins.
	for i := range 3 {
		m.Add(actQueue, fmt.Sprint("fast", i))
	}
	faster := PollerInfo{Identity: "w2", MaxTasksPerSecond: 10}
	start := v.Now()
	for i := range 3 {
		ch := pollAsync(ctx, m, actQueue, faster, time.Hour)
		waitForPollers(t, v, 2)
		next, _ := v.NextDeadline()
		v.AdvanceTo(next)
		if r := receive(t, ch); !r.ok {
			t.Fatalf("fast Poll #%d got nothing", i)
		}
	}
	if elapsed := v.Now().Sub(start); elapsed > 301*time.Millisecond {
		t.Fatalf("3 dispatches at 10/s took %v, want about 300ms", elapsed)
	}
}

func TestRateLimitDelaysSyncMatchToo(t *testing.T) {
	m, v := newVirtualManager(t, Options{})
	limited := PollerInfo{MaxTasksPerSecond: 1}
	m.Add(actQueue, "first")
	if _, ok := m.Poll(context.Background(), actQueue, limited, time.Hour); !ok {
		t.Fatal("first poll got nothing")
	}
	ch := pollAsync(context.Background(), m, actQueue, limited, time.Hour)
	waitForPollers(t, v, 1)
	m.Add(actQueue, "second")
	notReturned(t, ch)
	if n := m.BacklogLen(actQueue); n != 1 {
		t.Fatalf("BacklogLen = %d while rate limited, want 1", n)
	}
	v.Advance(time.Second)
	if r := receive(t, ch); !r.ok || r.task != "second" {
		t.Fatalf("Poll = %+v, want second after a second", r)
	}
}

func TestRateLimitOnRealClockUnderConcurrency(t *testing.T) {
	m := New[int](clock.Real(), Options{})
	defer m.Close()
	const tasks, rate = 120, 200.0 // burst is rate/10 = 20
	for i := range tasks {
		m.Add(actQueue, i)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var got atomic.Int32
	var wg sync.WaitGroup
	start := time.Now()
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for got.Load() < tasks {
				if _, ok := m.Poll(ctx, actQueue, PollerInfo{MaxTasksPerSecond: rate}, 50*time.Millisecond); ok {
					got.Add(1)
				}
				if ctx.Err() != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if got.Load() != tasks {
		t.Fatalf("delivered %d of %d tasks", got.Load(), tasks)
	}
	if minimum := time.Duration(float64(tasks-20) / rate * float64(time.Second)); elapsed < minimum*95/100 {
		t.Fatalf("%d tasks at %v/s took %v, want at least %v", tasks, rate, elapsed, minimum)
	}
}

func TestConcurrentProducersAndPollersDeliverEachTaskOnce(t *testing.T) {
	m := New[int](clock.Real(), Options{})
	defer m.Close()
	const producers, perProducer, pollers = 8, 3000, 8
	const total = producers * perProducer
	keys := []QueueKey{wfQueue, actQueue}

	var seen [total]atomic.Int32
	var delivered atomic.Int32
	allDone := make(chan struct{})
	var pollWG sync.WaitGroup
	for p := range pollers {
		pollWG.Add(1)
		go func() {
			defer pollWG.Done()
			key := keys[p%len(keys)]
			for i := 0; ; i++ {
				select {
				case <-allDone:
					return
				default:
				}
				// Some polls give up quickly to exercise cancellation racing handoff.
				ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i%4)*100*time.Microsecond)
				if i%4 == 3 {
					cancel()
					ctx, cancel = context.WithCancel(context.Background())
				}
				task, ok := m.Poll(ctx, key, PollerInfo{Identity: fmt.Sprint("p", p)}, 20*time.Millisecond)
				cancel()
				if ok {
					seen[task].Add(1)
					if delivered.Add(1) == total {
						close(allDone)
					}
				}
			}
		}()
	}
	var prodWG sync.WaitGroup
	for p := range producers {
		prodWG.Add(1)
		go func() {
			defer prodWG.Done()
			for i := range perProducer {
				task := p*perProducer + i
				m.Add(keys[task%len(keys)], task)
			}
		}()
	}
	prodWG.Wait()
	select {
	case <-allDone:
	case <-time.After(30 * time.Second):
		t.Fatalf("delivered %d of %d tasks; backlogs %d, %d", delivered.Load(), total,
			m.BacklogLen(wfQueue), m.BacklogLen(actQueue))
	}
	pollWG.Wait()
	for task := range total {
		if n := seen[task].Load(); n != 1 {
			t.Fatalf("task %d delivered %d times, want exactly once", task, n)
		}
	}
	if m.BacklogLen(wfQueue)+m.BacklogLen(actQueue) != 0 {
		t.Fatal("tasks left in backlog after all were delivered")
	}
}

func BenchmarkAddPollBacklog(b *testing.B) {
	m := New[int](clock.Real(), Options{})
	defer m.Close()
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.Add(wfQueue, 1)
			if _, ok := m.Poll(ctx, wfQueue, PollerInfo{Identity: "bench"}, time.Second); !ok {
				b.Error("poll missed")
				return
			}
		}
	})
}

func BenchmarkSyncMatch(b *testing.B) {
	m := New[int](clock.Real(), Options{})
	ctx, cancel := context.WithCancel(context.Background())
	var got atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if _, ok := m.Poll(ctx, wfQueue, PollerInfo{Identity: "bench"}, time.Minute); ok {
					got.Add(1)
				}
			}
		}()
	}
	for b.Loop() {
		m.Add(wfQueue, 1)
	}
	b.ReportMetric(float64(got.Load())/float64(b.N), "delivered/op")
	cancel()
	m.Close()
	wg.Wait()
}
