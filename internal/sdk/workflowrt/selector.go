package workflowrt

// Selector waits for the first of several channels and futures to be ready, like a
// select statement. Cases are checked in the order they were added, so the choice is
// deterministic.
type Selector interface {
	// AddReceive adds a case that is ready when c has a value or is closed. fn must
	// receive from c (Select does not).
	AddReceive(c ReceiveChannel, fn func(c ReceiveChannel, more bool)) Selector
	// AddSend adds a case that sends v on c when c can take it without waiting.
	AddSend(c SendChannel, v any, fn func()) Selector
	// AddFuture adds a case that is ready when f is. Each future case fires at most once
	// per selector.
	AddFuture(f Future, fn func(f Future)) Selector
	// AddDefault adds a case chosen when no other case is ready.
	AddDefault(fn func())
	// Select blocks until a case is ready, then runs its function.
	Select(ctx Context)
	// HasPending reports whether a case is ready now.
	HasPending() bool
}

type selectCase struct {
	receive  ReceiveChannel
	onRecv   func(ReceiveChannel, bool)
	send     *channel
	sendVal  any
	onSend   func()
	future   Future
	onFuture func(Future)
	fired    bool
}

type selector struct {
	env       *runEnv
	cases     []*selectCase
	onDefault func()
}

// NewSelector returns an empty selector.
func NewSelector(ctx Context) Selector { return &selector{env: envFrom(ctx)} }

func (s *selector) AddReceive(c ReceiveChannel, fn func(ReceiveChannel, bool)) Selector {
	s.cases = append(s.cases, &selectCase{receive: c, onRecv: fn})
	return s
}

func (s *selector) AddSend(c SendChannel, v any, fn func()) Selector {
	ch, ok := c.(*channel)
	if !ok {
		panic("workflowrt: AddSend needs a channel made by the workflow runtime")
	}
	s.cases = append(s.cases, &selectCase{send: ch, sendVal: v, onSend: fn})
	return s
}

func (s *selector) AddFuture(f Future, fn func(Future)) Selector {
	s.cases = append(s.cases, &selectCase{future: f, onFuture: fn})
	return s
}

func (s *selector) AddDefault(fn func()) { s.onDefault = fn }

// ready reports whether a case can fire now.
func (c *selectCase) ready() bool {
	switch {
	case c.receive != nil:
		ch, ok := c.receive.(*channel)
		if ok {
			return ch.Len() > 0 || ch.closed
		}
		return c.receive.Len() > 0
	case c.send != nil:
		return !c.send.closed && (c.send.capacity < 0 || len(c.send.queue) < c.send.capacity)
	default:
		return !c.fired && c.future.IsReady()
	}
}

func (s *selector) firstReady() *selectCase {
	for _, c := range s.cases {
		if c.ready() {
			return c
		}
	}
	return nil
}

func (s *selector) HasPending() bool { return s.firstReady() != nil }

func (s *selector) Select(ctx Context) {
	chosen := s.firstReady()
	if chosen == nil && s.onDefault != nil {
		s.onDefault()
		return
	}
	if chosen == nil {
		s.env.sched.block("select", func() bool { return s.firstReady() != nil })
		chosen = s.firstReady()
	}
	switch {
	case chosen.receive != nil:
		more := true
		if ch, ok := chosen.receive.(*channel); ok {
			more = ch.Len() > 0
		}
		chosen.onRecv(chosen.receive, more)
	case chosen.send != nil:
		chosen.send.SendAsync(chosen.sendVal)
		if chosen.onSend != nil {
			chosen.onSend()
		}
	default:
		chosen.fired = true
		chosen.onFuture(chosen.future)
	}
}
