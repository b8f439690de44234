package sundial

import commonpb "go.temporal.io/api/common/v1"

// Priority orders and shares out tasks within a task queue.
type Priority struct {
	// PriorityKey ranks tasks: lower numbers are dispatched first. 0 means the default
	// (the middle of the range the server allows, 3 of 1..5 by default).
	PriorityKey int
	// FairnessKey groups tasks that share the queue's capacity fairly among themselves,
	// for example a tenant id.
	FairnessKey string
	// FairnessWeight is the relative share of the FairnessKey's group; 0 means 1.
	FairnessWeight float32
}

// ToProto converts the priority to its wire form. A nil priority gives nil.
func (p *Priority) ToProto() *commonpb.Priority {
	if p == nil {
		return nil
	}
	return &commonpb.Priority{
		PriorityKey:    int32(p.PriorityKey),
		FairnessKey:    p.FairnessKey,
		FairnessWeight: p.FairnessWeight,
	}
}

// PriorityFromProto converts a wire priority. A nil input gives nil.
func PriorityFromProto(p *commonpb.Priority) *Priority {
	if p == nil {
		return nil
	}
	return &Priority{
		PriorityKey:    int(p.GetPriorityKey()),
		FairnessKey:    p.GetFairnessKey(),
		FairnessWeight: p.GetFairnessWeight(),
	}
}
