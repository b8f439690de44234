package frontend

import (
	"testing"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
)

// FuzzValidateRespondWorkflowTaskCompleted feeds arbitrary wire bytes that decode as a
// completion to the validator: it must never panic, and any error must be an
// InvalidArgument.
func FuzzValidateRespondWorkflowTaskCompleted(f *testing.F) {
	for _, r := range []*workflowservice.RespondWorkflowTaskCompletedRequest{validCompletion(), {}} {
		b, err := proto.Marshal(r)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		req := &workflowservice.RespondWorkflowTaskCompletedRequest{}
		if proto.Unmarshal(b, req) != nil {
			return
		}
		for _, lim := range []Limits{testLim, {}} {
			if err := validateRespondWorkflowTaskCompleted(req, lim); err != nil {
				if code := serviceerror.ToStatus(err).Code(); code != codes.InvalidArgument {
					t.Fatalf("error %v has code %v, want InvalidArgument", err, code)
				}
			}
		}
	})
}

// FuzzValidateStartWorkflowExecution does the same for StartWorkflowExecution.
func FuzzValidateStartWorkflowExecution(f *testing.F) {
	b, err := proto.Marshal(validStart())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		req := &workflowservice.StartWorkflowExecutionRequest{}
		if proto.Unmarshal(b, req) != nil {
			return
		}
		if err := validateStartWorkflowExecution(req, testLim); err != nil {
			if code := serviceerror.ToStatus(err).Code(); code != codes.InvalidArgument {
				t.Fatalf("error %v has code %v, want InvalidArgument", err, code)
			}
		}
	})
}
