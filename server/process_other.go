//go:build !unix

package server

// processExited cannot tell on this platform; a restarted node waits for
// its predecessor's lease to lapse.
func processExited(int) bool { return false }
