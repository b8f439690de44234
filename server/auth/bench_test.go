package auth

import (
	"testing"

	"go.temporal.io/api/workflowservice/v1"
)

// BenchmarkAuthorize measures the cost the interceptor adds to one call.
func BenchmarkAuthorize(b *testing.B) {
	rsaKey, ecKey := newRSAKey(b, "rsa"), newECKey(b, "ec")
	dir := b.TempDir()
	a, err := New(b.Context(), Config{
		JWT:         JWTConfig{JWKS: writeFile(b, dir, "jwks.json", jwksJSON(b, rsaKey, ecKey)), Issuer: testIssuer, Audience: testAudience},
		APIKeysFile: writeFile(b, dir, "keys.json", apiKeysJSON(b, map[string][]string{"bench-key": {"default:worker"}})),
	}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(a.Close)
	method := "/" + WorkflowServiceName + "/RespondActivityTaskCompleted"
	req := &workflowservice.RespondActivityTaskCompletedRequest{Namespace: "default"}
	for name, credential := range map[string]string{
		"APIKey":   "bench-key",
		"JWTRS256": sign(b, rsaKey, validClaims("default:worker")),
		"JWTES256": sign(b, ecKey, validClaims("default:worker")),
	} {
		ctx := bearerContext(credential)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := a.Authorize(ctx, method, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
