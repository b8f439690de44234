// Checks of the numbers that steer task matching: priority keys, fairness keys and
// weights, and the dispatch rate a poller asks for. Matching clamps all of them too;
// refusing them here tells the client instead of silently changing what it asked.

package frontend

import (
	"math"

	commonpb "go.temporal.io/api/common/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"

	"github.com/sundialdev/sundial/internal/matching"
)

// maxFairnessKeyLength is Temporal's limit on a fairness key (common/priorities).
const maxFairnessKeyLength = 64

// priority checks an optional task priority: a key of 0 (the default) or 1 to the
// configured number of levels, a fairness key of at most 64 bytes, and a weight of
// 0 (the default) or a finite number in [MinFairnessWeight, MaxFairnessWeight].
func (c checker) priority(field string, p *commonpb.Priority) error {
	if p == nil {
		return nil
	}
	levels := c.lim.PriorityLevels
	switch key := p.GetPriorityKey(); {
	case key < 0:
		// Temporal's text (common/priorities.ErrInvalidPriority).
		return invalid("priority key can't be negative")
	case key > levels:
		return invalid("%s.PriorityKey %d is out of range: this server has %d priority levels, so keys run from 1 to %d (0 for the default).",
			field, key, levels, levels)
	}
	if len(p.GetFairnessKey()) > maxFairnessKeyLength {
		// Temporal's text (common/priorities.ErrFairnessKeyLength).
		return invalid("fairness key length exceeds limit")
	}
	if w := float64(p.GetFairnessWeight()); w != 0 && !(w >= matching.MinFairnessWeight && w <= matching.MaxFairnessWeight) {
		return invalid("%s.FairnessWeight must be a finite number from %v to %v (0 for the default), got %v.",
			field, matching.MinFairnessWeight, float64(matching.MaxFairnessWeight), w)
	}
	return nil
}

// taskQueueMetadata checks the dispatch rate a poller asks for: absent or 0 for
// none, otherwise a finite number in [MinTasksPerSecond, MaxTasksPerSecond].
func (c checker) taskQueueMetadata(field string, md *taskqueuepb.TaskQueueMetadata) error {
	mps := md.GetMaxTasksPerSecond()
	if mps == nil {
		return nil
	}
	v := mps.GetValue()
	if v == 0 {
		return nil
	}
	if math.IsNaN(v) || v < matching.MinTasksPerSecond || v > matching.MaxTasksPerSecond {
		return invalid("%s.MaxTasksPerSecond must be a finite number from %v to %v (0 for no limit), got %v.",
			field, matching.MinTasksPerSecond, float64(matching.MaxTasksPerSecond), v)
	}
	return nil
}
