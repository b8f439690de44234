package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicksPerSecond is USER_HZ, the unit of utime and stime in /proc/<pid>/stat.
// It is 100 on every Linux architecture Go supports; reading it would need cgo.
const clockTicksPerSecond = 100

// processCPU returns the user plus system CPU time a process has used so far, from
// /proc/<pid>/stat (10 ms resolution).
func processCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("reading stat of process %d: %w", pid, err)
	}
	return parseStatCPU(data)
}

// parseStatCPU extracts utime+stime from the text of /proc/<pid>/stat. The command
// name in parentheses may hold spaces, so fields are counted after its closing ')'.
func parseStatCPU(stat []byte) (time.Duration, error) {
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, fmt.Errorf("parsing /proc stat: no command name")
	}
	// After ")": state(3) ppid(4) ... utime(14) stime(15); fields[0] is state.
	fields := strings.Fields(string(stat[end+1:]))
	if len(fields) < 13 {
		return 0, fmt.Errorf("parsing /proc stat: only %d fields", len(fields))
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("parsing /proc stat cpu field %q: %w", f, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicksPerSecond, nil
}

// memoryUsage is a process's resident set size now and at its peak, in bytes.
type memoryUsage struct {
	RSS  uint64
	Peak uint64
}

// processMemory reads VmRSS and VmHWM from /proc/<pid>/status.
func processMemory(pid int) (memoryUsage, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memoryUsage{}, fmt.Errorf("reading status of process %d: %w", pid, err)
	}
	return parseStatusMemory(data)
}

// parseStatusMemory extracts VmRSS and VmHWM (reported in kB) from /proc status text.
func parseStatusMemory(status []byte) (memoryUsage, error) {
	var m memoryUsage
	found := 0
	scanner := bufio.NewScanner(bytes.NewReader(status))
	for scanner.Scan() {
		key, value, ok := strings.Cut(scanner.Text(), ":")
		if !ok || (key != "VmRSS" && key != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return memoryUsage{}, fmt.Errorf("parsing %s %q: %w", key, value, err)
		}
		if key == "VmRSS" {
			m.RSS = kb * 1024
		} else {
			m.Peak = kb * 1024
		}
		found++
	}
	if found != 2 {
		return memoryUsage{}, fmt.Errorf("parsing /proc status: VmRSS or VmHWM missing")
	}
	return m, nil
}
