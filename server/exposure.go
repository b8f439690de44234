package server

import (
	"fmt"
	"net"
	"strings"
)

// isLoopbackListenAddr reports whether addr (host:port) listens only on a
// loopback interface: a loopback IP or the name localhost. An empty host, a
// wildcard or any other name counts as exposed.
func isLoopbackListenAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// exposure is how a server's listener is protected, as checkExposure judges it.
type exposure struct {
	listenAddr string
	tls        bool // Options.TLS is configured
	auth       bool // requests must carry credentials
	insecure   bool // Options.Insecure
}

// exposureOf describes opts. authConfigured is whether the options ask for
// authentication.
func exposureOf(opts Options, authConfigured bool) exposure {
	return exposure{listenAddr: opts.ListenAddr, tls: opts.TLS.Enabled(), auth: authConfigured, insecure: opts.Insecure}
}

// unprotected reports whether anyone who can reach a non-loopback address
// could use the server: neither TLS nor authentication guards it.
func (e exposure) unprotected() bool {
	return !isLoopbackListenAddr(e.listenAddr) && !e.tls && !e.auth
}

// check refuses an unprotected non-loopback listener unless Insecure says it
// is wanted.
func (e exposure) check() error {
	if e.unprotected() && !e.insecure {
		return fmt.Errorf("refusing to listen on %s, which is not a loopback address, without TLS or authentication: "+
			"configure a certificate (--tls-cert and --tls-key) or authentication, or pass --insecure (Options.Insecure) to serve it unprotected",
			e.listenAddr)
	}
	return nil
}

// warnIfInsecure logs, when the server runs unprotected on a non-loopback
// address by request, that anyone who can reach it can do anything.
func (s *Server) warnIfInsecure(listening string) {
	if s.exposure.unprotected() {
		s.log.Warn("serving without TLS or authentication on a non-loopback address (--insecure): anyone who can reach it can run, read and delete workflows",
			"addr", listening)
	}
}
