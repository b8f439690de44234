package engine

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"sync"

	nexuspb "go.temporal.io/api/nexus/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/uuid"
)

// Nexus endpoints are cluster-wide: they live in the store's records under
// no namespace, one record per endpoint keyed by its id. The engine keeps
// them all in memory (there are at most MaxNexusEndpoints), loaded on first
// use, so a workflow scheduling an operation resolves its endpoint without a
// store read, and so names stay unique.
const (
	nexusEndpointRecordKind = "nexus-endpoint"
	// MaxNexusEndpoints bounds how many endpoints the cluster may hold.
	MaxNexusEndpoints = 1000
	// Temporal's defaults for its endpoint limits.
	nexusEndpointNameMaxLength   = 200
	nexusEndpointDescriptionMax  = 20000
	nexusEndpointListDefaultPage = 100
	nexusEndpointListMaxPage     = 1000
)

// nexusEndpointNamePattern is the form Temporal requires of endpoint names.
var nexusEndpointNamePattern = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9\-]*[a-zA-Z0-9]$`)

// nexusEndpoints is the in-memory copy of the endpoint records.
type nexusEndpoints struct {
	mu     sync.Mutex
	loaded bool
	byID   map[string]*nexuspb.Endpoint
	byName map[string]*nexuspb.Endpoint
}

// load reads every endpoint record once. Called with mu held.
func (e *Engine) loadNexusEndpointsLocked(ctx context.Context) error {
	reg := &e.nexusEndpoints
	if reg.loaded {
		return nil
	}
	byID := map[string]*nexuspb.Endpoint{}
	byName := map[string]*nexuspb.Endpoint{}
	after := ""
	for {
		recs, err := e.store.ListRecords(ctx, "", nexusEndpointRecordKind, after, 200)
		if err != nil {
			return unavailable("reading Nexus endpoints", err)
		}
		for _, rec := range recs {
			ep := &nexuspb.Endpoint{}
			if err := proto.Unmarshal(rec.Data, ep); err != nil {
				return serviceerror.NewDataLoss(fmt.Sprintf("decoding Nexus endpoint %s: %v", rec.ID, err))
			}
			ep.Version = rec.Version
			byID[ep.Id] = ep
			byName[ep.GetSpec().GetName()] = ep
		}
		if len(recs) < 200 {
			break
		}
		after = recs[len(recs)-1].ID
	}
	reg.byID, reg.byName, reg.loaded = byID, byName, true
	return nil
}

// NexusEndpointByName returns the endpoint called name, or NotFound.
func (e *Engine) NexusEndpointByName(ctx context.Context, name string) (*nexuspb.Endpoint, error) {
	reg := &e.nexusEndpoints
	reg.mu.Lock()
	defer reg.mu.Unlock()
	if err := e.loadNexusEndpointsLocked(ctx); err != nil {
		return nil, err
	}
	ep := reg.byName[name]
	if ep == nil {
		return nil, serviceerror.NewNotFoundf("endpoint %q not found", name)
	}
	return ep, nil
}

// nexusEndpointByID returns the endpoint with id, nil if there is none.
func (e *Engine) nexusEndpointByID(ctx context.Context, id string) (*nexuspb.Endpoint, error) {
	reg := &e.nexusEndpoints
	reg.mu.Lock()
	defer reg.mu.Unlock()
	if err := e.loadNexusEndpointsLocked(ctx); err != nil {
		return nil, err
	}
	return reg.byID[id], nil
}

// validateNexusEndpointSpec checks a spec as Temporal does, joining every
// problem found into one InvalidArgument.
func (e *Engine) validateNexusEndpointSpec(ctx context.Context, spec *nexuspb.EndpointSpec, maxTaskQueue int) error {
	var issues []string
	name := spec.GetName()
	switch {
	case name == "":
		issues = append(issues, "endpoint name not set")
	default:
		if len(name) > nexusEndpointNameMaxLength {
			issues = append(issues, fmt.Sprintf("endpoint name exceeds length limit of %d", nexusEndpointNameMaxLength))
		}
		if !nexusEndpointNamePattern.MatchString(name) {
			issues = append(issues, fmt.Sprintf("endpoint name must match the regex: %q", nexusEndpointNamePattern.String()))
		}
	}
	if spec.GetTarget().GetVariant() == nil {
		issues = append(issues, "empty target variant")
		return joinIssues(issues)
	}
	switch t := spec.GetTarget().GetVariant().(type) {
	case *nexuspb.EndpointTarget_Worker_:
		if t.Worker.GetNamespace() == "" {
			issues = append(issues, "target namespace not set")
		} else if _, err := e.ns.lookup(ctx, t.Worker.GetNamespace()); err != nil {
			return serviceerror.NewFailedPreconditionf("could not verify namespace referenced by target exists: %v", err.Error())
		}
		if msg := taskQueueNameIssue(t.Worker.GetTaskQueue(), maxTaskQueue); msg != "" {
			issues = append(issues, fmt.Sprintf("invalid target task queue: %q", msg))
		}
	case *nexuspb.EndpointTarget_External_:
		// Sundial delivers Nexus requests to workers only: an external
		// target would need an outbound HTTP client it does not have.
		issues = append(issues, "external endpoint targets are not supported by this server")
	default:
		issues = append(issues, "empty endpoint target")
	}
	if proto.Size(spec.GetDescription()) > nexusEndpointDescriptionMax {
		issues = append(issues, fmt.Sprintf("description size exceeds limit of %d", nexusEndpointDescriptionMax))
	}
	return joinIssues(issues)
}

// taskQueueNameIssue says what is wrong with a task queue name, "" if nothing.
func taskQueueNameIssue(name string, maxLen int) string {
	switch {
	case name == "":
		return "taskQueue is not set"
	case len(name) > maxLen:
		return fmt.Sprintf("taskQueue length exceeds limit of %d", maxLen)
	}
	return ""
}

func joinIssues(issues []string) error {
	if len(issues) == 0 {
		return nil
	}
	msg := issues[0]
	for _, s := range issues[1:] {
		msg += ", " + s
	}
	return serviceerror.NewInvalidArgument(msg)
}

// nexusEndpointIDIssue checks an endpoint id, which must be a UUID.
func nexusEndpointIDIssue(id string) error {
	if id == "" {
		return serviceerror.NewInvalidArgument("endpoint ID not set")
	}
	if !isUUID(id) {
		return serviceerror.NewInvalidArgumentf("malformed endpoint ID: %q", "invalid UUID format")
	}
	return nil
}

// isUUID reports whether s has the textual form of a UUID.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// CreateNexusEndpoint registers a new endpoint.
func (e *Engine) CreateNexusEndpoint(ctx context.Context, req *operatorservice.CreateNexusEndpointRequest, maxTaskQueue int) (*operatorservice.CreateNexusEndpointResponse, error) {
	if err := e.validateNexusEndpointSpec(ctx, req.GetSpec(), maxTaskQueue); err != nil {
		return nil, err
	}
	reg := &e.nexusEndpoints
	reg.mu.Lock()
	defer reg.mu.Unlock()
	if err := e.loadNexusEndpointsLocked(ctx); err != nil {
		return nil, err
	}
	name := req.GetSpec().GetName()
	if reg.byName[name] != nil {
		return nil, serviceerror.NewAlreadyExistsf("error creating Nexus endpoint. Endpoint with name %v already registered", name)
	}
	if len(reg.byID) >= MaxNexusEndpoints {
		return nil, serviceerror.NewResourceExhaustedf(0, "the cluster already holds the maximum of %d Nexus endpoints", MaxNexusEndpoints)
	}
	now := timestamppb.New(e.cfg.WallClock.Now())
	ep := &nexuspb.Endpoint{
		Id:               uuid.NewRandom(),
		Spec:             proto.Clone(req.GetSpec()).(*nexuspb.EndpointSpec),
		CreatedTime:      now,
		LastModifiedTime: now,
	}
	ep.UrlPrefix = nexusEndpointURLPrefix(ep.Id)
	if err := e.writeNexusEndpointLocked(ctx, ep, 0); err != nil {
		return nil, err
	}
	return &operatorservice.CreateNexusEndpointResponse{Endpoint: proto.Clone(ep).(*nexuspb.Endpoint)}, nil
}

// nexusEndpointURLPrefix is the HTTP path at which Temporal serves an endpoint.
func nexusEndpointURLPrefix(id string) string { return "/nexus/endpoints/" + id + "/services" }

// writeNexusEndpointLocked stores ep at expected version and installs it.
func (e *Engine) writeNexusEndpointLocked(ctx context.Context, ep *nexuspb.Endpoint, expected int64) error {
	stored := proto.Clone(ep).(*nexuspb.Endpoint)
	stored.Version = 0
	data, err := proto.Marshal(stored)
	if err != nil {
		return fmt.Errorf("encoding Nexus endpoint: %w", err)
	}
	rec := &store.Record{NamespaceID: "", Kind: nexusEndpointRecordKind, ID: ep.Id, Data: data}
	if err := e.store.Write(ctx, &store.Transition{Records: []store.RecordWrite{{Record: rec, ExpectedVersion: expected}}}); err != nil {
		if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrAlreadyExists) {
			return serviceerror.NewFailedPrecondition("nexus endpoint version mismatch")
		}
		return unavailable("writing the Nexus endpoint", err)
	}
	ep.Version = rec.Version
	reg := &e.nexusEndpoints
	if old := reg.byID[ep.Id]; old != nil {
		delete(reg.byName, old.GetSpec().GetName())
	}
	reg.byID[ep.Id] = ep
	reg.byName[ep.GetSpec().GetName()] = ep
	return nil
}

// UpdateNexusEndpoint replaces the spec of an endpoint at the version the
// caller read.
func (e *Engine) UpdateNexusEndpoint(ctx context.Context, req *operatorservice.UpdateNexusEndpointRequest, maxTaskQueue int) (*operatorservice.UpdateNexusEndpointResponse, error) {
	if err := nexusEndpointIDIssue(req.GetId()); err != nil {
		return nil, err
	}
	if err := e.validateNexusEndpointSpec(ctx, req.GetSpec(), maxTaskQueue); err != nil {
		return nil, err
	}
	reg := &e.nexusEndpoints
	reg.mu.Lock()
	defer reg.mu.Unlock()
	if err := e.loadNexusEndpointsLocked(ctx); err != nil {
		return nil, err
	}
	prev := reg.byID[req.GetId()]
	if prev == nil {
		return nil, serviceerror.NewNotFoundf("error updating Nexus endpoint. endpoint ID %v not found", req.GetId())
	}
	if req.GetVersion() != prev.Version {
		return nil, serviceerror.NewFailedPreconditionf("nexus endpoint version mismatch. received: %v expected %v", req.GetVersion(), prev.Version)
	}
	name := req.GetSpec().GetName()
	if other := reg.byName[name]; other != nil && other.Id != prev.Id {
		return nil, serviceerror.NewAlreadyExistsf("error updating Nexus endpoint. Endpoint with name %v already registered", name)
	}
	ep := proto.Clone(prev).(*nexuspb.Endpoint)
	ep.Spec = proto.Clone(req.GetSpec()).(*nexuspb.EndpointSpec)
	ep.LastModifiedTime = timestamppb.New(e.cfg.WallClock.Now())
	if err := e.writeNexusEndpointLocked(ctx, ep, prev.Version); err != nil {
		return nil, err
	}
	return &operatorservice.UpdateNexusEndpointResponse{Endpoint: proto.Clone(ep).(*nexuspb.Endpoint)}, nil
}

// DeleteNexusEndpoint removes an endpoint. Temporal's Delete ignores the
// version beyond requiring it to be positive; so does this.
func (e *Engine) DeleteNexusEndpoint(ctx context.Context, req *operatorservice.DeleteNexusEndpointRequest) (*operatorservice.DeleteNexusEndpointResponse, error) {
	if err := nexusEndpointIDIssue(req.GetId()); err != nil {
		return nil, err
	}
	if req.GetVersion() <= 0 {
		return nil, serviceerror.NewInvalidArgument("endpoint version is non-positive")
	}
	reg := &e.nexusEndpoints
	reg.mu.Lock()
	defer reg.mu.Unlock()
	if err := e.loadNexusEndpointsLocked(ctx); err != nil {
		return nil, err
	}
	prev := reg.byID[req.GetId()]
	if prev == nil {
		return nil, serviceerror.NewNotFoundf("error deleting nexus endpoint with ID: %v", req.GetId())
	}
	rec := &store.Record{NamespaceID: "", Kind: nexusEndpointRecordKind, ID: prev.Id}
	if err := e.store.Write(ctx, &store.Transition{Records: []store.RecordWrite{{Record: rec, ExpectedVersion: prev.Version, Delete: true}}}); err != nil {
		return nil, unavailable("deleting the Nexus endpoint", err)
	}
	delete(reg.byID, prev.Id)
	delete(reg.byName, prev.GetSpec().GetName())
	return &operatorservice.DeleteNexusEndpointResponse{}, nil
}

// GetNexusEndpoint returns one endpoint by id.
func (e *Engine) GetNexusEndpoint(ctx context.Context, req *operatorservice.GetNexusEndpointRequest) (*operatorservice.GetNexusEndpointResponse, error) {
	if err := nexusEndpointIDIssue(req.GetId()); err != nil {
		return nil, err
	}
	ep, err := e.nexusEndpointByID(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	if ep == nil {
		return nil, serviceerror.NewNotFoundf("Nexus endpoint with ID `%v` not found", req.GetId())
	}
	return &operatorservice.GetNexusEndpointResponse{Endpoint: proto.Clone(ep).(*nexuspb.Endpoint)}, nil
}

// ListNexusEndpoints pages through the endpoints in id order, or returns the
// one endpoint with the requested name.
func (e *Engine) ListNexusEndpoints(ctx context.Context, req *operatorservice.ListNexusEndpointsRequest) (*operatorservice.ListNexusEndpointsResponse, error) {
	size := int(req.GetPageSize())
	switch {
	case size < 0:
		return nil, serviceerror.NewInvalidArgument("page_size is negative")
	case size > nexusEndpointListMaxPage:
		return nil, serviceerror.NewInvalidArgumentf("page_size exceeds limit of %d", nexusEndpointListMaxPage)
	case size == 0:
		size = nexusEndpointListDefaultPage
	}
	reg := &e.nexusEndpoints
	reg.mu.Lock()
	defer reg.mu.Unlock()
	if err := e.loadNexusEndpointsLocked(ctx); err != nil {
		return nil, err
	}
	resp := &operatorservice.ListNexusEndpointsResponse{}
	if name := req.GetName(); name != "" {
		if ep := reg.byName[name]; ep != nil {
			resp.Endpoints = []*nexuspb.Endpoint{proto.Clone(ep).(*nexuspb.Endpoint)}
		}
		return resp, nil
	}
	ids := make([]string, 0, len(reg.byID))
	after := string(req.GetNextPageToken())
	for id := range reg.byID {
		if id > after {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	if len(ids) > size {
		ids = ids[:size]
		resp.NextPageToken = []byte(ids[size-1])
	}
	for _, id := range ids {
		resp.Endpoints = append(resp.Endpoints, proto.Clone(reg.byID[id]).(*nexuspb.Endpoint))
	}
	return resp, nil
}
