// Package wfapi joins the public workflow package to the workflow runtime that
// implements it (internal/sdk/workflowrt) without an import cycle: the workflow
// package declares the public types and reaches the runtime through the context
// workflow code receives, under RuntimeKey; the runtime imports the workflow package
// for the types.
package wfapi

import (
	"time"

	commonpb "go.temporal.io/api/common/v1"

	"github.com/sundialdev/sundial"
)

// RuntimeKey is the context key under which every workflow context holds the runtime.
type RuntimeKey struct{}

// LocalActivityParams describe a local activity call.
type LocalActivityParams struct {
	ActivityType           string
	Input                  *commonpb.Payloads
	ScheduleToCloseTimeout time.Duration
	StartToCloseTimeout    time.Duration
	RetryPolicy            *sundial.RetryPolicy
}
