package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

// maxBearerBytes bounds the credential in an authorization header.
const maxBearerBytes = 16 << 10

// Principal is an authenticated caller.
type Principal struct {
	// Method is how the caller authenticated: "jwt", "api-key" or "mtls".
	Method string
	// Subject names the caller: the JWT's sub, the API key's name, or the
	// certificate subject that matched ("CN=..." or "SAN=...").
	Subject     string
	Permissions Permissions
}

// Authenticator turns a request's credentials into a Principal, and
// authorizes it against MethodRequirements. It owns one goroutine that
// reloads changed files and refreshes a JWKS URL; Close stops it.
type Authenticator struct {
	cfg   Config
	log   *slog.Logger
	rules map[string]Requirement

	jwt        *jwtVerifier
	jwksFile   *watchedFile[*keySet]
	jwksURL    atomic.Pointer[keySet]
	httpClient *http.Client
	apiKeys    *watchedFile[map[string]apiKey]
	identities *watchedFile[identityMap]

	// unknownKey asks the goroutine to fetch a JWKS URL early, because a
	// token named a key id the set does not have.
	unknownKey chan struct{}

	cancel    context.CancelFunc
	done      chan struct{}
	closeOnce sync.Once
}

// New loads every configured source (the JWKS, fetched now if it is a URL;
// the API key file; the identity file) and starts keeping them current. It
// fails if any source cannot be loaded. logger may be nil.
func New(ctx context.Context, cfg Config, logger *slog.Logger) (*Authenticator, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.Default()
	}
	a := &Authenticator{cfg: cfg, log: logger, rules: MethodRequirements(), httpClient: &http.Client{Timeout: 30 * time.Second}}
	if j := cfg.JWT.JWKS; j != "" {
		if isURL(j) {
			set, err := fetchJWKS(ctx, a.httpClient, j)
			if err != nil {
				return nil, fmt.Errorf("auth: %w", err)
			}
			a.jwksURL.Store(set)
		} else if a.jwksFile, err = loadWatchedFile(j, parseJWKS); err != nil {
			return nil, fmt.Errorf("auth: JWKS: %w", err)
		}
		var onUnknownKey func()
		if isURL(j) {
			a.unknownKey = make(chan struct{}, 1)
			onUnknownKey = a.requestEarlyRefresh
		}
		a.jwt = newJWTVerifier(cfg.JWT, a.currentKeys, time.Now, onUnknownKey)
	}
	if cfg.APIKeysFile != "" {
		if a.apiKeys, err = loadWatchedFile(cfg.APIKeysFile, parseAPIKeys); err != nil {
			return nil, fmt.Errorf("auth: API keys: %w", err)
		}
	}
	if cfg.MTLSIdentitiesFile != "" {
		if a.identities, err = loadWatchedFile(cfg.MTLSIdentitiesFile, parseIdentities); err != nil {
			return nil, fmt.Errorf("auth: mTLS identities: %w", err)
		}
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a.cancel, a.done = cancel, make(chan struct{})
	go a.keepCurrent(runCtx)
	return a, nil
}

// Close stops reloading and refreshing. It waits for the goroutine to end.
func (a *Authenticator) Close() {
	a.closeOnce.Do(func() {
		a.cancel()
		<-a.done
	})
}

// currentKeys is the JWKS in use.
func (a *Authenticator) currentKeys() *keySet {
	if a.jwksFile != nil {
		return a.jwksFile.get()
	}
	return a.jwksURL.Load()
}

// minEarlyRefresh is the least time between two fetches of a JWKS URL made
// because tokens name unknown keys, so that such tokens cannot make the
// server hammer the identity provider.
const minEarlyRefresh = 30 * time.Second

// requestEarlyRefresh asks for an early JWKS fetch without waiting.
func (a *Authenticator) requestEarlyRefresh() {
	select {
	case a.unknownKey <- struct{}{}:
	default:
	}
}

// keepCurrent checks the files every FileCheckInterval and refetches a JWKS
// URL every JWT.RefreshInterval (and early, at most every minEarlyRefresh,
// when a token names an unknown key), until ctx ends.
func (a *Authenticator) keepCurrent(ctx context.Context) {
	defer close(a.done)
	files := time.NewTicker(a.cfg.FileCheckInterval)
	defer files.Stop()
	var refresh <-chan time.Time
	if isURL(a.cfg.JWT.JWKS) {
		t := time.NewTicker(a.cfg.JWT.RefreshInterval)
		defer t.Stop()
		refresh = t.C
	}
	lastFetch := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-files.C:
			a.checkFiles()
		case <-refresh:
			a.refreshJWKS(ctx)
			lastFetch = time.Now()
		case <-a.unknownKey: // nil, never ready, unless the JWKS is a URL
			if time.Since(lastFetch) >= minEarlyRefresh {
				a.refreshJWKS(ctx)
				lastFetch = time.Now()
			}
		}
	}
}

// checkFiles reloads every file that changed; a file that fails to load
// keeps its previous content and the failure is logged.
func (a *Authenticator) checkFiles() {
	check := func(what string, f interface{ check() (bool, error) }) {
		loaded, err := f.check()
		switch {
		case err != nil:
			a.log.Error("auth: reloading failed; keeping the previous content", "what", what, "err", err)
		case loaded:
			a.log.Info("auth: reloaded", "what", what)
		}
	}
	if a.jwksFile != nil {
		check("JWKS file", a.jwksFile)
	}
	if a.apiKeys != nil {
		check("API key file", a.apiKeys)
	}
	if a.identities != nil {
		check("mTLS identity file", a.identities)
	}
}

// refreshJWKS fetches the JWKS URL again; on failure the previous keys stay.
func (a *Authenticator) refreshJWKS(ctx context.Context) {
	set, err := fetchJWKS(ctx, a.httpClient, a.cfg.JWT.JWKS)
	if err != nil {
		a.log.Error("auth: refreshing the JWKS failed; keeping the previous keys", "err", err)
		return
	}
	a.jwksURL.Store(set)
}

// unauthenticated is the error for a missing or invalid credential.
func unauthenticated(format string, args ...any) error {
	return status.Errorf(codes.Unauthenticated, "Request unauthenticated: "+format, args...)
}

// Authenticate finds the caller's credential in ctx and verifies it. A
// bearer credential in the "authorization" metadata, when present, decides
// alone (an invalid one fails even if the connection has a mapped client
// certificate); otherwise a verified client certificate found in the
// identity map does. No credential, or an invalid one, is an Unauthenticated
// status error.
func (a *Authenticator) Authenticate(ctx context.Context) (Principal, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	if values := md.Get("authorization"); len(values) > 0 {
		if len(values) > 1 {
			return Principal{}, unauthenticated("more than one authorization header")
		}
		return a.authenticateBearer(values[0])
	}
	if a.identities != nil {
		if p, ok, err := a.authenticateCertificate(ctx); ok || err != nil {
			return p, err
		}
	}
	return Principal{}, unauthenticated("no credential: send \"authorization: Bearer <token or API key>\"")
}

// authenticateBearer verifies "Bearer <credential>": an API key if its hash
// is in the API key file, else a JWT if it has a JWT's three parts.
func (a *Authenticator) authenticateBearer(header string) (Principal, error) {
	if len(header) > maxBearerBytes {
		return Principal{}, unauthenticated("authorization header longer than %d bytes", maxBearerBytes)
	}
	scheme, credential, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return Principal{}, unauthenticated("authorization header is not \"Bearer <credential>\"")
	}
	credential = strings.TrimSpace(credential)
	if credential == "" {
		return Principal{}, unauthenticated("empty bearer credential")
	}
	if a.apiKeys != nil {
		sum := sha256.Sum256([]byte(credential))
		if key, found := a.apiKeys.get()[hex.EncodeToString(sum[:])]; found {
			return Principal{Method: "api-key", Subject: key.name, Permissions: key.permissions}, nil
		}
	}
	if strings.Count(credential, ".") == 2 {
		if a.jwt == nil {
			return Principal{}, unauthenticated("JWTs are not accepted by this server")
		}
		subject, perms, err := a.jwt.verify(credential)
		if err != nil {
			return Principal{}, unauthenticated("%v", err)
		}
		return Principal{Method: "jwt", Subject: subject, Permissions: perms}, nil
	}
	return Principal{}, unauthenticated("unknown API key")
}

// authenticateCertificate maps the connection's verified client certificate
// through the identity map. ok is false when the connection has no verified
// client certificate.
func (a *Authenticator) authenticateCertificate(ctx context.Context) (Principal, bool, error) {
	p, found := peer.FromContext(ctx)
	if !found {
		return Principal{}, false, nil
	}
	info, isTLS := p.AuthInfo.(credentials.TLSInfo)
	if !isTLS || len(info.State.VerifiedChains) == 0 || len(info.State.VerifiedChains[0]) == 0 {
		return Principal{}, false, nil
	}
	leaf := info.State.VerifiedChains[0][0]
	perms, subject, ok := a.identities.get().lookup(leaf)
	if !ok {
		return Principal{}, true, unauthenticated("client certificate (CN=%q) is not in the identity map", leaf.Subject.CommonName)
	}
	return Principal{Method: "mtls", Subject: subject, Permissions: perms}, true, nil
}
