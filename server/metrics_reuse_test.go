package server

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/sundialdev/sundial/internal/metrics"
	"github.com/sundialdev/sundial/server/prommetrics"
)

func TestReusedMetricsCreatesEachInstrumentOnce(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := newReusedMetrics(prommetrics.New(reg))
	for term := 1; term <= 2; term++ {
		m.Counter("sundial_test_total", "test", "kind").With("a").Add(1)
		m.Gauge("sundial_test_gauge", "test").With().Set(float64(term))
		m.Histogram("sundial_test_seconds", "test", metrics.LatencyBuckets).With().Observe(0.1)
		value := float64(10 * term)
		m.GaugeFunc("sundial_test_func", "test", nil, func(emit metrics.Emit) { emit(value) })
	}
	want := `
# HELP sundial_test_func test
# TYPE sundial_test_func gauge
sundial_test_func 20
# HELP sundial_test_total test
# TYPE sundial_test_total counter
sundial_test_total{kind="a"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "sundial_test_total", "sundial_test_func"); err != nil {
		t.Fatal(err)
	}
}
