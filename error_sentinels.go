package sundial

import "errors"

// ErrResultPending is returned by an activity to say it has not finished: the worker
// leaves the task open and someone completes it later with client.Client.CompleteActivity
// or CompleteActivityByID, using the activity's task token or ids.
var ErrResultPending = errors.New("not an error: activity result is pending, complete it with Client.CompleteActivity")

// ErrActivityPaused is returned by a heartbeat when the activity was paused on the server.
var ErrActivityPaused = errors.New("activity paused")

// ErrActivityReset is returned by a heartbeat when the activity was reset on the server.
var ErrActivityReset = errors.New("activity reset")
