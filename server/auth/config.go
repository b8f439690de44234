package auth

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Config turns authentication and authorization on. The zero Config accepts
// no credential at all, so at least one of JWT.JWKS, APIKeysFile and
// MTLSIdentitiesFile must be set. It has yaml tags so that a server config
// file can hold it (under "auth:").
type Config struct {
	// JWT accepts JSON Web Tokens in "authorization: Bearer <token>".
	JWT JWTConfig `yaml:"jwt" json:"jwt"`
	// APIKeysFile is a JSON file of hashed API keys and their permissions
	// (the format is in the package documentation). Keys arrive as
	// "authorization: Bearer <key>", as the SDKs send them.
	APIKeysFile string `yaml:"apiKeysFile" json:"apiKeysFile"`
	// MTLSIdentitiesFile is a JSON file mapping client-certificate subjects
	// (common name or a subject alternative name) to permissions. It only
	// applies to connections whose client certificate the TLS layer
	// verified.
	MTLSIdentitiesFile string `yaml:"mtlsIdentitiesFile" json:"mtlsIdentitiesFile"`
	// FileCheckInterval is how often the JWKS file, the API key file and the
	// identity file are checked for changes and reloaded. Default 10s.
	FileCheckInterval time.Duration `yaml:"fileCheckInterval" json:"fileCheckInterval"`
}

// JWTConfig configures JWT verification.
type JWTConfig struct {
	// JWKS is where the verification keys are: a file path, or an http(s)
	// URL. Empty turns JWTs off.
	JWKS string `yaml:"jwks" json:"jwks"`
	// RefreshInterval is how often a JWKS URL is fetched again. Default 5m.
	RefreshInterval time.Duration `yaml:"refreshInterval" json:"refreshInterval"`
	// Issuer, when set, must equal the token's "iss" claim.
	Issuer string `yaml:"issuer" json:"issuer"`
	// Audience, when set, must be among the token's "aud" values.
	Audience string `yaml:"audience" json:"audience"`
	// Algorithms the tokens may be signed with: RS256 and ES256 (the
	// default is both). Others, "none" and HMAC ones included, are refused.
	Algorithms []string `yaml:"algorithms" json:"algorithms"`
	// PermissionsClaim names the claim holding the permissions. Default
	// "permissions", as in Temporal.
	PermissionsClaim string `yaml:"permissionsClaim" json:"permissionsClaim"`
	// ClockSkew is how far the token's exp and nbf may be off. Default 1m,
	// at most 10m.
	ClockSkew time.Duration `yaml:"clockSkew" json:"clockSkew"`
}

// Defaults applied by Validate.
const (
	DefaultJWKSRefreshInterval = 5 * time.Minute
	DefaultFileCheckInterval   = 10 * time.Second
	DefaultClockSkew           = time.Minute
	maxClockSkew               = 10 * time.Minute
	minRefreshInterval         = time.Second
)

// errNoCredentialSource is the error for a Config that accepts nothing.
var errNoCredentialSource = errors.New("auth: configure at least one of jwt.jwks, apiKeysFile and mtlsIdentitiesFile")

// withDefaults validates c and fills in its defaults.
func (c Config) withDefaults() (Config, error) {
	if c.JWT.JWKS == "" && c.APIKeysFile == "" && c.MTLSIdentitiesFile == "" {
		return c, errNoCredentialSource
	}
	if c.FileCheckInterval == 0 {
		c.FileCheckInterval = DefaultFileCheckInterval
	}
	if c.FileCheckInterval < minRefreshInterval {
		return c, fmt.Errorf("auth: fileCheckInterval must be at least %s, got %s", minRefreshInterval, c.FileCheckInterval)
	}
	j := &c.JWT
	if j.JWKS == "" {
		return c, nil
	}
	if isURL(j.JWKS) {
		u, err := url.Parse(j.JWKS)
		if err != nil || u.Host == "" {
			return c, fmt.Errorf("auth: jwt.jwks %q is not a valid URL", j.JWKS)
		}
	}
	if j.RefreshInterval == 0 {
		j.RefreshInterval = DefaultJWKSRefreshInterval
	}
	if j.RefreshInterval < minRefreshInterval {
		return c, fmt.Errorf("auth: jwt.refreshInterval must be at least %s, got %s", minRefreshInterval, j.RefreshInterval)
	}
	if j.ClockSkew == 0 {
		j.ClockSkew = DefaultClockSkew
	}
	if j.ClockSkew < 0 || j.ClockSkew > maxClockSkew {
		return c, fmt.Errorf("auth: jwt.clockSkew must be from 0 to %s, got %s", maxClockSkew, j.ClockSkew)
	}
	if j.PermissionsClaim == "" {
		j.PermissionsClaim = "permissions"
	}
	if len(j.Algorithms) == 0 {
		j.Algorithms = []string{"RS256", "ES256"}
	}
	for _, a := range j.Algorithms {
		if a != "RS256" && a != "ES256" {
			return c, fmt.Errorf("auth: jwt.algorithms: %q is not supported (RS256 and ES256 are)", a)
		}
	}
	return c, nil
}

// isURL tells a JWKS URL from a file path.
func isURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}
