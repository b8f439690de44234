package machine

import (
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/proto"
)

// NexusCallback is a completion callback attached to a run when it was
// started: when the run closes, its outcome is delivered to URL with Header
// (for Sundial's own callbacks, the header's token names the caller's
// operation).
type NexusCallback struct {
	URL    string            `json:",omitzero"`
	Header map[string]string `json:",omitzero"`
	// Delivered is set once the outcome reached its destination, at
	// DeliveredTime.
	Delivered     bool      `json:",omitzero"`
	DeliveredTime time.Time `json:",omitzero"`
	// Encoded is the callback as the starter sent it (a commonpb.Callback,
	// links included), which Describe shows.
	Encoded []byte `json:",omitzero"`
}

// MaxCallbacksPerRun bounds the callbacks one run may carry (Temporal's
// default limit).
const MaxCallbacksPerRun = 32

// CallbacksFrom converts the callbacks of a start request.
func CallbacksFrom(cbs []*commonpb.Callback) []NexusCallback {
	var out []NexusCallback
	for _, cb := range cbs {
		n := cb.GetNexus()
		if n == nil {
			continue
		}
		encoded, _ := proto.Marshal(cb)
		out = append(out, NexusCallback{URL: n.GetUrl(), Header: n.GetHeader(), Encoded: encoded})
	}
	return out
}

// CallbackDelivered marks callback i as delivered.
func (tx *Tx) CallbackDelivered(i int) error {
	if i < 0 || i >= len(tx.S.Callbacks) || tx.S.Callbacks[i].Delivered {
		return ErrStale
	}
	cbs := append([]NexusCallback(nil), tx.S.Callbacks...)
	cbs[i].Delivered, cbs[i].DeliveredTime = true, tx.Now
	tx.S.Callbacks = cbs
	return nil
}
