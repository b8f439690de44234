package main

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/sundialdev/sundial/server"
)

// libpqKeyword matches the start of a libpq keyword/value connection string
// ("host=... dbname=..."): one of the keywords a PostgreSQL connection needs
// first, then "=".
var libpqKeyword = regexp.MustCompile(`^\s*(host|hostaddr|port|dbname|user|password|sslmode|service|connect_timeout|application_name)\s*=`)

// isPostgresDatabase reports whether a --db value names a PostgreSQL
// database (a postgres:// or postgresql:// URL, or a keyword/value string)
// rather than a SQLite file.
func isPostgresDatabase(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://") || libpqKeyword.MatchString(db)
}

// withDatabase sets the Options field that --db selects: DatabaseURL for
// PostgreSQL, else DatabasePath (already set by the caller).
func withDatabase(opts server.Options) server.Options {
	if isPostgresDatabase(opts.DatabasePath) {
		opts.DatabaseURL, opts.DatabasePath = opts.DatabasePath, ""
	}
	return opts
}

// passwordPattern finds a password in a keyword/value string.
var passwordPattern = regexp.MustCompile(`(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)

// redactDatabase hides the password of a --db value for messages and logs.
func redactDatabase(db string) string {
	if !isPostgresDatabase(db) {
		return db
	}
	if u, err := url.Parse(db); err == nil && u.Scheme != "" {
		q := u.Query()
		if q.Has("password") {
			q.Set("password", "xxxxx")
			u.RawQuery = q.Encode()
		}
		return u.Redacted()
	}
	return passwordPattern.ReplaceAllString(db, "${1}xxxxx")
}
