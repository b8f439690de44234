package main

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"strings"

	"github.com/sundialdev/sundial/server/auth"
)

const authUsage = `Usage:
  sundial auth new-key    print a new random API key and the hash to put in the API key file
  sundial auth hash-key   read an API key on stdin, print the hash to put in the API key file

The hash is the lowercase hex SHA-256 of the key (printf %s "$KEY" | sha256sum).
hash-key ignores one trailing newline, so echo "$KEY" | sundial auth hash-key works too.`

// maxAPIKeyBytes bounds what hash-key reads.
const maxAPIKeyBytes = 4096

// runAuth runs the auth sub-command's helpers for API keys.
func runAuth(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		_, _ = io.WriteString(stderr, authUsage+"\n")
		return exitUsage
	}
	switch args[0] {
	case "hash-key":
		data, err := io.ReadAll(io.LimitReader(stdin, maxAPIKeyBytes+1))
		if err != nil {
			fmt.Fprintf(stderr, "sundial auth hash-key: reading stdin: %v\n", err)
			return exitFailure
		}
		if len(data) > maxAPIKeyBytes {
			fmt.Fprintf(stderr, "sundial auth hash-key: the key is longer than %d bytes\n", maxAPIKeyBytes)
			return exitUsage
		}
		key := strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
		if key == "" {
			fmt.Fprintln(stderr, "sundial auth hash-key: no key on stdin")
			return exitUsage
		}
		fmt.Fprintln(stdout, auth.HashAPIKey(key))
		return exitOK
	case "new-key":
		secret := make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			fmt.Fprintf(stderr, "sundial auth new-key: %v\n", err)
			return exitFailure
		}
		key := base64.RawURLEncoding.EncodeToString(secret)
		fmt.Fprintf(stdout, "key:    %s\nsha256: %s\n", key, auth.HashAPIKey(key))
		return exitOK
	case "help", "--help", "-h":
		_, _ = io.WriteString(stdout, authUsage+"\n")
		return exitOK
	default:
		fmt.Fprintf(stderr, "sundial auth: unknown command %q\n\n%s\n", args[0], authUsage)
		return exitUsage
	}
}
