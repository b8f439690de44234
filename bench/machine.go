package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// machine describes where the benchmark ran and what it measured.
type machine struct {
	CPUs      int
	CPUModel  string
	Memory    string
	Kernel    string
	GoVersion string
	Commit    string
}

// describeMachine reads /proc and git; whatever cannot be read is "unknown".
func describeMachine(ctx context.Context, repoRoot string) machine {
	m := machine{CPUs: runtime.NumCPU(), CPUModel: "unknown", Memory: "unknown", Kernel: "unknown",
		GoVersion: runtime.Version(), Commit: "unknown"}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if v := procField(data, "model name"); v != "" {
			m.CPUModel = v
		}
	}
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb uint64
		if _, err := fmt.Sscanf(procField(data, "MemTotal"), "%d kB", &kb); err == nil {
			m.Memory = fmt.Sprintf("%.1f GB", float64(kb)*1024/1e9)
		}
	}
	if data, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = "Linux " + strings.TrimSpace(string(data))
	}
	if out, err := exec.CommandContext(ctx, "git", "-C", repoRoot, "rev-parse", "--short=12", "HEAD").Output(); err == nil {
		m.Commit = strings.TrimSpace(string(out))
		// The report itself is rewritten by every full run; it does not change
		// what is measured.
		status, err := exec.CommandContext(ctx, "git", "-C", repoRoot, "status", "--porcelain", "--untracked-files=no",
			"--", ".", ":(exclude)BENCHMARKS.md").Output()
		if err == nil && len(bytes.TrimSpace(status)) > 0 {
			m.Commit += " (with uncommitted changes in the work tree)"
		}
	}
	return m
}

// loadAverage is the 1-, 5- and 15-minute load average, or "unknown".
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	fields := strings.Fields(string(data))
	if len(fields) < 3 {
		return "unknown"
	}
	return strings.Join(fields[:3], " ")
}

// procField returns the value of the first "key : value" line of a /proc file.
func procField(data []byte, key string) string {
	scanner := bufio.NewScanner(bytes.NewReader(data))
	for scanner.Scan() {
		k, v, ok := strings.Cut(scanner.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
