//go:build unix

package server

import (
	"errors"
	"syscall"
)

// processExited reports whether no process with pid exists on this host.
func processExited(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
