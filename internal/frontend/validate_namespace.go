// Validation of the namespace and system-information requests.

package frontend

import (
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
)

func validateGetSystemInfo(req *workflowservice.GetSystemInfoRequest, _ Limits) error {
	if req == nil {
		return errNilRequest()
	}
	return nil
}

func validateRegisterNamespace(req *workflowservice.RegisterNamespaceRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.namespace(req.GetNamespace()),
		c.duration("WorkflowExecutionRetentionPeriod", req.GetWorkflowExecutionRetentionPeriod()),
		knownEnum("HistoryArchivalState", req.GetHistoryArchivalState()),
		knownEnum("VisibilityArchivalState", req.GetVisibilityArchivalState()),
	)
}

func validateDescribeNamespace(req *workflowservice.DescribeNamespaceRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	if req.GetNamespace() == "" && req.GetId() == "" {
		return c.notSet("Namespace")
	}
	return firstError(
		c.optional("Namespace", req.GetNamespace()),
		c.runID("Id", req.GetId()),
	)
}

func validateListNamespaces(req *workflowservice.ListNamespacesRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return c.pageSize("PageSize", req.GetPageSize())
}

func validateUpdateNamespace(req *workflowservice.UpdateNamespaceRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	cfg := req.GetConfig()
	return firstError(
		c.namespace(req.GetNamespace()),
		c.duration("Config.WorkflowExecutionRetentionTtl", cfg.GetWorkflowExecutionRetentionTtl()),
		knownEnum("Config.HistoryArchivalState", cfg.GetHistoryArchivalState()),
		knownEnum("Config.VisibilityArchivalState", cfg.GetVisibilityArchivalState()),
		knownEnum("UpdateInfo.State", req.GetUpdateInfo().GetState()),
	)
}

func validateDeprecateNamespace(req *workflowservice.DeprecateNamespaceRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	return newChecker(lim, scopeRequest).namespace(req.GetNamespace())
}

// validateDeleteNamespace checks an OperatorService DeleteNamespace request,
// which names its namespace by name or by id, not both (Temporal's texts).
func validateDeleteNamespace(req *operatorservice.DeleteNamespaceRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	switch {
	case req.GetNamespace() == "" && req.GetNamespaceId() == "":
		return invalid("Namespace not set on request.")
	case req.GetNamespace() != "" && req.GetNamespaceId() != "":
		return invalid("Only one of namespace name or Id should be set on request.")
	}
	return firstError(
		c.optional("Namespace", req.GetNamespace()),
		c.optional("NamespaceId", req.GetNamespaceId()),
		c.duration("NamespaceDeleteDelay", req.GetNamespaceDeleteDelay()),
	)
}
