package main

import (
	"context"
	"testing"
)

// TestHardening11TestServerListensOnLoopback: the test server, which has no
// authentication, listens on loopback unless --listen-host names another
// interface.
func TestHardening11TestServerListensOnLoopback(t *testing.T) {
	cases := []struct {
		args []string
		want string
		skip bool
	}{
		{[]string{"7233"}, "127.0.0.1:7233", false},
		{[]string{"7233", enableTimeSkippingFlag}, "127.0.0.1:7233", true},
		{[]string{"7233", listenHostFlag, "0.0.0.0"}, "0.0.0.0:7233", false},
		{[]string{"7233", listenHostFlag + "=::1", enableTimeSkippingFlag}, "[::1]:7233", true},
	}
	for _, c := range cases {
		got, err := parseTestServerArgs(c.args)
		if err != nil {
			t.Fatalf("parseTestServerArgs(%q): %v", c.args, err)
		}
		if got.listenAddr() != c.want || got.skipping != c.skip {
			t.Errorf("parseTestServerArgs(%q) = %s skipping=%v, want %s skipping=%v", c.args, got.listenAddr(), got.skipping, c.want, c.skip)
		}
	}
	if _, err := parseTestServerArgs([]string{"7233", listenHostFlag}); err == nil {
		t.Error("--listen-host without a host accepted")
	}
}

func TestTestServerListenHostFlagServes(t *testing.T) {
	ts := launchTestServer(t, listenHostFlag, "127.0.0.1")
	if _, err := ts.CurrentTime(context.Background()); err != nil {
		t.Fatalf("GetCurrentTime: %v", err)
	}
}
