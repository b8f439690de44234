package client

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// TLSFiles name the PEM files of a TLS connection, as the temporal CLI's
// --tls-ca-path, --tls-cert-path, --tls-key-path and --tls-server-name do.
type TLSFiles struct {
	// CAFile holds the CAs the server's certificate must chain to; empty
	// trusts the system's roots.
	CAFile string
	// CertFile and KeyFile are the client certificate and its key, for a
	// server that requires client certificates (mutual TLS). Both or neither.
	CertFile string
	KeyFile  string
	// ServerName is the name the server's certificate must carry; empty
	// takes the host of Options.HostPort.
	ServerName string
}

// TLSConfig builds the Options.TLS configuration the files describe.
func TLSConfig(files TLSFiles) (*tls.Config, error) {
	config := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: files.ServerName}
	if files.CAFile != "" {
		pem, err := os.ReadFile(files.CAFile)
		if err != nil {
			return nil, fmt.Errorf("reading the TLS CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("the TLS CA file %s holds no PEM certificate", files.CAFile)
		}
		config.RootCAs = pool
	}
	if (files.CertFile == "") != (files.KeyFile == "") {
		return nil, errors.New("a TLS client certificate needs both CertFile and KeyFile")
	}
	if files.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(files.CertFile, files.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("loading the TLS client certificate %s: %w", files.CertFile, err)
		}
		config.Certificates = []tls.Certificate{cert}
	}
	return config, nil
}
