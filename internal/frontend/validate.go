// Request validation: the structural checks every WorkflowService request passes before
// a handler acts on it. They need no state; whatever depends on a workflow's state is
// the engine's to check.

package frontend

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sundialdev/sundial/internal/matching"
)

// Limits bound what a request may carry. A zero field means "use the default".
type Limits struct {
	// MaxIDLength bounds namespaces, workflow, run, activity, timer, update and request
	// ids, task queue names, type names, signal and query names, and identities (bytes).
	MaxIDLength int
	// MaxPayloadBytes bounds any single Payloads, Payload, Memo, Header, Failure or
	// details blob, measured as its encoded protobuf size.
	MaxPayloadBytes int
	// PriorityLevels is how many task priority keys there are: requests may ask
	// for keys 1 to PriorityLevels, or 0 for the default.
	PriorityLevels int32
}

const (
	defaultMaxIDLength     = 1000
	defaultMaxPayloadBytes = 2 << 20
)

// DefaultLimits returns the limits used when none are configured.
func DefaultLimits() Limits {
	return Limits{MaxIDLength: defaultMaxIDLength, MaxPayloadBytes: defaultMaxPayloadBytes, PriorityLevels: matching.DefaultPriorityLevels}
}

// withDefaults fills unset fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	if l.MaxIDLength <= 0 {
		l.MaxIDLength = defaultMaxIDLength
	}
	if l.MaxPayloadBytes <= 0 {
		l.MaxPayloadBytes = defaultMaxPayloadBytes
	}
	if l.PriorityLevels <= 0 {
		l.PriorityLevels = matching.DefaultPriorityLevels
	}
	return l
}

// reservedTaskQueuePrefix starts the names Temporal uses for task queue partitions;
// clients may not use it.
const reservedTaskQueuePrefix = "/_sys/"

// scopeRequest is the scope named in messages about top-level request fields.
const scopeRequest = "request"

// checker runs field checks for one request or command. scope names where the field
// lives ("request", or a command name such as "StartTimerCommand") in messages.
type checker struct {
	lim   Limits
	scope string
}

func newChecker(lim Limits, scope string) checker {
	return checker{lim: lim.withDefaults(), scope: scope}
}

// invalid builds the InvalidArgument error every check returns.
func invalid(format string, args ...any) error {
	return serviceerror.NewInvalidArgument(fmt.Sprintf(format, args...))
}

func errNilRequest() error { return invalid("Request is nil.") }

func (c checker) notSet(field string) error {
	return invalid("%s is not set on %s.", field, c.scope)
}

// required checks an identifier that must be present and within the length limit.
func (c checker) required(field, value string) error {
	if value == "" {
		return c.notSet(field)
	}
	return c.optional(field, value)
}

// optional checks the length of an identifier that may be empty.
func (c checker) optional(field, value string) error {
	if len(value) > c.lim.MaxIDLength {
		return c.tooLong(field)
	}
	return nil
}

// tooLong reports an identifier over the length limit in Temporal's words: "X length
// exceeds limit." on a request (service/frontend/errors.go), "X on Y exceeds length
// limit." on a command (its command validator), then the limit.
func (c checker) tooLong(field string) error {
	if c.scope == scopeRequest {
		return invalid("%s length exceeds limit. Limit: %d.", field, c.lim.MaxIDLength)
	}
	return invalid("%s on %s exceeds length limit. Limit: %d.", field, c.scope, c.lim.MaxIDLength)
}

// namespace checks a request's namespace name.
func (c checker) namespace(value string) error {
	return c.required("Namespace", value)
}

// runID checks a run id that may be empty but must otherwise be a UUID.
func (c checker) runID(field, value string) error {
	if value == "" {
		return nil
	}
	if !isUUID(value) {
		// Temporal's texts ("Invalid RunId." in service/frontend/errors.go, "Invalid
		// RunId set on <Command>." in its command validator); tools wait for them.
		if c.scope == scopeRequest {
			return invalid("Invalid %s.", field)
		}
		return invalid("Invalid %s set on %s.", field, c.scope)
	}
	return nil
}

// execution checks a WorkflowExecution whose workflow id is required and whose run id
// is optional.
func (c checker) execution(field string, ex *commonpb.WorkflowExecution) error {
	if ex == nil {
		return c.notSet(field)
	}
	if err := c.required("WorkflowId", ex.GetWorkflowId()); err != nil {
		return err
	}
	return c.runID("RunId", ex.GetRunId())
}

// taskQueue checks a task queue that must be present.
func (c checker) taskQueue(field string, tq *taskqueuepb.TaskQueue) error {
	if tq == nil || strings.TrimSpace(tq.GetName()) == "" {
		return c.notSet(field)
	}
	return c.optionalTaskQueue(field, tq)
}

// optionalTaskQueue checks a task queue that may be absent (nil or empty name), for
// commands that inherit the workflow's queue.
func (c checker) optionalTaskQueue(field string, tq *taskqueuepb.TaskQueue) error {
	if tq == nil || tq.GetName() == "" {
		return nil
	}
	if err := c.taskQueueName(field, tq.GetName()); err != nil {
		return err
	}
	if err := knownEnum(field+".Kind", tq.GetKind()); err != nil {
		return err
	}
	if tq.GetKind() == enumspb.TASK_QUEUE_KIND_STICKY && tq.GetNormalName() != "" {
		return c.taskQueueName(field+".NormalName", tq.GetNormalName())
	}
	return nil
}

// taskQueueName checks a bare task queue name.
func (c checker) taskQueueName(field, name string) error {
	if strings.TrimSpace(name) == "" {
		return c.notSet(field)
	}
	if strings.TrimSpace(name) != name {
		return invalid("%s name must not contain leading or trailing whitespace: %s.", field, quote(name))
	}
	if len(name) > c.lim.MaxIDLength {
		return c.tooLong(field)
	}
	if strings.HasPrefix(name, reservedTaskQueuePrefix) {
		return invalid("%s name cannot start with reserved prefix %s: %s.", field, reservedTaskQueuePrefix, quote(name))
	}
	return nil
}

// maxDuration is the longest duration a request may carry; longer ones are cut to
// it, as Temporal does (common/primitives/timestamp), so that sums of timeouts and
// deadlines stay far from time.Duration's 292-year limit.
const maxDuration = 100 * 365 * 24 * time.Hour

// duration checks that an optional duration is well formed and not negative, and
// caps it at maxDuration in place.
func (c checker) duration(field string, d *durationpb.Duration) error {
	if d == nil {
		return nil
	}
	if err := durationShape(d); err != nil {
		return invalid("%s is invalid: %v.", field, err)
	}
	if v := d.AsDuration(); v < 0 {
		return invalid("%s is negative: %v.", field, v)
	}
	capDuration(d)
	return nil
}

// durationShape reports a duration whose seconds and nanos disagree in sign or
// whose nanos are out of range; its size is not checked (see capDuration).
func durationShape(d *durationpb.Duration) error {
	secs, nanos := d.GetSeconds(), d.GetNanos()
	switch {
	case nanos <= -1e9 || nanos >= 1e9:
		return fmt.Errorf("nanos %d out of range", nanos)
	case (secs > 0 && nanos < 0) || (secs < 0 && nanos > 0):
		return errors.New("duration has seconds and nanos with different signs")
	}
	return nil
}

// capDuration cuts a valid, non-negative duration to maxDuration.
func capDuration(d *durationpb.Duration) {
	if d.GetSeconds() >= int64(maxDuration/time.Second) {
		d.Seconds, d.Nanos = int64(maxDuration/time.Second), 0
	}
}

// blob checks that one payload-like message is within the size limit. A nil message
// has size zero.
func (c checker) blob(field string, m proto.Message) error {
	if size := proto.Size(m); size > c.lim.MaxPayloadBytes {
		return invalid("%s size %d bytes exceeds limit of %d bytes.", field, size, c.lim.MaxPayloadBytes)
	}
	return nil
}

// firstError returns the first non-nil error. Validators list their checks in the
// order a client should fix them; every check is cheap, so running all is fine.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// retryPolicy checks an optional retry policy with Temporal's rules and texts
// (common/retrypolicy.Validate). Zero fields mean "use the default". As in Temporal,
// a policy of one attempt is not checked further, except that its coefficient must
// be a finite number, which the engine stores.
func (c checker) retryPolicy(rp *commonpb.RetryPolicy) error {
	if rp == nil {
		return nil
	}
	if b := rp.GetBackoffCoefficient(); math.IsNaN(b) || math.IsInf(b, 0) {
		return invalid("BackoffCoefficient must be a finite number on retry policy, got %v.", b)
	}
	if rp.GetMaximumAttempts() == 1 {
		return nil
	}
	if err := retryInterval(rp.GetInitialInterval()); err != nil {
		return invalid("invalid InitialInterval set on retry policy: %v", err)
	}
	if b := rp.GetBackoffCoefficient(); b != 0 && b < 1 {
		return invalid("BackoffCoefficient cannot be less than 1 on retry policy.")
	}
	if err := retryInterval(rp.GetMaximumInterval()); err != nil {
		return invalid("invalid MaximumInterval set on retry policy: %v", err)
	}
	initial, maximum := rp.GetInitialInterval().AsDuration(), rp.GetMaximumInterval().AsDuration()
	if maximum > 0 && maximum < initial {
		return invalid("MaximumInterval cannot be less than InitialInterval on retry policy.")
	}
	if rp.GetMaximumAttempts() < 0 {
		return invalid("MaximumAttempts cannot be negative on retry policy.")
	}
	return nil
}

// retryInterval checks and caps one retry policy interval.
func retryInterval(d *durationpb.Duration) error {
	if d == nil {
		return nil
	}
	if err := durationShape(d); err != nil {
		return err
	}
	if d.AsDuration() < 0 {
		return errors.New("negative duration")
	}
	capDuration(d)
	return nil
}

// knownEnum checks that an enum field holds a value its type defines. Unspecified (0)
// is defined for every Temporal enum, so this only catches numbers from the future or
// from a confused client.
func knownEnum(field string, v protoreflect.Enum) error {
	if v.Descriptor().Values().ByNumber(v.Number()) == nil {
		return invalid("%s has unknown value %d.", field, v.Number())
	}
	return nil
}

// enumName returns an enum value's full protobuf name, such as
// "WORKFLOW_ID_CONFLICT_POLICY_FAIL", or its number if the type does not define it.
func enumName(v protoreflect.Enum) string {
	if d := v.Descriptor().Values().ByNumber(v.Number()); d != nil {
		return string(d.Name())
	}
	return fmt.Sprintf("%d", v.Number())
}

// taskToken checks that a task token is present. Its content is decoded by the handler.
func (c checker) taskToken(token []byte) error {
	if len(token) == 0 {
		return c.notSet("TaskToken")
	}
	return nil
}

// pageSize checks a page size, where zero means "the server's default".
func (c checker) pageSize(field string, size int32) error {
	if size < 0 {
		return invalid("%s is negative: %d.", field, size)
	}
	return nil
}

// isUUID reports whether s is a UUID in the canonical 8-4-4-4-12 hexadecimal form.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch i {
		case 8, 13, 18, 23:
			if ch != '-' {
				return false
			}
		default:
			if !isHexDigit(ch) {
				return false
			}
		}
	}
	return true
}

func isHexDigit(ch byte) bool {
	return ('0' <= ch && ch <= '9') || ('a' <= ch && ch <= 'f') || ('A' <= ch && ch <= 'F')
}

// quote renders a client-supplied value for an error message, cut short if long.
func quote(s string) string {
	const maxShown = 64
	if len(s) > maxShown {
		return fmt.Sprintf("%q...", s[:maxShown])
	}
	return fmt.Sprintf("%q", s)
}
