// Package auth authenticates the callers of a Sundial server and authorizes
// each call against one table of per-method requirements, in the shape
// Temporal users know: roles per namespace, carried in JWTs, API keys or
// client certificates.
//
// # Credentials
//
// A caller proves who it is with one of:
//
//   - A JWT in "authorization: Bearer <token>", signed with RS256 or ES256 by
//     a key of the configured JWKS (a file, reloaded when it changes, or an
//     http(s) URL, fetched again every JWT.RefreshInterval). exp is required;
//     exp and nbf are checked with JWT.ClockSkew of leeway; iss and aud are
//     checked when JWT.Issuer and JWT.Audience are set. Any other algorithm,
//     "none" and HMAC ones included, is refused.
//   - An API key in "authorization: Bearer <key>", as the SDKs send one
//     (the official Go SDK: NewAPIKeyStaticCredentials). The server keeps only hashes.
//   - A client certificate the TLS layer verified against the client CA
//     (mTLS; an unverified certificate is never looked up), whose subject
//     common name or one of whose subject alternative names (DNS, URI, email,
//     IP) is in the identity map.
//
// When a call carries an authorization header, that credential decides
// alone: an invalid one is refused even if the connection also has a mapped
// client certificate. Otherwise the client certificate is used.
//
// # Permissions
//
// Permissions follow Temporal's default claim format: "<namespace>:<role>"
// strings, and "temporal-system:<role>" for the system scope, whose role
// applies in every namespace too. JWTs carry them in the "permissions" claim
// (JWT.PermissionsClaim); entries that are not of that form are ignored, as
// Temporal does. Role names are read in any letter case. The roles are
//
//   - read: describe, list, count, history, query, task queue and search
//     attribute reads;
//   - write: read plus start, signal, signal-with-start, update, cancel,
//     terminate, reset, delete, and completing activities by id;
//   - worker: read plus polling, responding to tasks (by task token) and
//     heartbeating; completing an activity asynchronously by its task token
//     is therefore a worker's call, by workflow and activity id a writer's;
//   - admin: everything in the namespace, UpdateNamespace, search
//     attributes and worker versioning included.
//
// A system admin ("temporal-system:admin") registers, deprecates and deletes
// namespaces and uses the server-wide operator RPCs; listing namespaces
// needs system read. Health checks and GetSystemInfo need no credential;
// GetClusterInfo and GetSearchAttributes need any valid one.
// MethodRequirements is the complete table. One check goes beyond it: a
// completed workflow task whose commands start a child, signal or cancel a
// workflow in another namespace needs the write role in that namespace too.
//
// A call without a valid credential fails with Unauthenticated; one without
// the role with PermissionDenied, naming the namespace and the role. Both
// are decided from the request alone, before the handler runs.
//
// # API key file
//
// A JSON file of key hashes (lowercase hex SHA-256 of the key) and their
// permissions:
//
//	{
//	  "keys": [
//	    {"name": "ci", "sha256": "<64 hex digits>", "permissions": ["default:write"]},
//	    {"name": "ops", "sha256": "<64 hex digits>", "permissions": ["temporal-system:admin"]}
//	  ]
//	}
//
// Make a key and its hash with
//
//	KEY=$(openssl rand -base64 32)
//	printf %s "$KEY" | sha256sum     # or: printf %s "$KEY" | sundial auth hash-key
//
// # mTLS identity file
//
// A JSON file mapping certificate subjects to permissions; each entry names
// either a commonName or a san (a DNS name, URI, email address or IP
// address), and a certificate gets the union of every entry it matches:
//
//	{
//	  "identities": [
//	    {"commonName": "billing-worker", "permissions": ["billing:worker"]},
//	    {"san": "spiffe://example.org/ops", "permissions": ["temporal-system:admin"]}
//	  ]
//	}
//
// The JWKS, API key and identity files are checked for changes every
// FileCheckInterval and reloaded; a file that fails to load keeps the
// previous content and the failure is logged.
package auth
