package machine

import (
	"encoding/base64"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// appendActivitiesJSON appends the activities as a JSON object keyed by
// scheduled event id, each written exactly as encoding/json would from the
// field tags but without reflection or the validating pass encoding/json makes
// over a Marshaler's output: a run's state is re-encoded at every transition,
// and with many activities pending (a fan-out) encoding this map by reflection
// was a fifth of the server's CPU. TestActivityJSONMatchesReflection holds the
// two encodings equal.
func appendActivitiesJSON(b []byte, acts map[int64]*Activity) ([]byte, error) {
	// Members in the order encoding/json gives map keys: sorted as text.
	type member struct {
		key string
		a   *Activity
	}
	members := make([]member, 0, len(acts))
	for id, a := range acts {
		members = append(members, member{strconv.FormatInt(id, 10), a})
	}
	slices.SortFunc(members, func(x, y member) int { return strings.Compare(x.key, y.key) })
	b = append(b, '{')
	var err error
	for i, m := range members {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, m.key...)
		b = append(b, '"', ':')
		if m.a == nil {
			b = append(b, "null"...)
			continue
		}
		if b, err = m.a.appendJSON(b); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

// appendJSON appends the activity as encoding/json would encode it.
func (a *Activity) appendJSON(b []byte) ([]byte, error) {
	w := jsonObject{buf: b}
	w.int("ScheduledEventID", a.ScheduledEventID)
	w.string("ActivityID", a.ActivityID)
	w.string("ActivityType", a.ActivityType)
	w.string("TaskQueue", a.TaskQueue)
	w.int("State", int64(a.State))
	w.int("Attempt", int64(a.Attempt))
	w.time("ScheduledTime", a.ScheduledTime)
	w.time("AttemptScheduledTime", a.AttemptScheduledTime)
	w.time("StartedTime", a.StartedTime)
	w.string("StartedIdentity", a.StartedIdentity)
	w.string("StartedRequestID", a.StartedRequestID)
	w.int("ScheduleToClose", int64(a.ScheduleToClose))
	w.int("ScheduleToStart", int64(a.ScheduleToStart))
	w.int("StartToClose", int64(a.StartToClose))
	w.int("Heartbeat", int64(a.Heartbeat))
	w.retryPolicy("Retry", a.Retry)
	w.bytes("HeartbeatDetails", a.HeartbeatDetails)
	w.time("LastHeartbeat", a.LastHeartbeat)
	w.bytes("LastFailure", a.LastFailure)
	w.string("LastIdentity", a.LastIdentity)
	w.bool("CancelRequested", a.CancelRequested)
	w.int("CancelRequestedEventID", a.CancelRequestedEventID)
	w.bytes("Priority", a.Priority)
	w.bool("Paused", a.Paused)
	w.time("PauseTime", a.PauseTime)
	w.string("PauseIdentity", a.PauseIdentity)
	w.string("PauseReason", a.PauseReason)
	w.string("PauseRequestID", a.PauseRequestID)
	w.bool("ResetRequested", a.ResetRequested)
	w.bool("ResetHeartbeat", a.ResetHeartbeat)
	w.bool("ResetAttempts", a.ResetAttempts)
	w.time("LastAttemptCompleteTime", a.LastAttemptCompleteTime)
	return w.close()
}

// jsonObject appends the members of one JSON object, leaving out zero values
// (the omitzero rule every field of the persisted state uses).
type jsonObject struct {
	buf   []byte
	count int
	err   error
}

func (w *jsonObject) key(name string) {
	if w.count == 0 {
		w.buf = append(w.buf, '{')
	} else {
		w.buf = append(w.buf, ',')
	}
	w.count++
	// Member names are Go field names: nothing in them needs escaping.
	w.buf = append(w.buf, '"')
	w.buf = append(w.buf, name...)
	w.buf = append(w.buf, '"', ':')
}

func (w *jsonObject) int(name string, v int64) {
	if v != 0 {
		w.key(name)
		w.buf = strconv.AppendInt(w.buf, v, 10)
	}
}

func (w *jsonObject) bool(name string, v bool) {
	if v {
		w.key(name)
		w.buf = append(w.buf, "true"...)
	}
}

func (w *jsonObject) string(name, v string) {
	if v != "" {
		w.key(name)
		w.buf = appendJSONString(w.buf, v)
	}
}

// bytes writes base64 text; a nil slice is zero and left out, an empty one
// is not.
func (w *jsonObject) bytes(name string, v []byte) {
	if v != nil {
		w.key(name)
		w.buf = appendBase64(w.buf, v)
	}
}

// appendBase64 writes v as a JSON string of its standard base64 encoding.
func appendBase64(b, v []byte) []byte {
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, v)
	return append(b, '"')
}

func (w *jsonObject) time(name string, v time.Time) {
	if v.IsZero() {
		return
	}
	w.key(name)
	w.buf = append(w.buf, '"')
	var err error
	if w.buf, err = v.AppendText(w.buf); err != nil && w.err == nil {
		w.err = fmt.Errorf("json: error calling MarshalJSON for type time.Time: %w", err)
	}
	w.buf = append(w.buf, '"')
}

func (w *jsonObject) float(name string, v float64) {
	if v == 0 {
		return
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		if w.err == nil {
			w.err = &unsupportedFloatError{value: v}
		}
		return
	}
	w.key(name)
	w.buf = appendJSONFloat(w.buf, v)
}

func (w *jsonObject) strings(name string, v []string) {
	if v == nil {
		return
	}
	w.key(name)
	w.buf = append(w.buf, '[')
	for i, s := range v {
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		w.buf = appendJSONString(w.buf, s)
	}
	w.buf = append(w.buf, ']')
}

func (w *jsonObject) retryPolicy(name string, p RetryPolicy) {
	if p.InitialInterval == 0 && p.BackoffCoefficient == 0 && p.MaximumInterval == 0 &&
		p.MaximumAttempts == 0 && p.NonRetryableErrorTypes == nil {
		return
	}
	w.key(name)
	inner := jsonObject{buf: w.buf}
	inner.int("InitialInterval", int64(p.InitialInterval))
	inner.float("BackoffCoefficient", p.BackoffCoefficient)
	inner.int("MaximumInterval", int64(p.MaximumInterval))
	inner.int("MaximumAttempts", int64(p.MaximumAttempts))
	inner.strings("NonRetryableErrorTypes", p.NonRetryableErrorTypes)
	w.adopt(&inner)
}

func (w *jsonObject) close() ([]byte, error) {
	if w.count == 0 {
		w.buf = append(w.buf, '{')
	}
	w.buf = append(w.buf, '}')
	return w.buf, w.err
}

// unsupportedFloatError is returned for NaN and infinities, which JSON cannot
// hold.
type unsupportedFloatError struct{ value float64 }

func (e *unsupportedFloatError) Error() string {
	return "json: unsupported value: " + strconv.FormatFloat(e.value, 'g', -1, 64)
}

// appendJSONFloat writes v the way encoding/json does: the shortest decimal
// that reads back as v, in plain notation between 1e-6 and 1e21 and in
// exponent notation (with a two-digit minimum exponent dropped to one)
// outside that range.
func appendJSONFloat(b []byte, v float64) []byte {
	abs := math.Abs(v)
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		start := len(b)
		b = strconv.AppendFloat(b, v, 'e', -1, 64)
		// "1e-07" becomes "1e-7".
		if n := len(b) - start; n >= 4 && b[len(b)-4] == 'e' && b[len(b)-3] == '-' && b[len(b)-2] == '0' {
			b[len(b)-2] = b[len(b)-1]
			b = b[:len(b)-1]
		}
		return b
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}

// appendJSONString writes s as a JSON string with encoding/json's default
// escaping: quotes, backslashes and control characters escaped, '<', '>' and
// '&' escaped for embedding in HTML, invalid UTF-8 replaced by U+FFFD, and
// U+2028 and U+2029 escaped for JavaScript.
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
