// Package startinfo carries what the server answered to a workflow start back to SDK
// code that started the workflow through the public client, without widening the
// client's API: the caller puts a Recorder in the context of its ExecuteWorkflow call
// and the client fills it in.
package startinfo

import (
	"context"
	"sync"

	commonpb "go.temporal.io/api/common/v1"
)

type recorderKey struct{}

// Recorder receives the link to the started (or reused) workflow's event that the
// server returned with a StartWorkflowExecution answer, if any.
type Recorder struct {
	mu   sync.Mutex
	link *commonpb.Link
}

// WithRecorder returns ctx carrying a new, empty Recorder.
func WithRecorder(ctx context.Context) (context.Context, *Recorder) {
	r := &Recorder{}
	return context.WithValue(ctx, recorderKey{}, r), r
}

// Record stores link in ctx's Recorder; it does nothing without one or without a link.
func Record(ctx context.Context, link *commonpb.Link) {
	r, ok := ctx.Value(recorderKey{}).(*Recorder)
	if !ok || link == nil {
		return
	}
	r.mu.Lock()
	r.link = link
	r.mu.Unlock()
}

// Link is the recorded link, nil if the server returned none.
func (r *Recorder) Link() *commonpb.Link {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.link
}
