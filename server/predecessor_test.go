package server

import (
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/sundialdev/sundial/internal/store/postgres"
)

func TestPredecessorGone(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatalf("running a short-lived process: %v", err)
	}
	exitedPID := cmd.Process.Pid
	self := fmt.Sprintf("%s/%d/aaaa", hostName(), os.Getpid())
	holder := func(owner, address string) postgres.LeaseHolder {
		return postgres.LeaseHolder{Lease: postgres.Lease{Owner: owner}, Address: address}
	}
	cases := []struct {
		name string
		h    postgres.LeaseHolder
		want bool
	}{
		{"an exited process on this host at this address", holder(fmt.Sprintf("%s/%d/bbbb", hostName(), exitedPID), "127.0.0.1:7233"), true},
		{"another address", holder(fmt.Sprintf("%s/%d/bbbb", hostName(), exitedPID), "127.0.0.1:7234"), false},
		{"another host", holder(fmt.Sprintf("other-%s/%d/bbbb", hostName(), exitedPID), "127.0.0.1:7233"), false},
		{"a running process", holder(fmt.Sprintf("%s/%d/bbbb", hostName(), os.Getppid()), "127.0.0.1:7233"), false},
		{"this process", holder(fmt.Sprintf("%s/%d/cccc", hostName(), os.Getpid()), "127.0.0.1:7233"), false},
		{"itself", holder(self, "127.0.0.1:7233"), false},
		{"an unparsable owner", holder("node-a", "127.0.0.1:7233"), false},
	}
	for _, c := range cases {
		if got := predecessorGone(c.h, self, "127.0.0.1:7233"); got != c.want {
			t.Errorf("%s: predecessorGone = %v, want %v", c.name, got, c.want)
		}
	}
}
