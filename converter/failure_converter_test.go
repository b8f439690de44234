package converter_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/converter"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
)

type cardError struct{ last4 string }

func (e *cardError) Error() string { return "card " + e.last4 + " declined" }

func newFC() converter.FailureConverter {
	return converter.NewDefaultFailureConverter(converter.DefaultFailureConverterOptions{})
}

// roundTrip encodes err, decodes the failure, and checks that re-encoding the decoded
// error gives the same failure back.
func roundTrip(t *testing.T, err error) (*failurepb.Failure, error) {
	t.Helper()
	fc := newFC()
	f := fc.ErrorToFailure(err)
	decoded := fc.FailureToError(f)
	if again := fc.ErrorToFailure(decoded); !proto.Equal(again, f) {
		t.Fatalf("re-encoding the decoded error changed the failure:\n%v\nvs\n%v", again, f)
	}
	return f, decoded
}

func TestApplicationErrorFailureRoundTrip(t *testing.T) {
	err := sundial.NewApplicationErrorWithOptions("charge failed", "PaymentError", sundial.ApplicationErrorOptions{
		NonRetryable:   true,
		Details:        []any{"order-7", 12.5},
		NextRetryDelay: 30 * time.Second,
		Category:       sundial.ApplicationErrorCategoryBenign,
		Cause:          sundial.NewApplicationError("gateway timeout", "GatewayError"),
	})
	f, decoded := roundTrip(t, err)

	info := f.GetApplicationFailureInfo()
	if f.GetMessage() != "charge failed" || info.GetType() != "PaymentError" || !info.GetNonRetryable() ||
		info.GetNextRetryDelay().AsDuration() != 30*time.Second || info.GetCategory() != enumspb.APPLICATION_ERROR_CATEGORY_BENIGN {
		t.Fatalf("failure = %v", f)
	}
	if len(info.GetDetails().GetPayloads()) != 2 || string(info.GetDetails().GetPayloads()[0].GetData()) != `"order-7"` {
		t.Fatalf("details = %v", info.GetDetails())
	}
	if f.GetCause().GetApplicationFailureInfo().GetType() != "GatewayError" || f.GetCause().GetMessage() != "gateway timeout" {
		t.Fatalf("cause = %v", f.GetCause())
	}

	var app *sundial.ApplicationError
	if !errors.As(decoded, &app) {
		t.Fatalf("decoded %T, want *ApplicationError", decoded)
	}
	var orderID string
	var amount float64
	if app.Message() != "charge failed" || app.Type() != "PaymentError" || !app.NonRetryable() ||
		app.NextRetryDelay() != 30*time.Second || app.Category() != sundial.ApplicationErrorCategoryBenign ||
		app.Details(&orderID, &amount) != nil || orderID != "order-7" || amount != 12.5 {
		t.Fatalf("decoded = %+v (%q, %v)", app, orderID, amount)
	}
	var cause *sundial.ApplicationError
	if !errors.As(app.Unwrap(), &cause) || cause.Type() != "GatewayError" {
		t.Fatalf("decoded cause = %v", app.Unwrap())
	}
}

func TestPlainGoErrorsUseTheirTypeName(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		wantType  string
		wantMsg   string
		wantCause string
	}{
		{"errors.New", errors.New("boom"), "", "boom", ""},
		{"custom pointer type", &cardError{last4: "4242"}, "cardError", "card 4242 declined", ""},
		{"wrapped", fmt.Errorf("charging: %w", &cardError{last4: "1"}), "wrapError", "charging: card 1 declined", "cardError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, decoded := roundTrip(t, tt.err)
			info := f.GetApplicationFailureInfo()
			if info == nil || info.GetType() != tt.wantType || info.GetNonRetryable() || f.GetMessage() != tt.wantMsg {
				t.Fatalf("failure = %v", f)
			}
			if got := f.GetCause().GetApplicationFailureInfo().GetType(); (f.GetCause() != nil) != (tt.wantCause != "") || got != tt.wantCause {
				t.Fatalf("cause = %v, want type %q", f.GetCause(), tt.wantCause)
			}
			var app *sundial.ApplicationError
			if !errors.As(decoded, &app) || app.Type() != tt.wantType || app.Message() != tt.wantMsg {
				t.Fatalf("decoded = %v", decoded)
			}
		})
	}
}

func TestCanceledFailureRoundTrip(t *testing.T) {
	f, decoded := roundTrip(t, sundial.NewCanceledError("user asked"))
	if f.GetCanceledFailureInfo() == nil || f.GetMessage() != "canceled" ||
		string(f.GetCanceledFailureInfo().GetDetails().GetPayloads()[0].GetData()) != `"user asked"` {
		t.Fatalf("failure = %v", f)
	}
	var canceled *sundial.CanceledError
	var reason string
	if !errors.As(decoded, &canceled) || canceled.Details(&reason) != nil || reason != "user asked" {
		t.Fatalf("decoded = %v (%q)", decoded, reason)
	}
}

func TestTimeoutFailureRoundTrip(t *testing.T) {
	err := sundial.NewTimeoutError("activity heartbeat timeout", enumspb.TIMEOUT_TYPE_HEARTBEAT,
		sundial.NewApplicationError("slow", "Slow"), 7, "progress")
	f, decoded := roundTrip(t, err)
	info := f.GetTimeoutFailureInfo()
	if info.GetTimeoutType() != enumspb.TIMEOUT_TYPE_HEARTBEAT || len(info.GetLastHeartbeatDetails().GetPayloads()) != 2 || f.GetCause() == nil {
		t.Fatalf("failure = %v", f)
	}
	var timeout *sundial.TimeoutError
	var n int
	var s string
	if !errors.As(decoded, &timeout) || timeout.TimeoutType() != enumspb.TIMEOUT_TYPE_HEARTBEAT ||
		timeout.LastHeartbeatDetails(&n, &s) != nil || n != 7 || s != "progress" || timeout.Message() != "activity heartbeat timeout" {
		t.Fatalf("decoded = %v", decoded)
	}
	var slow *sundial.ApplicationError
	if !errors.As(decoded, &slow) || slow.Type() != "Slow" {
		t.Fatal("timeout cause lost")
	}
}

func TestTerminatedAndServerFailureRoundTrip(t *testing.T) {
	f, decoded := roundTrip(t, sundial.NewTerminatedError("by operator"))
	var term *sundial.TerminatedError
	if f.GetTerminatedFailureInfo() == nil || !errors.As(decoded, &term) || term.Message() != "by operator" {
		t.Fatalf("terminated: %v -> %v", f, decoded)
	}
	f, decoded = roundTrip(t, sundial.NewServerError("history corrupted", true, nil))
	var server *sundial.ServerError
	if !f.GetServerFailureInfo().GetNonRetryable() || !errors.As(decoded, &server) || !server.NonRetryable() || server.Message() != "history corrupted" {
		t.Fatalf("server: %v -> %v", f, decoded)
	}
}

func TestPanicFailureRoundTrip(t *testing.T) {
	f, decoded := roundTrip(t, sundial.NewPanicError("index out of range", "goroutine 7 [running]:\nmain.charge()"))
	if f.GetApplicationFailureInfo().GetType() != "PanicError" || f.GetStackTrace() != "goroutine 7 [running]:\nmain.charge()" || f.GetMessage() != "index out of range" {
		t.Fatalf("failure = %v", f)
	}
	var p *sundial.PanicError
	if !errors.As(decoded, &p) || p.StackTrace() != f.GetStackTrace() || p.Error() != "index out of range" {
		t.Fatalf("decoded = %#v", decoded)
	}
}

func TestActivityAndChildFailureRoundTrip(t *testing.T) {
	actErr := sundial.NewActivityError(sundial.ActivityErrorOptions{
		ScheduledEventID: 5, StartedEventID: 6, Identity: "worker-1", ActivityType: "Charge", ActivityID: "3",
		RetryState: enumspb.RETRY_STATE_NON_RETRYABLE_FAILURE,
		Cause:      sundial.NewNonRetryableApplicationError("declined", "CardDeclined", nil),
	})
	childErr := sundial.NewChildWorkflowError(sundial.ChildWorkflowErrorOptions{
		Namespace: "default", WorkflowID: "pay-1", RunID: "run-1", WorkflowType: "Pay",
		InitiatedEventID: 11, StartedEventID: 12, RetryState: enumspb.RETRY_STATE_RETRY_POLICY_NOT_SET, Cause: actErr,
	})
	f, decoded := roundTrip(t, childErr)
	child := f.GetChildWorkflowExecutionFailureInfo()
	if child.GetWorkflowExecution().GetWorkflowId() != "pay-1" || child.GetWorkflowType().GetName() != "Pay" ||
		child.GetInitiatedEventId() != 11 || child.GetStartedEventId() != 12 || f.GetMessage() != "child workflow execution error" {
		t.Fatalf("child failure = %v", f)
	}
	act := f.GetCause().GetActivityFailureInfo()
	if act.GetActivityType().GetName() != "Charge" || act.GetActivityId() != "3" || act.GetScheduledEventId() != 5 ||
		act.GetIdentity() != "worker-1" || act.GetRetryState() != enumspb.RETRY_STATE_NON_RETRYABLE_FAILURE {
		t.Fatalf("activity failure = %v", f.GetCause())
	}
	var gotChild *sundial.ChildWorkflowError
	var gotAct *sundial.ActivityError
	var gotApp *sundial.ApplicationError
	if !errors.As(decoded, &gotChild) || gotChild.RunID() != "run-1" || gotChild.Namespace() != "default" ||
		!errors.As(decoded, &gotAct) || gotAct.StartedEventID() != 6 || gotAct.ActivityID() != "3" ||
		!errors.As(decoded, &gotApp) || gotApp.Type() != "CardDeclined" || !gotApp.NonRetryable() {
		t.Fatalf("decoded chain = %v", decoded)
	}
}

func TestEncodeCommonAttributes(t *testing.T) {
	fc := converter.NewDefaultFailureConverter(converter.DefaultFailureConverterOptions{EncodeCommonAttributes: true})
	err := fmt.Errorf("outer: %w", sundial.NewPanicError("secret", "stack with secret"))
	f := fc.ErrorToFailure(err)
	for level, current := range []*failurepb.Failure{f, f.GetCause()} {
		if current.GetMessage() != "Encoded failure" || current.GetStackTrace() != "" || current.GetEncodedAttributes() == nil {
			t.Fatalf("level %d not encoded: %v", level, current)
		}
	}
	if got := string(f.GetCause().GetEncodedAttributes().GetData()); got != `{"message":"secret","stack_trace":"stack with secret"}` {
		t.Fatalf("encoded attributes = %s", got)
	}
	decoded := fc.FailureToError(f)
	var p *sundial.PanicError
	if !errors.As(decoded, &p) || p.Error() != "secret" || p.StackTrace() != "stack with secret" {
		t.Fatalf("decoded = %v", decoded)
	}
	var outer *sundial.ApplicationError
	if !errors.As(decoded, &outer) || outer.Message() != "outer: secret" || outer.Type() != "wrapError" {
		t.Fatalf("decoded outer = %v", decoded)
	}
}

// TestDecodeForeignFailure reads failures shaped as another SDK (here: Python) writes them.
func TestDecodeForeignFailure(t *testing.T) {
	details, _ := converter.GetDefaultDataConverter().ToPayloads(map[string]string{"reason": "stock"})
	f := &failurepb.Failure{
		Message:    "out of stock",
		Source:     "PythonSDK",
		StackTrace: "Traceback ...",
		FailureInfo: &failurepb.Failure_ApplicationFailureInfo{ApplicationFailureInfo: &failurepb.ApplicationFailureInfo{
			Type: "OutOfStock", Details: details, NextRetryDelay: durationpb.New(time.Second),
		}},
		Cause: &failurepb.Failure{Message: "unknown thing", Source: "FutureSDK"},
	}
	fc := newFC()
	err := fc.FailureToError(f)
	var app *sundial.ApplicationError
	var d map[string]string
	if !errors.As(err, &app) || app.Type() != "OutOfStock" || app.NextRetryDelay() != time.Second || app.Details(&d) != nil || d["reason"] != "stock" {
		t.Fatalf("decoded = %v", err)
	}
	var unknown *sundial.ApplicationError
	if !errors.As(app.Unwrap(), &unknown) || unknown.Message() != "unknown thing" {
		t.Fatalf("unknown failure kinds must become application errors, got %v", app.Unwrap())
	}
	if again := fc.ErrorToFailure(err); !proto.Equal(again, f) {
		t.Fatalf("a decoded foreign failure must be re-encoded unchanged (source, stack trace):\n%v", again)
	}
	if sundial.OriginalFailure(err) == f {
		t.Fatal("the converter must keep a copy, not the caller's failure")
	}
}

func TestNilAndDefaults(t *testing.T) {
	fc := converter.GetDefaultFailureConverter()
	if fc.ErrorToFailure(nil) != nil || fc.FailureToError(nil) != nil {
		t.Fatal("nil must map to nil both ways")
	}
	f := fc.ErrorToFailure(errors.New("x"))
	if f.GetSource() == "" {
		t.Fatal("failures created here must name their source")
	}
}

type unencodable struct{ Ch chan int }

func TestUnencodableDetailsAreDroppedNotLost(t *testing.T) {
	f := newFC().ErrorToFailure(sundial.NewApplicationError("bad details", "T", unencodable{Ch: make(chan int)}))
	if f.GetApplicationFailureInfo().GetType() != "T" || f.GetApplicationFailureInfo().GetDetails() != nil {
		t.Fatalf("failure = %v", f)
	}
	if got := f.GetMessage(); len(got) <= len("bad details") || got[:len("bad details")] != "bad details" {
		t.Fatalf("message must keep the original and explain the drop, got %q", got)
	}
}

func TestResetWorkflowFailureIsNonRetryable(t *testing.T) {
	details, _ := converter.GetDefaultDataConverter().ToPayloads(3)
	err := newFC().FailureToError(&failurepb.Failure{Message: "reset", FailureInfo: &failurepb.Failure_ResetWorkflowFailureInfo{
		ResetWorkflowFailureInfo: &failurepb.ResetWorkflowFailureInfo{LastHeartbeatDetails: details},
	}})
	var app *sundial.ApplicationError
	var n int
	if !errors.As(err, &app) || !app.NonRetryable() || app.Details(&n) != nil || n != 3 {
		t.Fatalf("decoded = %v", err)
	}
}
