package sundial_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/sundialdev/sundial"
)

func TestFindApplicationErrorLooksPastOtherApplicationErrors(t *testing.T) {
	declined := sundial.NewApplicationError("card declined", "CardDeclined")
	// What a client sees when a workflow wrapped an activity's failure with %w: the
	// wrapping became an ApplicationError of its own, in front of the activity's.
	wrapped := sundial.NewNonRetryableApplicationError("charging: card declined", "wrapError", declined)
	chain := fmt.Errorf("order 7: %w", errors.Join(errors.New("other"), wrapped))

	var first *sundial.ApplicationError
	if !errors.As(chain, &first) || first.Type() != "wrapError" {
		t.Fatalf("errors.As found %v; the test needs the wrapping error first", first)
	}
	got, ok := sundial.FindApplicationError(chain, "CardDeclined")
	if !ok || got != declined {
		t.Fatalf("FindApplicationError = %v, %v; want the CardDeclined error", got, ok)
	}
	if !sundial.HasApplicationError(chain, "wrapError") {
		t.Fatal("HasApplicationError misses the first ApplicationError")
	}
	if _, ok := sundial.FindApplicationError(chain, "Other"); ok {
		t.Fatal("FindApplicationError found a type that is not in the chain")
	}
	if _, ok := sundial.FindApplicationError(nil, "CardDeclined"); ok {
		t.Fatal("FindApplicationError found something in a nil error")
	}
}

func ExampleFindApplicationError() {
	declined := sundial.NewApplicationError("card declined", "CardDeclined")
	err := fmt.Errorf("workflow failed: %w",
		sundial.NewNonRetryableApplicationError("charging: card declined", "wrapError", declined))
	if appErr, ok := sundial.FindApplicationError(err, "CardDeclined"); ok {
		fmt.Println("declined:", appErr.Message())
	}
	// Output: declined: card declined
}
