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
	// HandedOn is set when the run continued as new or was retried and its
	// successor took the callback over: the chain's last run delivers it.
	HandedOn bool `json:",omitzero"`
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

// handOnCallbacks gives the run's undelivered callbacks to the run that
// continues it as new or retries it, as Temporal copies them into the new
// run's started event, and marks them handed on here. A cron run hands
// nothing on: its close fires its callbacks, as in Temporal.
func (tx *Tx) handOnCallbacks() []*commonpb.Callback {
	var out []*commonpb.Callback
	cbs := append([]NexusCallback(nil), tx.S.Callbacks...)
	for i, cb := range cbs {
		if cb.Delivered || cb.HandedOn {
			continue
		}
		spec := &commonpb.Callback{}
		if len(cb.Encoded) == 0 || proto.Unmarshal(cb.Encoded, spec) != nil {
			spec = &commonpb.Callback{Variant: &commonpb.Callback_Nexus_{Nexus: &commonpb.Callback_Nexus{Url: cb.URL, Header: cb.Header}}}
		}
		out = append(out, spec)
		cbs[i].HandedOn = true
	}
	if out != nil {
		tx.S.Callbacks = cbs
	}
	return out
}
