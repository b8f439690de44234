package sundial_test

import (
	"errors"
	"fmt"

	"github.com/sundialdev/sundial"
	enumspb "go.temporal.io/api/enums/v1"
)

// A workflow's view of a failed activity: errors.As digs the application error out of
// the ActivityError and WorkflowExecutionError around it.
func ExampleApplicationError() {
	declined := sundial.NewNonRetryableApplicationError("card declined", "CardDeclined", nil, "order-7")
	err := sundial.NewWorkflowExecutionError("checkout-7", "run-1", "Checkout",
		sundial.NewActivityError(sundial.ActivityErrorOptions{
			ActivityType: "ChargeCard",
			RetryState:   enumspb.RETRY_STATE_NON_RETRYABLE_FAILURE,
			Cause:        declined,
		}))

	var appErr *sundial.ApplicationError
	if errors.As(err, &appErr) && appErr.Type() == "CardDeclined" {
		var orderID string
		_ = appErr.Details(&orderID)
		fmt.Println(appErr.Message(), "for", orderID)
	}
	var activityErr *sundial.ActivityError
	if errors.As(err, &activityErr) {
		fmt.Println(activityErr.ActivityType(), activityErr.RetryState())
	}
	// Output:
	// card declined for order-7
	// ChargeCard NonRetryableFailure
}
