package main

import (
	"errors"
	"flag"
	"time"

	"github.com/sundialdev/sundial/server/auth"
)

// authFlags are the server sub-command's authentication flags.
type authFlags struct {
	jwks, issuer, audience string
	jwksRefresh            time.Duration
	apiKeys, identities    string
}

// addAuthFlags defines the authentication flags on flags, bound to f.
func addAuthFlags(flags *flag.FlagSet, f *authFlags) {
	flags.StringVar(&f.jwks, "auth-jwks", "", "verify JWTs (\"authorization: Bearer\") with the JWKS at this file `PATH or URL`")
	flags.DurationVar(&f.jwksRefresh, "auth-jwks-refresh", auth.DefaultJWKSRefreshInterval, "how often a JWKS URL is fetched again")
	flags.StringVar(&f.issuer, "auth-issuer", "", "the `ISSUER` JWTs must carry in iss")
	flags.StringVar(&f.audience, "auth-audience", "", "an `AUDIENCE` JWTs must carry in aud")
	flags.StringVar(&f.apiKeys, "auth-api-keys", "", "JSON `FILE` of hashed API keys and their permissions")
	flags.StringVar(&f.identities, "auth-mtls-identities", "", "JSON `FILE` mapping client-certificate subjects to permissions")
}

// config is the auth configuration the flags select: nil (auth off) when no
// credential source is given.
func (f *authFlags) config() (*auth.Config, error) {
	if f.jwks == "" && (f.issuer != "" || f.audience != "") {
		return nil, errors.New("--auth-issuer and --auth-audience need --auth-jwks")
	}
	if f.jwks == "" && f.apiKeys == "" && f.identities == "" {
		return nil, nil
	}
	return &auth.Config{
		JWT: auth.JWTConfig{
			JWKS:            f.jwks,
			RefreshInterval: f.jwksRefresh,
			Issuer:          f.issuer,
			Audience:        f.audience,
		},
		APIKeysFile:        f.apiKeys,
		MTLSIdentitiesFile: f.identities,
	}, nil
}
