package metrics

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// ContentType is the media type of the text exposition format.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// WriteText writes every metric in the text exposition format, families sorted by name
// and series by labels, so the output is stable.
func (r *Registry) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for _, f := range r.snapshotFamilies() {
		if f.help != "" {
			fmt.Fprintf(bw, "# HELP %s %s\n", f.name, escapeHelp(f.help))
		}
		fmt.Fprintf(bw, "# TYPE %s %s\n", f.name, f.kind)
		for _, s := range f.series {
			writeSeries(bw, f, s)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing metrics: %w", err)
	}
	return nil
}

// Handler serves WriteText's output over HTTP.
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", ContentType)
		if err := r.WriteText(w); err != nil {
			r.logger.Warn("serving metrics", "error", err)
		}
	})
}

// familySnapshot is a family with its series in output order.
type familySnapshot struct {
	*family
	series []*series
}

func (r *Registry) snapshotFamilies() []familySnapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]familySnapshot, 0, len(r.families))
	for _, f := range r.families {
		keys := make([]string, 0, len(f.series))
		for k := range f.series {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		snap := familySnapshot{family: f, series: make([]*series, len(keys))}
		for i, k := range keys {
			snap.series[i] = f.series[k]
		}
		out = append(out, snap)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func writeSeries(w io.Writer, f familySnapshot, s *series) {
	switch f.kind {
	case kindCounter:
		fmt.Fprintf(w, "%s%s %d\n", f.name, formatLabels(s.labels, nil), s.counter.Load())
	case kindGauge:
		fmt.Fprintf(w, "%s%s %s\n", f.name, formatLabels(s.labels, nil), formatFloat(math.Float64frombits(s.gauge.Load())))
	case kindHistogram:
		snap := s.snapshotHistogram()
		for i, upper := range f.buckets {
			le := label{name: "le", value: formatFloat(upper)}
			fmt.Fprintf(w, "%s_bucket%s %d\n", f.name, formatLabels(s.labels, &le), snap.cumulative[i])
		}
		inf := label{name: "le", value: "+Inf"}
		fmt.Fprintf(w, "%s_bucket%s %d\n", f.name, formatLabels(s.labels, &inf), snap.count)
		fmt.Fprintf(w, "%s_sum%s %s\n", f.name, formatLabels(s.labels, nil), formatFloat(snap.sum))
		fmt.Fprintf(w, "%s_count%s %d\n", f.name, formatLabels(s.labels, nil), snap.count)
	}
}

// formatLabels renders {a="x",b="y"}, with extra last; "" when there are no labels.
func formatLabels(labels []label, extra *label) string {
	if len(labels) == 0 && extra == nil {
		return ""
	}
	parts := make([]string, 0, len(labels)+1)
	for _, l := range labels {
		parts = append(parts, l.name+`="`+escapeLabelValue(l.value)+`"`)
	}
	if extra != nil {
		parts = append(parts, extra.name+`="`+escapeLabelValue(extra.value)+`"`)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	default:
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
}

var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	valueEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

func escapeHelp(s string) string       { return helpEscaper.Replace(s) }
func escapeLabelValue(s string) string { return valueEscaper.Replace(s) }
