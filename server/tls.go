package server

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/sundialdev/sundial/internal/clock"
)

// DefaultTLSReloadInterval is how often, at most, the server looks at whether its
// certificate files changed.
const DefaultTLSReloadInterval = 5 * time.Second

// TLSOptions make the server serve TLS from PEM files, and with ClientCAFile
// require client certificates (mutual TLS). The files are read at New and read
// again when they change, so certificates rotate without a restart: at most
// every ReloadInterval a TLS handshake reads the files and, when their
// contents differ from those last loaded, builds its configuration anew. A
// set of files that does not load (a rotation half written, a key that does
// not match its certificate) is logged and the previous certificates stay in
// use until the files load.
type TLSOptions struct {
	// CertFile is the server's certificate chain (PEM), leaf first.
	CertFile string
	// KeyFile is the private key (PEM) of CertFile's leaf certificate.
	KeyFile string
	// ClientCAFile, when set, holds the CA certificates (PEM) client
	// certificates must chain to; clients without such a certificate are
	// refused during the handshake.
	ClientCAFile string
	// ReloadInterval is how often, at most, the files are checked for
	// changes. Default DefaultTLSReloadInterval.
	ReloadInterval time.Duration
}

// Enabled reports whether any TLS file is configured.
func (o TLSOptions) Enabled() bool {
	return o.CertFile != "" || o.KeyFile != "" || o.ClientCAFile != ""
}

// validate checks the options name a usable combination of files.
func (o TLSOptions) validate() error {
	if !o.Enabled() {
		return nil
	}
	if o.CertFile == "" || o.KeyFile == "" {
		return errors.New("TLS needs both a certificate file and a key file")
	}
	if o.ReloadInterval < 0 {
		return fmt.Errorf("TLS ReloadInterval must not be negative, got %s", o.ReloadInterval)
	}
	return nil
}

// certReloader hands each TLS handshake the server configuration built from the
// newest loadable certificate files.
type certReloader struct {
	opts  TLSOptions
	log   *slog.Logger
	clock clock.Clock

	mu          sync.Mutex
	config      *tls.Config
	loaded      [sha256.Size]byte // digest of the files config was built from
	lastFailure [sha256.Size]byte // digest of the last set that failed to load, so it is logged once
	checkedAt   time.Time
}

// newCertReloader loads the files once; it fails if they do not load.
func newCertReloader(opts TLSOptions, log *slog.Logger, clk clock.Clock) (*certReloader, error) {
	if opts.ReloadInterval == 0 {
		opts.ReloadInterval = DefaultTLSReloadInterval
	}
	r := &certReloader{opts: opts, log: log, clock: clk}
	contents, digest, err := r.read()
	if err != nil {
		return nil, err
	}
	config, err := r.build(contents)
	if err != nil {
		return nil, err
	}
	r.config, r.loaded, r.checkedAt = config, digest, clk.Now()
	return r, nil
}

// tlsFiles are the contents of the certificate, key and client CA files.
type tlsFiles struct {
	cert, key, clientCA []byte
}

// read reads every file and digests them together. Comparing contents rather
// than modification times catches every rotation, also one within the file
// system's timestamp granularity or one that swaps a symbolic link (as a
// Kubernetes secret volume does).
func (r *certReloader) read() (tlsFiles, [sha256.Size]byte, error) {
	var files tlsFiles
	var digest [sha256.Size]byte
	targets := []struct {
		path string
		into *[]byte
	}{{r.opts.CertFile, &files.cert}, {r.opts.KeyFile, &files.key}, {r.opts.ClientCAFile, &files.clientCA}}
	h := sha256.New()
	for _, target := range targets {
		if target.path == "" {
			continue
		}
		data, err := os.ReadFile(target.path)
		if err != nil {
			return files, digest, fmt.Errorf("reading TLS file: %w", err)
		}
		*target.into = data
		fmt.Fprintf(h, "%d:", len(data))
		h.Write(data)
	}
	copy(digest[:], h.Sum(nil))
	return files, digest, nil
}

// build makes a server configuration from the files' contents.
func (r *certReloader) build(files tlsFiles) (*tls.Config, error) {
	cert, err := tls.X509KeyPair(files.cert, files.key)
	if err != nil {
		return nil, fmt.Errorf("loading TLS certificate %s with key %s: %w", r.opts.CertFile, r.opts.KeyFile, err)
	}
	config := &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{cert},
		// gRPC runs over HTTP/2 and its clients insist on negotiating it.
		NextProtos: []string{"h2"},
	}
	if r.opts.ClientCAFile == "" {
		return config, nil
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(files.clientCA) {
		return nil, fmt.Errorf("TLS client CA file %s holds no PEM certificate", r.opts.ClientCAFile)
	}
	config.ClientCAs = pool
	config.ClientAuth = tls.RequireAndVerifyClientCert
	return config, nil
}

// configForClient is the tls.Config.GetConfigForClient hook: it reloads the
// files if they changed since the last check (at most once per interval) and
// returns the current configuration.
func (r *certReloader) configForClient(*tls.ClientHelloInfo) (*tls.Config, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.clock.Now()
	if now.Sub(r.checkedAt) >= r.opts.ReloadInterval || now.Before(r.checkedAt) {
		r.checkedAt = now
		r.refresh()
	}
	return r.config, nil
}

// refresh loads the files again if their contents changed. Called with mu held.
func (r *certReloader) refresh() {
	files, digest, err := r.read()
	if err != nil {
		r.logFailure(digest, err)
		return
	}
	if digest == r.loaded {
		return
	}
	config, err := r.build(files)
	if err != nil {
		r.logFailure(digest, err)
		return
	}
	r.config, r.loaded, r.lastFailure = config, digest, [sha256.Size]byte{}
	r.log.Info("reloaded the TLS certificates", "cert", r.opts.CertFile, "clientCA", r.opts.ClientCAFile)
}

// logFailure warns that the files could not be reloaded, once per distinct
// failing contents (a zero digest: the files could not be read).
func (r *certReloader) logFailure(digest [sha256.Size]byte, err error) {
	if digest == ([sha256.Size]byte{}) {
		digest[0] = 1 // stands for "unreadable", so that it too is reported once
	}
	if digest == r.lastFailure {
		return
	}
	r.lastFailure = digest
	r.log.Warn("the TLS files do not load; serving the previous certificates until they do", "err", err)
}

// serverOption is the gRPC transport credentials serving the reloaded
// configuration.
func (r *certReloader) serverOption() grpc.ServerOption {
	return grpc.Creds(credentials.NewTLS(&tls.Config{
		MinVersion:         tls.VersionTLS12,
		GetConfigForClient: r.configForClient,
	}))
}

// transportCredentials is the server option that turns TLS on when the options
// ask for it.
func (s *Server) transportCredentials() grpc.ServerOption {
	if s.tls == nil {
		return grpc.EmptyServerOption{}
	}
	return s.tls.serverOption()
}
