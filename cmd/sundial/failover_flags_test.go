package main

import (
	"io"
	"testing"
	"time"
)

func TestFailoverFlags(t *testing.T) {
	cfg, err := parseServerFlags([]string{"--advertise-address", "a.internal:7233", "--lease-ttl", "8s", "--lease-renew-interval", "2s"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	o := cfg.options
	if o.AdvertiseAddress != "a.internal:7233" || o.Failover.LeaseTTL != 8*time.Second || o.Failover.RenewInterval != 2*time.Second {
		t.Fatalf("options = %q, %v, %v", o.AdvertiseAddress, o.Failover.LeaseTTL, o.Failover.RenewInterval)
	}
}
