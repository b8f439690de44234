package activities

import "context"

// ProcessData is a plain activity, registered under its own name "ProcessData".
func ProcessData(_ context.Context, data string) (string, error) {
	return "Processed: " + data, nil
}

// CustomActivityName is the name MyActivity is registered under.
const CustomActivityName = "custom_activity_name"

// MyActivity is registered under CustomActivityName:
//
//	w.RegisterActivityWithOptions(MyActivity, worker.RegisterActivityOptions{Name: CustomActivityName})
func MyActivity(_ context.Context, input string) (string, error) {
	return "Result: " + input, nil
}
