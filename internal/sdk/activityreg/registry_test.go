package activityreg

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/converter"
	commonpb "go.temporal.io/api/common/v1"
)

type order struct {
	ID     string
	Amount float64
}

func Charge(ctx context.Context, o order, times int) (string, error) {
	return strings.Repeat(o.ID, times), nil
}

func Notify(email string) error {
	if email == "" {
		return errors.New("no address")
	}
	return nil
}

func Explode(context.Context) (int, error) { panic("boom") }

func mustEncode(t *testing.T, values ...any) *commonpb.Payloads {
	t.Helper()
	p, err := converter.GetDefaultDataConverter().ToPayloads(values...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRegisterRejectsBadShapesClearly(t *testing.T) {
	cases := []struct {
		name string
		fn   any
		want string
	}{
		{"not a function", 42, "must be a function"},
		{"no error result", func(context.Context) int { return 1 }, "last result must be of type error"},
		{"no results", func(context.Context) {}, "must return error or (value, error)"},
		{"three results", func() (int, int, error) { return 0, 0, nil }, "must return error or (value, error)"},
		{"variadic", func(context.Context, ...int) error { return nil }, "variadic"},
		{"context not first", func(int, context.Context) error { return nil }, "must be the first parameter"},
		{"channel argument", func(chan int) error { return nil }, "cannot be encoded"},
		{"anonymous without name", func(context.Context) error { return nil }, "anonymous"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := New().Register(tc.fn, "")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Register = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestRegisterNamesAndDuplicates(t *testing.T) {
	r := New()
	if err := r.Register(Charge, ""); err != nil {
		t.Fatal(err)
	}
	if err := r.Register(Notify, "send-email"); err != nil {
		t.Fatal(err)
	}
	if err := r.Register(func(context.Context) error { return nil }, "anon-ok"); err != nil {
		t.Fatalf("an anonymous function with an explicit name must register: %v", err)
	}
	if err := r.Register(Notify, "Charge"); err == nil || !strings.Contains(err.Error(), `"Charge" is already registered`) {
		t.Fatalf("duplicate name: got %v", err)
	}
	if got, want := strings.Join(r.Names(), ","), "Charge,anon-ok,send-email"; got != want {
		t.Errorf("Names = %s, want %s", got, want)
	}
	if _, ok := r.Lookup("Unknown"); ok {
		t.Error("Lookup of an unknown name without a dynamic activity must fail")
	}
}

func TestInvokeDecodesArgumentsAndEncodesResult(t *testing.T) {
	r := New()
	if err := r.Register(Charge, ""); err != nil {
		t.Fatal(err)
	}
	a, _ := r.Lookup("Charge")
	dc := converter.GetDefaultDataConverter()
	out, err := a.Invoke(context.Background(), mustEncode(t, order{ID: "ab"}, 3), dc)
	if err != nil {
		t.Fatal(err)
	}
	var got string
	if err := dc.FromPayloads(out, &got); err != nil {
		t.Fatal(err)
	}
	if got != "ababab" {
		t.Errorf("result %q, want ababab", got)
	}

	// A missing trailing argument is its zero value.
	out, err = a.Invoke(context.Background(), mustEncode(t, order{ID: "x"}), dc)
	if err != nil {
		t.Fatal(err)
	}
	if err := dc.FromPayloads(out, &got); err != nil || got != "" {
		t.Errorf("zero repetitions: got %q, %v", got, err)
	}

	// Surplus arguments are a non-retryable error.
	_, err = a.Invoke(context.Background(), mustEncode(t, order{}, 1, "extra"), dc)
	var appErr *sundial.ApplicationError
	if !errors.As(err, &appErr) || !appErr.NonRetryable() {
		t.Errorf("surplus arguments: got %v, want a non-retryable ApplicationError", err)
	}
}

func TestInvokeReturnsTheActivityErrorAndNoResult(t *testing.T) {
	r := New()
	if err := r.Register(Notify, ""); err != nil {
		t.Fatal(err)
	}
	a, _ := r.Lookup("Notify")
	dc := converter.GetDefaultDataConverter()
	if out, err := a.Invoke(context.Background(), mustEncode(t, "a@b.c"), dc); err != nil || out != nil {
		t.Errorf("success of an error-only activity: got %v, %v", out, err)
	}
	if _, err := a.Invoke(context.Background(), mustEncode(t, ""), dc); err == nil || err.Error() != "no address" {
		t.Errorf("got %v, want the activity's own error", err)
	}
	if _, err := a.Invoke(context.Background(), mustEncode(t, 12), dc); err == nil || !strings.Contains(err.Error(), "decoding argument 1") {
		t.Errorf("wrong argument type: got %v", err)
	}
}

func TestInvokeTurnsPanicsIntoPanicErrors(t *testing.T) {
	r := New()
	if err := r.Register(Explode, ""); err != nil {
		t.Fatal(err)
	}
	a, _ := r.Lookup("Explode")
	_, err := a.Invoke(context.Background(), nil, converter.GetDefaultDataConverter())
	var panicErr *sundial.PanicError
	if !errors.As(err, &panicErr) {
		t.Fatalf("got %v, want a PanicError", err)
	}
	if panicErr.Error() != "boom" || !strings.Contains(panicErr.StackTrace(), "Explode") {
		t.Errorf("panic error %q with stack:\n%s", panicErr.Error(), panicErr.StackTrace())
	}
}

func TestDynamicActivityReceivesRawArguments(t *testing.T) {
	r := New()
	dynamic := func(ctx context.Context, args activity.DynamicArgs) (any, error) {
		var a, b int
		if err := args.Get(&a, &b); err != nil {
			return nil, err
		}
		return a + b, nil
	}
	if err := r.RegisterDynamic(dynamic); err != nil {
		t.Fatal(err)
	}
	if err := r.RegisterDynamic(dynamic); err == nil {
		t.Error("a second dynamic activity must be refused")
	}
	a, ok := r.Lookup("AnyTypeAtAll")
	if !ok {
		t.Fatal("the dynamic activity must serve unknown types")
	}
	dc := converter.GetDefaultDataConverter()
	out, err := a.Invoke(context.Background(), mustEncode(t, 2, 40), dc)
	if err != nil {
		t.Fatal(err)
	}
	var sum int
	if err := dc.FromPayloads(out, &sum); err != nil || sum != 42 {
		t.Errorf("sum = %d, %v; want 42", sum, err)
	}
}

type billing struct{ fee float64 }

func (b *billing) Charge(_ context.Context, amount float64) (float64, error) {
	return amount + b.fee, nil
}
func (b *billing) Refund(_ context.Context, amount float64) error { return nil }

type badMethods struct{}

func (badMethods) Fine(context.Context) error { return nil }
func (badMethods) NoError() int               { return 1 }

func TestRegisterStructRegistersEveryExportedMethod(t *testing.T) {
	r := New()
	if err := r.Register(&billing{fee: 1}, ""); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.Names(), ","); got != "Charge,Refund" {
		t.Errorf("names %s", got)
	}
	if err := r.Register(&billing{}, "v2."); err != nil {
		t.Fatal(err)
	}
	a, ok := r.Lookup("v2.Charge")
	if !ok {
		t.Fatal("prefixed method missing")
	}
	dc := converter.GetDefaultDataConverter()
	out, err := a.Invoke(context.Background(), mustEncode(t, 2.5), dc)
	var got float64
	if err != nil || dc.FromPayloads(out, &got) != nil || got != 2.5 {
		t.Errorf("v2.Charge = %v, %v", got, err)
	}
	if err := r.Register(&billing{}, ""); err == nil {
		t.Error("registering the same methods again must fail")
	}

	bad := New()
	if err := bad.Register(badMethods{}, ""); err == nil || !strings.Contains(err.Error(), "method NoError") {
		t.Errorf("bad method: %v", err)
	}
	if len(bad.Names()) != 0 {
		t.Errorf("a failed struct registration must register nothing, got %v", bad.Names())
	}
}
