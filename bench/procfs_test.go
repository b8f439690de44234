package main

import (
	"os"
	"testing"
	"time"
)

func TestParseStatCPUCountsUserAndSystemTicks(t *testing.T) {
	stat := []byte("4242 (odd name) with) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 37 0 0 20 0 9 0 100 0 0\n")
	got, err := parseStatCPU(stat)
	if err != nil {
		t.Fatal(err)
	}
	if want := 2870 * time.Millisecond; got != want {
		t.Errorf("cpu = %v, want %v (250+37 ticks)", got, want)
	}
	if _, err := parseStatCPU([]byte("12 (x) S 1 2")); err == nil {
		t.Error("a truncated stat line parsed without error")
	}
}

func TestParseStatusMemory(t *testing.T) {
	status := []byte("Name:\tsundial\nVmPeak:\t  900 kB\nVmHWM:\t   2048 kB\nVmRSS:\t   1024 kB\nThreads:\t9\n")
	got, err := parseStatusMemory(status)
	if err != nil {
		t.Fatal(err)
	}
	if got.RSS != 1024*1024 || got.Peak != 2048*1024 {
		t.Errorf("memory = %+v, want RSS 1 MiB and peak 2 MiB", got)
	}
	if _, err := parseStatusMemory([]byte("VmRSS:\t1 kB\n")); err == nil {
		t.Error("status without VmHWM parsed without error")
	}
}

func TestOwnProcessIsReadable(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc on this system")
	}
	start, err := processCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	// Burn CPU until /proc shows at least 50ms more; on a loaded machine that can
	// take much longer than 50ms of wall time, so only a generous limit fails.
	deadline := time.Now().Add(30 * time.Second)
	for {
		now, err := processCPU(os.Getpid())
		if err != nil {
			t.Fatal(err)
		}
		if now-start >= 50*time.Millisecond {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("30s of busy-looping added only %v of CPU", now-start)
		}
		for i := 0; i < 1_000_000; i++ {
			sink += i
		}
	}
	mem, err := processMemory(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if mem.RSS == 0 || mem.Peak < mem.RSS {
		t.Errorf("memory = %+v, want nonzero RSS not above peak", mem)
	}
}

// sink keeps the busy loop from being optimised away.
var sink int

func TestProcessProbeReadsTheLoadProcessAtTheSameMoments(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc on this system")
	}
	// This process stands in for both the server and the load.
	p := &processProbe{pid: os.Getpid(), loadPID: os.Getpid()}
	if err := p.begin(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		used, err := p.end()
		if err != nil {
			t.Fatal(err)
		}
		if used.load >= 20*time.Millisecond {
			// The two reads are moments apart: at most a tick or two between them.
			if diff := (used.load - used.server).Abs(); diff > 20*time.Millisecond {
				t.Errorf("server %v and load %v of one process differ by %v", used.server, used.load, diff)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("30s of busy-looping added only %v of load CPU", used.load)
		}
		for i := 0; i < 1_000_000; i++ {
			sink += i
		}
	}
	serverOnly := &processProbe{pid: os.Getpid()}
	if err := serverOnly.begin(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10_000_000; i++ {
		sink += i
	}
	if used, err := serverOnly.end(); err != nil || used.load != 0 {
		t.Errorf("without a load pid: %+v, %v; want no load CPU", used, err)
	}
}
