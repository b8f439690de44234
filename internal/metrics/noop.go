package metrics

// NoOp is the Registry that records nothing. Its instruments are shared
// values without state, so resolving and recording allocate nothing.
var NoOp Registry = noop{}

type noop struct{}

func (noop) Counter(string, string, ...string) CounterVec { return noopCounters{} }
func (noop) Gauge(string, string, ...string) GaugeVec     { return noopGauges{} }
func (noop) Histogram(string, string, []float64, ...string) HistogramVec {
	return noopHistograms{}
}
func (noop) GaugeFunc(string, string, []string, func(Emit)) {}

type noopCounters struct{}

func (noopCounters) With(...string) Counter { return noopInstrument{} }

type noopGauges struct{}

func (noopGauges) With(...string) Gauge { return noopInstrument{} }

type noopHistograms struct{}

func (noopHistograms) With(...string) Histogram { return noopInstrument{} }

type noopInstrument struct{}

func (noopInstrument) Add(float64)     {}
func (noopInstrument) Set(float64)     {}
func (noopInstrument) Observe(float64) {}
