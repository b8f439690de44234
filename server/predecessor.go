package server

import (
	"os"
	"strconv"
	"strings"

	"github.com/sundialdev/sundial/internal/store/postgres"
)

// predecessorGone reports whether the lease's holder was an earlier process
// of this node: on this host (the node id's first part), advertising this
// node's address, and no longer running. Such a lease need not be waited
// out: a node restarted after a crash takes over at once instead of after
// the lease TTL. A holder frozen or on another host never qualifies.
func predecessorGone(h postgres.LeaseHolder, self, address string) bool {
	if h.Owner == self || h.Address != address {
		return false
	}
	host, pid, ok := parseNodeID(h.Owner)
	myHost, myPID, _ := parseNodeID(self)
	if !ok || host != myHost || pid == myPID {
		return false
	}
	return processExited(pid)
}

// parseNodeID splits a node id made by newNodeID into host and pid.
func parseNodeID(id string) (host string, pid int, ok bool) {
	parts := strings.Split(id, "/")
	if len(parts) != 3 || parts[0] == "" {
		return "", 0, false
	}
	pid, err := strconv.Atoi(parts[1])
	if err != nil || pid <= 0 {
		return "", 0, false
	}
	return parts[0], pid, true
}

// hostName names this host in node ids.
func hostName() string {
	host, err := os.Hostname()
	if err != nil || host == "" || strings.Contains(host, "/") {
		return "unknown-host"
	}
	return host
}
