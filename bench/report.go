package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// row is one line of the results table.
type row struct {
	scenario, server                                           string
	throughput, p50, p99, cpu, loadCPU, peakRSS, calls, ratios string
}

// throughput is operations per second, or 0 when nothing was measured.
func (m measurement) throughput() float64 {
	if m.err != nil || m.out.elapsed <= 0 {
		return 0
	}
	return float64(m.out.ops) / m.out.elapsed.Seconds()
}

// cpuPerOp is the server's CPU milliseconds per operation.
func (m measurement) cpuPerOp() float64 {
	if m.err != nil || m.out.ops == 0 {
		return 0
	}
	return float64(m.serverCPU) / float64(time.Millisecond) / float64(m.out.ops)
}

// loadCPUPerOp is the load process's CPU milliseconds per operation, or 0 when it
// was not measured (in-process runs).
func (m measurement) loadCPUPerOp() float64 {
	if m.err != nil || m.inProcess || m.out.ops == 0 {
		return 0
	}
	return float64(m.loadCPU) / float64(time.Millisecond) / float64(m.out.ops)
}

func (m measurement) p50() time.Duration { return percentile(m.out.samples, 50) }
func (m measurement) p99() time.Duration { return percentile(m.out.samples, 99) }

// find returns the measurement of a scenario on a server.
func find(ms []measurement, scenario string, server serverKind) (measurement, bool) {
	for _, m := range ms {
		if m.scenario.name == scenario && m.server == server {
			return m, m.err == nil
		}
	}
	return measurement{}, false
}

// tableRows turns measurements into rows, in allServers' order within each
// scenario, and adds an idle-RSS row per server.
func tableRows(ms []measurement) []row {
	var rows []row
	var names []string
	for _, m := range ms {
		if !slices.Contains(names, m.scenario.name) {
			names = append(names, m.scenario.name)
		}
	}
	for _, name := range names {
		for _, server := range allServers {
			i := slices.IndexFunc(ms, func(m measurement) bool { return m.scenario.name == name && m.server == server })
			if i < 0 {
				continue
			}
			rows = append(rows, measurementRow(ms, ms[i]))
		}
	}
	for _, server := range allServers {
		idle := idleRSS(ms, server)
		if idle == 0 {
			continue
		}
		r := row{scenario: "idle", server: string(server), throughput: "—", p50: "—", p99: "—", cpu: "—", loadCPU: "—",
			peakRSS: megabytes(idle), calls: "—"}
		if rival := server.rival(); rival != "" {
			if other := idleRSS(ms, rival); other > 0 {
				r.ratios = fmt.Sprintf("RSS %s", ratio(float64(idle), float64(other)))
			}
		}
		rows = append(rows, r)
	}
	return rows
}

func measurementRow(ms []measurement, m measurement) row {
	r := row{scenario: m.scenario.name, server: string(m.server)}
	if m.err != nil {
		r.throughput = "failed (see below)"
		return r
	}
	r.throughput = fmt.Sprintf("%.1f %s", m.throughput(), m.scenario.unit)
	r.p50 = formatLatency(m.p50())
	r.p99 = formatLatency(m.p99())
	r.cpu = fmt.Sprintf("%.3f", m.cpuPerOp())
	r.loadCPU = "—" // in-process: the server's figure already holds the load's
	if !m.inProcess {
		r.loadCPU = fmt.Sprintf("%.3f", m.loadCPUPerOp())
	}
	r.peakRSS = "—"
	if m.peakRSS > 0 {
		r.peakRSS = megabytes(m.peakRSS)
	}
	if m.out.ops > 0 {
		r.calls = fmt.Sprintf("%.1f", float64(m.rpcs)/float64(m.out.ops))
	}
	if rival := m.server.rival(); rival != "" {
		if t, ok := find(ms, m.scenario.name, rival); ok {
			r.ratios = fmt.Sprintf("thr %s · p50 %s · CPU %s · RSS %s",
				ratio(m.throughput(), t.throughput()),
				ratio(float64(m.p50()), float64(t.p50())),
				ratio(m.cpuPerOp(), t.cpuPerOp()),
				ratio(float64(m.peakRSS), float64(t.peakRSS)))
		}
	}
	return r
}

// idleRSS is the median idle RSS of a server over every start of it.
func idleRSS(ms []measurement, server serverKind) uint64 {
	var values []uint64
	for _, m := range ms {
		if m.server == server && m.idleRSS > 0 {
			values = append(values, m.idleRSS)
		}
	}
	if len(values) == 0 {
		return 0
	}
	slices.Sort(values)
	return values[len(values)/2]
}

// ratio formats a/b, or "—" when b is zero.
func ratio(a, b float64) string {
	switch {
	case b == 0:
		return "—"
	case a/b >= 10:
		return fmt.Sprintf("%.0f×", a/b)
	case a/b >= 0.1:
		return fmt.Sprintf("%.2f×", a/b)
	default:
		return fmt.Sprintf("%.3f×", a/b)
	}
}

func formatLatency(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	}
}

// markdownTable renders the rows as a Markdown table (readable as plain text too).
func markdownTable(rows []row) string {
	header := row{"scenario", "server", "throughput", "p50", "p99", "server CPU ms/op", "load CPU ms/op", "peak RSS", "calls/op", "Sundial/Temporal"}
	all := append([]row{header}, rows...)
	cells := func(r row) []string {
		return []string{r.scenario, r.server, r.throughput, r.p50, r.p99, r.cpu, r.loadCPU, r.peakRSS, r.calls, r.ratios}
	}
	widths := make([]int, len(cells(header)))
	for _, r := range all {
		for i, c := range cells(r) {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	var b strings.Builder
	line := func(values []string) {
		b.WriteString("|")
		for i, v := range values {
			fmt.Fprintf(&b, " %s%s |", v, strings.Repeat(" ", widths[i]-len([]rune(v))))
		}
		b.WriteString("\n")
	}
	line(cells(header))
	rule := make([]string, len(widths))
	for i, w := range widths {
		rule[i] = strings.Repeat("-", w)
	}
	line(rule)
	for _, r := range rows {
		line(cells(r))
	}
	return b.String()
}

// notes lists the scenarios' remarks and failures.
func notes(ms []measurement) string {
	var b strings.Builder
	for _, m := range ms {
		switch {
		case m.err != nil:
			fmt.Fprintf(&b, "- %s on %s failed: %v\n", m.scenario.name, m.server, m.err)
		case m.out.note != "":
			fmt.Fprintf(&b, "- %s on %s: %s\n", m.scenario.name, m.server, m.out.note)
		}
	}
	return b.String()
}
