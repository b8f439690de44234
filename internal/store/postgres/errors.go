package postgres

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sundialdev/sundial/internal/store"
)

// SQLSTATE codes the driver tells apart. The two "SD" codes are raised by
// sundial_require_row (migrations/0001_initial.sql).
const (
	codeUniqueViolation  = "23505"
	codeNoRowConflict    = "SDCNF"
	codeNoRowNotFound    = "SDNFD"
	codeFenced           = "SDFNC"
	codeSerialization    = "40001"
	codeDeadlockDetected = "40P01"
)

// interpretError maps a database error to the store's sentinels: a unique
// violation to onDuplicate (when not nil), sundial_require_row's codes to
// ErrConflict and ErrNotFound, and pgx.ErrNoRows to ErrNotFound. Other
// errors are returned as they are.
func interpretError(err error, onDuplicate error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case codeUniqueViolation:
			if onDuplicate != nil {
				return fmt.Errorf("%w (%s)", onDuplicate, pgErr.ConstraintName)
			}
		case codeNoRowConflict:
			return store.ErrConflict
		case codeNoRowNotFound:
			return store.ErrNotFound
		}
	}
	return err
}

// isRequestFault reports whether err is the fault of the statement that
// raised it, and so of the request that sent it: a constraint or condition
// it broke, or a value the database cannot take (a NUL in text, an index key
// too long). Failures of the server, its storage or the connection (classes
// 08, 25, 53, 57, 58, F0, XX, and errors that are not the server's) say
// nothing about the request; nor do lost races (class 40), which isTransient
// reports.
func isRequestFault(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || len(pgErr.Code) != 5 {
		return false
	}
	switch pgErr.Code[:2] {
	case "08", "25", "40", "53", "57", "58", "F0", "XX":
		return false
	}
	return true
}

// isTransient reports whether retrying the same statements may succeed: the
// transaction lost a deadlock or serialization race.
func isTransient(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == codeDeadlockDetected || pgErr.Code == codeSerialization
	}
	return false
}
