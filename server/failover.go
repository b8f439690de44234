package server

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"time"
)

// Failover defaults: a node that dies is replaced within about
// DefaultLeaseTTL + DefaultLeaseRenewInterval.
const (
	DefaultLeaseTTL           = 5 * time.Second
	DefaultLeaseRenewInterval = time.Second
)

// FailoverOptions tune how nodes sharing one PostgreSQL database pick the
// active one. The active node holds a lease in the database that lapses
// LeaseTTL after its last renewal; it renews every RenewInterval. Standby
// nodes look at the lease every RenewInterval and take it over once it has
// lapsed, so a dead node is replaced after at most LeaseTTL +
// RenewInterval, plus the time the new node needs to read open runs back.
// A node that stops a gracefully releases the lease at once.
type FailoverOptions struct {
	// LeaseTTL is how long the lease lasts without renewal. Default 5s.
	LeaseTTL time.Duration
	// RenewInterval is how often the active node renews and standbys look
	// at the lease. Default 1s; it must be under half of LeaseTTL.
	RenewInterval time.Duration
	// PeerTLS, when set, is the TLS configuration a standby dials the
	// active node with when it forwards requests. Default: none when the
	// server serves plaintext; when it serves TLS, TLS that trusts the
	// system's roots and TLS.ClientCAFile (if set) and presents this
	// node's own certificate (so mutual TLS between nodes works with one
	// CA).
	PeerTLS *tls.Config
}

func (o FailoverOptions) withDefaults() (FailoverOptions, error) {
	if o.LeaseTTL == 0 {
		o.LeaseTTL = DefaultLeaseTTL
	}
	if o.RenewInterval == 0 {
		o.RenewInterval = DefaultLeaseRenewInterval
	}
	if o.LeaseTTL < 0 || o.RenewInterval < 0 {
		return o, fmt.Errorf("failover lease TTL (%s) and renew interval (%s) must not be negative", o.LeaseTTL, o.RenewInterval)
	}
	if 2*o.RenewInterval > o.LeaseTTL {
		return o, fmt.Errorf("failover renew interval (%s) must be at most half the lease TTL (%s)", o.RenewInterval, o.LeaseTTL)
	}
	return o, nil
}

// peerTLS is the TLS configuration for dialling other nodes, nil for
// plaintext.
func (s *Server) peerTLS() (*tls.Config, error) {
	if s.opts.Failover.PeerTLS != nil {
		return s.opts.Failover.PeerTLS.Clone(), nil
	}
	if !s.opts.TLS.Enabled() {
		return nil, nil
	}
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	if s.opts.TLS.ClientCAFile != "" {
		pem, err := os.ReadFile(s.opts.TLS.ClientCAFile)
		if err != nil {
			return nil, fmt.Errorf("reading the TLS client CA file for peer connections: %w", err)
		}
		roots.AppendCertsFromPEM(pem)
	}
	cfg := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	certFile, keyFile := s.opts.TLS.CertFile, s.opts.TLS.KeyFile
	cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
		// Read at each handshake, so rotated files are used.
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("loading this node's certificate for a peer connection: %w", err)
		}
		return &cert, nil
	}
	return cfg, nil
}
