package activities_test

import (
	"context"
	"fmt"
	"time"

	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/examples/activities"
	"github.com/sundialdev/sundial/sundialtest"
)

// A long task's heartbeats, captured by the test environment.
func Example_longRunningTask() {
	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{
		OnHeartbeat: func(details ...any) {
			p := details[0].(activities.Progress)
			fmt.Printf("progress %d/%d (%s)\n", p.Processed, p.Total, p.LastItem)
		},
	})
	value, err := env.Run(context.Background(), activities.LongRunningTask, []string{"a", "b", "c"})
	if err != nil {
		panic(err)
	}
	var results []string
	if err := value.Get(&results); err != nil {
		panic(err)
	}
	fmt.Println(results)
	// Output:
	// progress 1/3 (a)
	// progress 2/3 (b)
	// progress 3/3 (c)
	// [A B C]
}

// The same activity on a retry resumes from the previous attempt's heartbeat details.
func Example_longRunningTaskResumes() {
	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{
		Info:             activity.Info{Attempt: 2},
		HeartbeatDetails: []any{activities.Progress{Processed: 2, Total: 3, LastItem: "b"}},
	})
	value, err := env.Run(context.Background(), activities.LongRunningTask, []string{"a", "b", "c"})
	if err != nil {
		panic(err)
	}
	var results []string
	if err := value.Get(&results); err != nil {
		panic(err)
	}
	fmt.Println(results)
	// Output: [C]
}

// The dynamic activity picks a treatment by its arguments.
func Example_dynamicActivity() {
	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{
		Info: activity.Info{ActivityType: "anything"},
	})
	for _, args := range [][]any{{"text"}, {2, 40}, {true, "x", 1.5}} {
		value, err := env.Run(context.Background(), activity.DynamicFunc(activities.DynamicActivity), args...)
		if err != nil {
			panic(err)
		}
		var out string
		if err := value.Get(&out); err != nil {
			panic(err)
		}
		fmt.Println(out)
	}
	// Output:
	// String processing: text
	// Math result: 42
	// Generic processing: [true x 1.5]
}

// Waiting for a cancellation between work units.
func Example_monitoringActivity() {
	env := sundialtest.NewActivityEnvironment(sundialtest.ActivityEnvironmentOptions{})
	value, err := env.Run(context.Background(), activities.MonitoringActivity,
		activities.MonitoringInput{CheckInterval: time.Millisecond, Units: 3})
	if err != nil {
		panic(err)
	}
	var out string
	_ = value.Get(&out)
	fmt.Println(out, len(env.Heartbeats()), "units")

	env.Cancel(activity.CancelRequested)
	value, err = env.Run(context.Background(), activities.MonitoringActivity,
		activities.MonitoringInput{CheckInterval: time.Hour, Units: 3})
	if err != nil {
		panic(err)
	}
	_ = value.Get(&out)
	fmt.Println(out)
	// Output:
	// Work completed successfully 3 units
	// Cancelled during monitoring
}
