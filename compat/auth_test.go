package compat

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"go.temporal.io/api/serviceerror"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sundialdev/sundial/server"
	"github.com/sundialdev/sundial/server/auth"
)

// The auth tests run the official Go SDK against a Sundial with
// authentication on, over plaintext loopback (TLS is tested elsewhere):
// API keys and JWTs (keys made here) carry Temporal's "<namespace>:<role>"
// permissions.

// authFixture is a Sundial with auth on, and what a test needs to make
// credentials for it.
type authFixture struct {
	tg      target
	signing *rsa.PrivateKey // trusted by the server's JWKS
}

const (
	authIssuer   = "https://issuer.compat.test"
	authAudience = "sundial-compat"
)

// apiKeyPermissions are the API keys the fixture's server accepts.
var apiKeyPermissions = map[string][]string{
	"app-key":    {"default:write", "default:worker"},
	"worker-key": {"default:worker"},
	"reader-key": {"default:read"},
	"other-key":  {"other:admin"},
}

func startAuthSundial(t *testing.T) authFixture {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	jwks, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: "compat", Algorithm: string(jose.RS256), Use: "sig"}}})
	if err != nil {
		t.Fatal(err)
	}
	type entry struct {
		Name        string   `json:"name"`
		SHA256      string   `json:"sha256"`
		Permissions []string `json:"permissions"`
	}
	var keys struct {
		Keys []entry `json:"keys"`
	}
	for k, perms := range apiKeyPermissions {
		keys.Keys = append(keys.Keys, entry{Name: k, SHA256: auth.HashAPIKey(k), Permissions: perms})
	}
	keyFile, err := json.Marshal(keys)
	if err != nil {
		t.Fatal(err)
	}
	jwksPath, keysPath := filepath.Join(dir, "jwks.json"), filepath.Join(dir, "keys.json")
	for path, data := range map[string][]byte{jwksPath: jwks, keysPath: keyFile} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tg := startSundial(t, server.Options{Auth: &auth.Config{
		JWT:         auth.JWTConfig{JWKS: jwksPath, Issuer: authIssuer, Audience: authAudience},
		APIKeysFile: keysPath,
	}})
	return authFixture{tg: tg, signing: key}
}

// token makes a JWT signed by key, valid from notBefore to expiry.
func authToken(t *testing.T, key *rsa.PrivateKey, notBefore, expiry time.Time, permissions ...string) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: "compat"}}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	claims := struct {
		jwt.Claims
		Permissions []string `json:"permissions"`
	}{
		Claims: jwt.Claims{
			Subject: "compat-test", Issuer: authIssuer, Audience: jwt.Audience{authAudience},
			NotBefore: jwt.NewNumericDate(notBefore), Expiry: jwt.NewNumericDate(expiry),
		},
		Permissions: permissions,
	}
	tok, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// bearerHeaders sends one fixed authorization header on every call.
type bearerHeaders string

func (b bearerHeaders) GetHeaders(context.Context) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(b)}, nil
}

// dialWithAPIKey connects the official client with an API key, the way the
// SDK sends one, over plaintext.
func dialWithAPIKey(t *testing.T, tg target, key string) client.Client {
	t.Helper()
	return dialWith(t, tg, client.Options{
		Credentials:       client.NewAPIKeyStaticCredentials(key),
		ConnectionOptions: client.ConnectionOptions{TLSDisabled: true},
	})
}

// dialWithJWT connects the official client sending token as a bearer header.
func dialWithJWT(t *testing.T, tg target, token string) client.Client {
	t.Helper()
	return dialWith(t, tg, client.Options{HeadersProvider: bearerHeaders(token)})
}

func dialWith(t *testing.T, tg target, opts client.Options) client.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	opts.HostPort, opts.Namespace, opts.Logger = tg.HostPort, tg.Namespace, newSDKLogger(t)
	c, err := client.DialContext(ctx, opts)
	if err != nil {
		t.Fatalf("dialing %s: %v", tg.HostPort, err)
	}
	t.Cleanup(c.Close)
	return c
}

// requirePermissionDenied fails unless err is PermissionDenied.
func requirePermissionDenied(t *testing.T, what string, err error) {
	t.Helper()
	var denied *serviceerror.PermissionDenied
	if !errors.As(err, &denied) {
		t.Errorf("%s: got %v (%T), want PermissionDenied", what, err, err)
	}
}

// requireUnauthenticated fails unless err is Unauthenticated.
func requireUnauthenticated(t *testing.T, what string, err error) {
	t.Helper()
	// The API has no Unauthenticated service error: it stays a gRPC status.
	if status.Code(err) != codes.Unauthenticated {
		t.Errorf("%s: got %v (%T), want Unauthenticated", what, err, err)
	}
}

func echoActivity(_ context.Context, s string) (string, error) { return "echo " + s, nil }

func TestAuthWorkflowWithActivitiesRuns(t *testing.T) {
	f := startAuthSundial(t)
	for name, dial := range map[string]func(t *testing.T) client.Client{
		"APIKey": func(t *testing.T) client.Client { return dialWithAPIKey(t, f.tg, "app-key") },
		"JWT": func(t *testing.T) client.Client {
			return dialWithJWT(t, f.tg, authToken(t, f.signing, time.Now().Add(-time.Minute), time.Now().Add(time.Hour), "default:write", "default:worker"))
		},
	} {
		t.Run(name, func(t *testing.T) {
			c := dial(t)
			_, result, err := runOneActivity(t, c, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second}, func(ctx context.Context) (string, error) {
				return echoActivity(ctx, "hi")
			})
			if err != nil || result != "echo hi" {
				t.Fatalf("workflow result %q, error %v", result, err)
			}
		})
	}
}

func TestAuthRolesAreEnforced(t *testing.T) {
	f := startAuthSundial(t)
	ctx := testContext(t, 30*time.Second)
	app := dialWithAPIKey(t, f.tg, "app-key")
	run, err := app.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: uniqueName(t, "wf"), TaskQueue: uniqueName(t, "tq")}, "NeverRuns")
	if err != nil {
		t.Fatalf("starting a workflow with the app key: %v", err)
	}

	workerClient := dialWithAPIKey(t, f.tg, "worker-key")
	requirePermissionDenied(t, "a worker-role key terminating a workflow", workerClient.TerminateWorkflow(ctx, run.GetID(), "", "no"))
	requirePermissionDenied(t, "a worker-role key terminating a missing workflow", workerClient.TerminateWorkflow(ctx, "no-such-workflow", "", "no"))

	reader := dialWithAPIKey(t, f.tg, "reader-key")
	if _, err := reader.DescribeWorkflowExecution(ctx, run.GetID(), ""); err != nil {
		t.Errorf("a read-role key describing a workflow: %v", err)
	}
	_, err = reader.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: uniqueName(t, "wf"), TaskQueue: "tq"}, "NeverRuns")
	requirePermissionDenied(t, "a read-role key starting a workflow", err)

	// A credential for namespace "other" gets nothing in "default", for
	// each class of RPC.
	other := dialWithAPIKey(t, f.tg, "other-key").WorkflowService()
	ns := f.tg.Namespace
	_, err = other.DescribeWorkflowExecution(ctx, &workflowservice.DescribeWorkflowExecutionRequest{Namespace: ns})
	requirePermissionDenied(t, "read in another namespace", err)
	_, err = other.StartWorkflowExecution(ctx, &workflowservice.StartWorkflowExecutionRequest{Namespace: ns})
	requirePermissionDenied(t, "write in another namespace", err)
	_, err = other.PollActivityTaskQueue(ctx, &workflowservice.PollActivityTaskQueueRequest{Namespace: ns, TaskQueue: &taskqueuepb.TaskQueue{Name: "tq"}})
	requirePermissionDenied(t, "worker in another namespace", err)
	_, err = other.UpdateNamespace(ctx, &workflowservice.UpdateNamespaceRequest{Namespace: ns})
	requirePermissionDenied(t, "admin in another namespace", err)
	_, err = other.RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{Namespace: "new-ns"})
	requirePermissionDenied(t, "system admin without the system role", err)
}

func TestAuthBadJWTIsUnauthenticated(t *testing.T) {
	f := startAuthSundial(t)
	ctx := testContext(t, 30*time.Second)
	stranger, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for name, token := range map[string]string{
		"expired":         authToken(t, f.signing, now.Add(-2*time.Hour), now.Add(-time.Hour), "default:admin"),
		"not yet valid":   authToken(t, f.signing, now.Add(time.Hour), now.Add(2*time.Hour), "default:admin"),
		"wrongly signed":  authToken(t, stranger, now.Add(-time.Minute), now.Add(time.Hour), "default:admin"),
		"unknown API key": "not-a-key",
	} {
		t.Run(name, func(t *testing.T) {
			c := dialWithJWT(t, f.tg, token)
			_, err := c.DescribeWorkflowExecution(ctx, "any", "")
			requireUnauthenticated(t, "DescribeWorkflowExecution", err)
			_, err = c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: uniqueName(t, "wf"), TaskQueue: "tq"}, "NeverRuns")
			requireUnauthenticated(t, "ExecuteWorkflow", err)
		})
	}
	// No credential at all.
	_, err = dial(t, f.tg).DescribeWorkflowExecution(ctx, "any", "")
	requireUnauthenticated(t, "no credential", err)
}
