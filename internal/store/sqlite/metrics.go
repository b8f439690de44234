package sqlite

import (
	"time"

	"github.com/sundialdev/sundial/internal/metrics"
)

// writerMetrics records the group commits of the writer. A nil
// *writerMetrics records nothing.
type writerMetrics struct {
	commits      metrics.Counter
	writes       metrics.Counter
	perCommit    metrics.Histogram
	latency      metrics.Histogram
	commitErrors metrics.Counter
}

func newWriterMetrics(reg metrics.Registry) *writerMetrics {
	if reg == nil {
		return nil
	}
	return &writerMetrics{
		commits: reg.Counter(metrics.SundialCommits, "Transactions the store committed (group commits).").With(),
		writes:  reg.Counter(metrics.SundialCommittedWrites, "Writes (transitions and namespace changes) committed.").With(),
		perCommit: reg.Histogram(metrics.SundialWritesPerCommit, "Writes per group commit.",
			metrics.SizeBuckets).With(),
		latency: reg.Histogram(metrics.SundialCommitLatency,
			"Seconds a COMMIT takes, the fsync included when synchronous is FULL.", metrics.LatencyBuckets).With(),
		commitErrors: reg.Counter(metrics.SundialCommitErrors, "Transactions that failed to commit.").With(),
	}
}

// committed records one commit of n writes that took d.
func (m *writerMetrics) committed(n int, d time.Duration) {
	if m == nil {
		return
	}
	m.commits.Add(1)
	m.writes.Add(float64(n))
	m.perCommit.Observe(float64(n))
	metrics.ObserveDuration(m.latency, d)
}

// failed records a commit that failed.
func (m *writerMetrics) failed() {
	if m == nil {
		return
	}
	m.commitErrors.Add(1)
}
