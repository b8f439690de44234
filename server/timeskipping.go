package server

import (
	"errors"
	"fmt"

	"google.golang.org/grpc"

	"github.com/sundialdev/sundial/internal/engine"
	"github.com/sundialdev/sundial/internal/timeskip"
)

// timeSkipping is the server's share of Options.TimeSkipping: the controller
// that skips the engine's clock and the TestService that drives it. A nil
// *timeSkipping (time skipping off) does nothing.
type timeSkipping struct {
	ctl *timeskip.Controller
}

// newTimeSkipping sets cfg up for time skipping if the options ask for it.
func (s *Server) newTimeSkipping(cfg *engine.Config) *timeSkipping {
	if !s.opts.TimeSkipping {
		return nil
	}
	ctl := timeskip.New(timeskip.Options{Locks: 1})
	cfg.Clock = ctl.EngineClock()
	cfg.OnOutstandingChange = ctl.Poke
	return &timeSkipping{ctl: ctl}
}

// interceptors hold time still while state-changing requests are applied.
func (t *timeSkipping) interceptors() []grpc.UnaryServerInterceptor {
	if t == nil {
		return nil
	}
	return []grpc.UnaryServerInterceptor{t.ctl.UnaryServerInterceptor()}
}

// serve registers the TestService on g and starts skipping eng's clock.
func (t *timeSkipping) serve(g *grpc.Server, eng *engine.Engine) error {
	if t == nil {
		return nil
	}
	if err := timeskip.RegisterTestService(g, t.ctl); err != nil {
		return fmt.Errorf("registering the TestService: %w", err)
	}
	t.ctl.Start(eng.Outstanding)
	return nil
}

// Stop stops skipping and ends TestService waits in progress.
func (t *timeSkipping) Stop() {
	if t != nil {
		t.ctl.Stop()
	}
}

// UnlockTimeSkipping releases one hold of the time-skipping lock, as the
// TestService's UnlockTimeSkipping call does, without a connection (so it
// works whatever the listener's TLS and authentication ask of clients).
func (s *Server) UnlockTimeSkipping() error {
	s.mu.Lock()
	skipping := s.skipping
	s.mu.Unlock()
	if skipping == nil {
		return errors.New("server: time skipping is off or the server is not started")
	}
	if err := skipping.ctl.Unlock(); err != nil {
		return fmt.Errorf("server: %w", err)
	}
	return nil
}
