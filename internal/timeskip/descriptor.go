package timeskip

import (
	"fmt"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// The TestService's wire names. Message, field and method names and field
// numbers follow Temporal's temporal/api/testservice/v1/request_response.proto
// and service.proto, as read from the descriptors embedded in the generated
// bindings of MercuryTechnologies/hs-temporal-sdk
// (protos/src/Proto/Temporal/Api/Testservice/V1/RequestResponse.hs and
// Service.hs) and cross-checked against the calls the TypeScript, Python and
// .NET SDKs make.
const (
	testServicePackage = "temporal.api.testservice.v1"
	// ServiceName is the TestService's full gRPC name.
	ServiceName = testServicePackage + ".TestService"

	requestResponseFile = "temporal/api/testservice/v1/request_response.proto"
	serviceFile         = "temporal/api/testservice/v1/service.proto"
)

// TestService method names.
const (
	MethodLockTimeSkipping            = "LockTimeSkipping"
	MethodUnlockTimeSkipping          = "UnlockTimeSkipping"
	MethodSleep                       = "Sleep"
	MethodSleepUntil                  = "SleepUntil"
	MethodUnlockTimeSkippingWithSleep = "UnlockTimeSkippingWithSleep"
	MethodGetCurrentTime              = "GetCurrentTime"
)

// testServiceDescriptor builds the TestService's descriptor from scratch, in a
// registry of its own.
func testServiceDescriptor() (protoreflect.ServiceDescriptor, error) {
	files := new(protoregistry.Files)
	for _, wellKnown := range []protoreflect.FileDescriptor{
		durationpb.File_google_protobuf_duration_proto,
		timestamppb.File_google_protobuf_timestamp_proto,
		emptypb.File_google_protobuf_empty_proto,
	} {
		if err := files.RegisterFile(wellKnown); err != nil {
			return nil, fmt.Errorf("registering %s: %w", wellKnown.Path(), err)
		}
	}
	messages, err := protodesc.NewFile(requestResponseProto(), files)
	if err != nil {
		return nil, fmt.Errorf("building %s: %w", requestResponseFile, err)
	}
	if err := files.RegisterFile(messages); err != nil {
		return nil, fmt.Errorf("registering %s: %w", requestResponseFile, err)
	}
	service, err := protodesc.NewFile(serviceProto(), files)
	if err != nil {
		return nil, fmt.Errorf("building %s: %w", serviceFile, err)
	}
	sd := service.Services().ByName("TestService")
	if sd == nil {
		return nil, fmt.Errorf("%s declares no TestService", serviceFile)
	}
	return sd, nil
}

// requestResponseProto describes the TestService's request and response messages.
func requestResponseProto() *descriptorpb.FileDescriptorProto {
	return &descriptorpb.FileDescriptorProto{
		Name:       proto.String(requestResponseFile),
		Package:    proto.String(testServicePackage),
		Dependency: []string{"google/protobuf/duration.proto", "google/protobuf/timestamp.proto"},
		Syntax:     proto.String("proto3"),
		MessageType: []*descriptorpb.DescriptorProto{
			message("LockTimeSkippingRequest"),
			message("SleepUntilRequest", messageField("timestamp", 1, ".google.protobuf.Timestamp")),
			message("SleepRequest", messageField("duration", 1, ".google.protobuf.Duration")),
			message("SleepResponse"),
			message("LockTimeSkippingResponse"),
			message("UnlockTimeSkippingRequest"),
			message("UnlockTimeSkippingResponse"),
			message("GetCurrentTimeResponse", messageField("time", 1, ".google.protobuf.Timestamp")),
		},
	}
}

// serviceProto describes the TestService's methods.
func serviceProto() *descriptorpb.FileDescriptorProto {
	local := func(name string) string { return "." + testServicePackage + "." + name }
	return &descriptorpb.FileDescriptorProto{
		Name:       proto.String(serviceFile),
		Package:    proto.String(testServicePackage),
		Dependency: []string{requestResponseFile, "google/protobuf/empty.proto"},
		Syntax:     proto.String("proto3"),
		Service: []*descriptorpb.ServiceDescriptorProto{{
			Name: proto.String("TestService"),
			Method: []*descriptorpb.MethodDescriptorProto{
				method(MethodLockTimeSkipping, local("LockTimeSkippingRequest"), local("LockTimeSkippingResponse")),
				method(MethodUnlockTimeSkipping, local("UnlockTimeSkippingRequest"), local("UnlockTimeSkippingResponse")),
				method(MethodSleep, local("SleepRequest"), local("SleepResponse")),
				method(MethodSleepUntil, local("SleepUntilRequest"), local("SleepResponse")),
				method(MethodUnlockTimeSkippingWithSleep, local("SleepRequest"), local("SleepResponse")),
				method(MethodGetCurrentTime, ".google.protobuf.Empty", local("GetCurrentTimeResponse")),
			},
		}},
	}
}

// emptyMessage declares a message with the given fields (none: an empty one).
func message(name string, fields ...*descriptorpb.FieldDescriptorProto) *descriptorpb.DescriptorProto {
	return &descriptorpb.DescriptorProto{Name: proto.String(name), Field: fields}
}

// messageField declares a singular message-typed field.
func messageField(name string, number int32, typeName string) *descriptorpb.FieldDescriptorProto {
	return &descriptorpb.FieldDescriptorProto{
		Name:     proto.String(name),
		JsonName: proto.String(name),
		Number:   proto.Int32(number),
		Label:    descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum(),
		Type:     descriptorpb.FieldDescriptorProto_TYPE_MESSAGE.Enum(),
		TypeName: proto.String(typeName),
	}
}

func method(name, input, output string) *descriptorpb.MethodDescriptorProto {
	return &descriptorpb.MethodDescriptorProto{
		Name:       proto.String(name),
		InputType:  proto.String(input),
		OutputType: proto.String(output),
	}
}
