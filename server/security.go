package server

import (
	"context"

	"github.com/sundialdev/sundial/internal/clock"
	"github.com/sundialdev/sundial/internal/engine"
)

// prepareSecurity validates the TLS, exposure and rate-limit options and loads
// the certificates, so that New fails on any of them.
func (s *Server) prepareSecurity() error {
	if err := s.opts.TLS.validate(); err != nil {
		return err
	}
	if err := validateRateLimits(s.opts.NamespaceRateLimit, s.opts.NamespaceRateLimits); err != nil {
		return err
	}
	s.exposure = exposureOf(s.opts, s.opts.authConfigured())
	if err := s.exposure.check(); err != nil {
		return err
	}
	if !s.opts.TLS.Enabled() {
		return nil
	}
	reloader, err := newCertReloader(s.opts.TLS, s.log, clock.Real())
	if err != nil {
		return err
	}
	s.tls = reloader
	return nil
}

// authConfigured reports whether the options make requests carry
// credentials (Options.Auth is set).
func (o Options) authConfigured() bool { return o.Auth != nil }

// namespaceRegistered reports through eng whether a namespace exists.
func namespaceRegistered(eng *engine.Engine) func(context.Context, string) bool {
	return func(ctx context.Context, name string) bool {
		_, err := eng.NamespaceID(ctx, name)
		return err == nil
	}
}
