// Package metrics is the SDK's metric registry: it implements activity.MetricMeter and
// writes every metric in Prometheus' text exposition format (version 0.0.4), which the
// worker serves over HTTP.
//
// It is written here rather than taken from github.com/prometheus/client_golang: that
// module and its seven dependencies would add about 4 MB to every binary built with the
// SDK, for the three metric kinds an activity needs.
package metrics

import (
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/sundialdev/sundial/activity"
)

// DefaultBuckets are the histogram bounds used when none are given: Prometheus' usual
// bounds for durations in seconds.
var DefaultBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

type kind int

const (
	kindCounter kind = iota
	kindGauge
	kindHistogram
)

func (k kind) String() string {
	switch k {
	case kindCounter:
		return "counter"
	case kindGauge:
		return "gauge"
	default:
		return "histogram"
	}
}

// Registry holds metric families and their series. It is safe for concurrent use.
type Registry struct {
	logger *slog.Logger

	mu       sync.Mutex
	families map[string]*family
}

// family is every series of one metric name.
type family struct {
	name    string
	help    string
	kind    kind
	buckets []float64
	series  map[string]*series
}

// NewRegistry returns an empty registry. Conflicting registrations (one name, two kinds)
// are logged to logger.
func NewRegistry(logger *slog.Logger) *Registry {
	if logger == nil {
		logger = slog.Default()
	}
	return &Registry{logger: logger, families: make(map[string]*family)}
}

// Meter returns a meter whose metrics carry no labels beyond those added with WithTags.
func (r *Registry) Meter() activity.MetricMeter { return meter{registry: r} }

// lookup returns the series of name with labels, creating the family and the series as
// needed, and the family's histogram bounds. It returns a nil series when name already
// exists with another kind.
func (r *Registry) lookup(name string, k kind, opts activity.MetricOptions, labels []label) (*series, []float64) {
	name = sanitizeName(name)
	r.mu.Lock()
	defer r.mu.Unlock()
	f, ok := r.families[name]
	if !ok {
		f = &family{name: name, help: opts.Description, kind: k, series: make(map[string]*series)}
		if k == kindHistogram {
			f.buckets = histogramBuckets(opts.Buckets)
		}
		r.families[name] = f
	}
	if f.kind != k {
		r.logger.Error("metric registered twice with different kinds; the second one records nothing",
			slog.String("metric", name), slog.String("kind", f.kind.String()), slog.String("requested", k.String()))
		return nil, nil
	}
	key := labelKey(labels)
	s, ok := f.series[key]
	if !ok {
		s = newSeries(labels, len(f.buckets))
		f.series[key] = s
	}
	return s, f.buckets
}

// histogramBuckets returns the sorted, de-duplicated bounds, or the defaults.
func histogramBuckets(bounds []float64) []float64 {
	if len(bounds) == 0 {
		return DefaultBuckets
	}
	sorted := slices.Clone(bounds)
	sort.Float64s(sorted)
	return slices.Compact(sorted)
}

// label is one name="value" pair.
type label struct {
	name  string
	value string
}

// mergeLabels adds tags to base, a tag replacing a base label of the same name, and
// returns them sorted by name.
func mergeLabels(base []label, tags map[string]string) []label {
	merged := make(map[string]string, len(base)+len(tags))
	for _, l := range base {
		merged[l.name] = l.value
	}
	for name, value := range tags {
		merged[sanitizeLabelName(name)] = value
	}
	out := make([]label, 0, len(merged))
	for name, value := range merged {
		out = append(out, label{name: name, value: value})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func labelKey(labels []label) string {
	var b strings.Builder
	for _, l := range labels {
		fmt.Fprintf(&b, "%s=%q,", l.name, l.value)
	}
	return b.String()
}

// sanitizeName turns any string into a valid metric name: characters outside
// [a-zA-Z0-9_:] become '_', and a leading digit gets a '_' in front.
func sanitizeName(name string) string {
	return sanitize(name, true)
}

// sanitizeLabelName is sanitizeName without ':', which label names may not contain.
func sanitizeLabelName(name string) string {
	return sanitize(name, false)
}

func sanitize(name string, allowColon bool) string {
	if name == "" {
		return "_"
	}
	var b strings.Builder
	for i, c := range name {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', allowColon && c == ':':
			b.WriteRune(c)
		case c >= '0' && c <= '9':
			if i == 0 {
				b.WriteByte('_')
			}
			b.WriteRune(c)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}
