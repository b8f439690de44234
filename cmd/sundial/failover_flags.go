package main

import (
	"flag"

	"github.com/sundialdev/sundial/server"
)

// addFailoverFlags declares the flags of nodes sharing a PostgreSQL
// database: where this node is reached, and the lease's timing.
func addFailoverFlags(flags *flag.FlagSet, o *server.Options) {
	flags.StringVar(&o.AdvertiseAddress, "advertise-address", "", "`HOST:PORT` other nodes sharing the PostgreSQL database forward requests to while this node is active (default: the --listen address)")
	flags.DurationVar(&o.Failover.LeaseTTL, "lease-ttl", 0, "PostgreSQL: how long the active node's lease lasts without renewal; a standby takes over this long after the active node dies (0: 5s)")
	flags.DurationVar(&o.Failover.RenewInterval, "lease-renew-interval", 0, "PostgreSQL: how often the active node renews its lease and standbys look at it; at most half of --lease-ttl (0: 1s)")
}
