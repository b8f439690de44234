// Package compat holds Sundial's compatibility tests: they drive a Sundial server with
// the official Temporal Go SDK and compare the results and histories with what
// Temporal itself produces.
package compat
