package sundial_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sundialdev/sundial"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
)

func TestApplicationErrorAccessorsAndMessage(t *testing.T) {
	cause := errors.New("connection reset")
	err := sundial.NewApplicationErrorWithOptions("charge failed", "PaymentError", sundial.ApplicationErrorOptions{
		NonRetryable:   true,
		Cause:          cause,
		Details:        []any{"order-1", 42},
		NextRetryDelay: 3 * time.Second,
		Category:       sundial.ApplicationErrorCategoryBenign,
	})
	if got, want := err.Error(), "charge failed (type: PaymentError, retryable: false): connection reset"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
	if err.Message() != "charge failed" || err.Type() != "PaymentError" || !err.NonRetryable() ||
		err.NextRetryDelay() != 3*time.Second || err.Category() != sundial.ApplicationErrorCategoryBenign {
		t.Fatalf("accessors disagree with options: %+v", err)
	}
	if !errors.Is(err, cause) {
		t.Fatal("errors.Is must reach the cause")
	}
	var orderID string
	var amount int
	if dErr := err.Details(&orderID, &amount); dErr != nil {
		t.Fatalf("Details: %v", dErr)
	}
	if orderID != "order-1" || amount != 42 {
		t.Fatalf("Details gave %q, %d", orderID, amount)
	}
}

func TestApplicationErrorRetryableMessage(t *testing.T) {
	err := sundial.NewApplicationError("boom", "")
	if err.Error() != "boom" {
		t.Fatalf("untyped error must print its message only, got %q", err.Error())
	}
	if err.NonRetryable() {
		t.Fatal("NewApplicationError must be retryable")
	}
	typed := sundial.NewNonRetryableApplicationError("bad input", "ValidationError", nil)
	if got := typed.Error(); got != "bad input (type: ValidationError, retryable: false)" {
		t.Fatalf("Error() = %q", got)
	}
}

func TestDetailsErrors(t *testing.T) {
	err := sundial.NewApplicationError("x", "T", "only")
	var s string
	var n int
	if dErr := err.Details(&s, &n); !errors.Is(dErr, sundial.ErrTooManyArgs) {
		t.Fatalf("more pointers than details: got %v, want ErrTooManyArgs", dErr)
	}
	if dErr := err.Details(&n); dErr == nil || !strings.Contains(dErr.Error(), "cannot assign string to int") {
		t.Fatalf("type mismatch: got %v", dErr)
	}
	if dErr := err.Details(s); dErr == nil {
		t.Fatal("non-pointer target must fail")
	}
	if dErr := sundial.NewApplicationError("x", "T").Details(&s); !errors.Is(dErr, sundial.ErrNoData) {
		t.Fatalf("no details: got %v, want ErrNoData", dErr)
	}
	var anything any = "preset"
	if dErr := sundial.NewCanceledError(nil).Details(&anything); dErr != nil || anything != nil {
		t.Fatalf("nil detail must zero the target: %v, %v", dErr, anything)
	}
}

type fakeEncoded struct{ got []any }

func (f *fakeEncoded) HasValues() bool { return true }
func (f *fakeEncoded) Get(ptrs ...any) error {
	f.got = ptrs
	*(ptrs[0].(*string)) = "decoded"
	return nil
}

func TestDetailsDelegateToEncodedValues(t *testing.T) {
	enc := &fakeEncoded{}
	err := sundial.NewTimeoutError("timed out", enumspb.TIMEOUT_TYPE_HEARTBEAT, nil, enc)
	var s string
	if !err.HasLastHeartbeatDetails() {
		t.Fatal("encoded details must count as details")
	}
	if gErr := err.LastHeartbeatDetails(&s); gErr != nil || s != "decoded" {
		t.Fatalf("LastHeartbeatDetails = %v, %q", gErr, s)
	}
	if got := sundial.DetailValues(err); len(got) != 1 || got[0] != enc {
		t.Fatalf("DetailValues must return the EncodedValues as given, got %v", got)
	}
}

func TestErrorChainsUnwrap(t *testing.T) {
	root := sundial.NewApplicationError("card declined", "CardDeclined")
	activityErr := sundial.NewActivityError(sundial.ActivityErrorOptions{
		ScheduledEventID: 5, StartedEventID: 6, Identity: "w1", ActivityType: "Charge", ActivityID: "1",
		RetryState: enumspb.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED, Cause: root,
	})
	childErr := sundial.NewChildWorkflowError(sundial.ChildWorkflowErrorOptions{
		Namespace: "default", WorkflowID: "child", RunID: "r", WorkflowType: "Child", Cause: activityErr,
	})
	wfErr := sundial.NewWorkflowExecutionError("parent", "r0", "Parent", childErr)

	var app *sundial.ApplicationError
	if !errors.As(wfErr, &app) || app.Type() != "CardDeclined" {
		t.Fatal("errors.As must find the ApplicationError through workflow, child and activity errors")
	}
	var act *sundial.ActivityError
	if !errors.As(wfErr, &act) || act.ActivityType() != "Charge" || act.ScheduledEventID() != 5 || act.RetryState() != enumspb.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED {
		t.Fatal("errors.As must find the ActivityError with its fields")
	}
	want := "workflow execution error (type: Parent, workflowID: parent, runID: r0): child workflow execution error (type: Child, workflowID: child, runID: r, initiatedEventID: 0, startedEventID: 0): activity error (type: Charge, scheduledEventID: 5, startedEventID: 6, identity: w1): card declined (type: CardDeclined, retryable: true)"
	if wfErr.Error() != want {
		t.Fatalf("Error() =\n%s\nwant\n%s", wfErr.Error(), want)
	}
}

func TestOtherErrorTypes(t *testing.T) {
	canceled := sundial.NewCanceledError("why")
	if canceled.Error() != "canceled" || !canceled.HasDetails() {
		t.Fatalf("CanceledError: %q, details %v", canceled.Error(), canceled.HasDetails())
	}
	timeout := sundial.NewTimeoutError("activity timed out", enumspb.TIMEOUT_TYPE_START_TO_CLOSE, context.DeadlineExceeded)
	if !errors.Is(timeout, context.DeadlineExceeded) || timeout.TimeoutType() != enumspb.TIMEOUT_TYPE_START_TO_CLOSE {
		t.Fatal("TimeoutError must unwrap to its cause and keep its type")
	}
	if got := timeout.Error(); got != "activity timed out (type: StartToClose): context deadline exceeded" {
		t.Fatalf("TimeoutError.Error() = %q", got)
	}
	if sundial.NewTerminatedError("").Error() != "terminated" {
		t.Fatal("TerminatedError default message")
	}
	server := sundial.NewServerError("internal", true, nil)
	if !server.NonRetryable() || server.Unwrap() != nil {
		t.Fatal("ServerError fields")
	}
	panicked := sundial.NewPanicError(context.Canceled, "goroutine 1")
	if !errors.Is(panicked, context.Canceled) || panicked.StackTrace() != "goroutine 1" || panicked.Error() != "context canceled" {
		t.Fatal("PanicError of an error value must unwrap to it")
	}
	if sundial.NewPanicError("oops", "").Unwrap() != nil {
		t.Fatal("PanicError of a non-error value has no cause")
	}
}

func TestOriginalFailure(t *testing.T) {
	err := sundial.NewApplicationError("x", "T")
	if sundial.OriginalFailure(err) != nil {
		t.Fatal("locally created error has no original failure")
	}
	f := &failurepb.Failure{Message: "x"}
	sundial.SetOriginalFailure(err, f)
	if sundial.OriginalFailure(err) != f {
		t.Fatal("SetOriginalFailure must be visible through OriginalFailure")
	}
	plain := errors.New("plain")
	sundial.SetOriginalFailure(plain, f) // must not panic
	if sundial.OriginalFailure(plain) != nil {
		t.Fatal("plain errors carry no failure")
	}
}
