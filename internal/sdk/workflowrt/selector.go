package workflowrt

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
