package auth

import "fmt"

// Scope is where a method's requirement is looked up.
type Scope uint8

const (
	// ScopePublic methods need no credential at all: health checks and
	// GetSystemInfo, which every SDK calls before anything else.
	ScopePublic Scope = iota + 1
	// ScopeAuthenticated methods need a valid credential but no particular
	// role: they reveal only server-wide, non-tenant information.
	ScopeAuthenticated
	// ScopeNamespace methods need the role in the namespace named by the
	// request's "namespace" field (or the role in the system scope).
	ScopeNamespace
	// ScopeSystem methods need the role in the system scope
	// ("temporal-system:<role>").
	ScopeSystem
)

// Requirement is what a caller needs to call one method.
type Requirement struct {
	Scope Scope
	Role  Role // unused for ScopePublic and ScopeAuthenticated
}

// String describes the requirement, e.g. "namespace write".
func (r Requirement) String() string {
	switch r.Scope {
	case ScopePublic:
		return "public"
	case ScopeAuthenticated:
		return "authenticated"
	case ScopeNamespace:
		return "namespace " + r.Role.String()
	case ScopeSystem:
		return "system " + r.Role.String()
	}
	return fmt.Sprintf("Requirement(%d, %d)", r.Scope, r.Role)
}

// Full gRPC service names of the services the server may serve.
const (
	WorkflowServiceName = "temporal.api.workflowservice.v1.WorkflowService"
	OperatorServiceName = "temporal.api.operatorservice.v1.OperatorService"
	TestServiceName     = "temporal.api.testservice.v1.TestService"
	HealthServiceName   = "grpc.health.v1.Health"
)

// MethodRequirements returns the one table that says what every RPC the
// server can serve requires, keyed by full method name
// ("/package.Service/Method"). A method missing from it is refused to every
// caller, and a test fails for every method of the served services that has
// no entry, including ones Sundial does not implement yet, so that a new RPC
// cannot be served without a decision here. Each call returns a new map.
func MethodRequirements() map[string]Requirement {
	public := Requirement{Scope: ScopePublic}
	authenticated := Requirement{Scope: ScopeAuthenticated}
	read := Requirement{Scope: ScopeNamespace, Role: RoleRead}
	write := Requirement{Scope: ScopeNamespace, Role: RoleWrite}
	worker := Requirement{Scope: ScopeNamespace, Role: RoleWorker}
	admin := Requirement{Scope: ScopeNamespace, Role: RoleAdmin}
	systemRead := Requirement{Scope: ScopeSystem, Role: RoleRead}
	systemWrite := Requirement{Scope: ScopeSystem, Role: RoleWrite}
	systemAdmin := Requirement{Scope: ScopeSystem, Role: RoleAdmin}

	byService := map[string]map[string]Requirement{
		WorkflowServiceName: {
			// Server information SDKs fetch before they know a namespace.
			"GetSystemInfo":       public,
			"GetClusterInfo":      authenticated,
			"GetSearchAttributes": authenticated,

			// Namespaces: creating and retiring them is the system
			// administrator's; changing one is its admin's.
			"RegisterNamespace":  systemAdmin,
			"DeprecateNamespace": systemAdmin,
			"ListNamespaces":     systemRead,
			"DescribeNamespace":  read,
			"UpdateNamespace":    admin,

			// Workflow reads.
			"DescribeWorkflowExecution":          read,
			"GetWorkflowExecutionHistory":        read,
			"GetWorkflowExecutionHistoryReverse": read,
			"ListOpenWorkflowExecutions":         read,
			"ListClosedWorkflowExecutions":       read,
			"ListWorkflowExecutions":             read,
			"ListArchivedWorkflowExecutions":     read,
			"ScanWorkflowExecutions":             read,
			"CountWorkflowExecutions":            read,
			"QueryWorkflow":                      read,
			"PollWorkflowExecutionUpdate":        read,
			"PollWorkflowExecutionTimeSkipping":  read,
			"DescribeTaskQueue":                  read,
			"ListTaskQueuePartitions":            read,

			// Workflow writes.
			"StartWorkflowExecution":           write,
			"ExecuteMultiOperation":            write,
			"SignalWorkflowExecution":          write,
			"SignalWithStartWorkflowExecution": write,
			"UpdateWorkflowExecution":          write,
			"RequestCancelWorkflowExecution":   write,
			"TerminateWorkflowExecution":       write,
			"ResetWorkflowExecution":           write,
			"DeleteWorkflowExecution":          write,
			"UpdateWorkflowExecutionOptions":   write,
			"PauseWorkflowExecution":           write,
			"UnpauseWorkflowExecution":         write,

			// Completing an activity from outside a worker, by its ids.
			"RecordActivityTaskHeartbeatById":  write,
			"RespondActivityTaskCompletedById": write,
			"RespondActivityTaskFailedById":    write,
			"RespondActivityTaskCanceledById":  write,

			// Workers: polls, task responses (by task token), heartbeats.
			"PollWorkflowTaskQueue":        worker,
			"RespondWorkflowTaskCompleted": worker,
			"RespondWorkflowTaskFailed":    worker,
			"RespondQueryTaskCompleted":    worker,
			"PollActivityTaskQueue":        worker,
			"RecordActivityTaskHeartbeat":  worker,
			"RespondActivityTaskCompleted": worker,
			"RespondActivityTaskFailed":    worker,
			"RespondActivityTaskCanceled":  worker,
			"PollNexusTaskQueue":           worker,
			"RespondNexusTaskCompleted":    worker,
			"RespondNexusTaskFailed":       worker,
			"ResetStickyTaskQueue":         worker,
			"ShutdownWorker":               worker,
			"RecordWorkerHeartbeat":        worker,
			"FetchWorkerConfig":            read,
			"UpdateWorkerConfig":           write,
			"DescribeWorker":               read,
			"ListWorkers":                  read,
			"CountWorkers":                 read,

			// Activities: per-workflow controls and standalone activities.
			"UpdateActivityOptions":          write,
			"PauseActivity":                  write,
			"UnpauseActivity":                write,
			"ResetActivity":                  write,
			"StartActivityExecution":         write,
			"DescribeActivityExecution":      read,
			"PollActivityExecution":          read,
			"ListActivityExecutions":         read,
			"CountActivityExecutions":        read,
			"RequestCancelActivityExecution": write,
			"TerminateActivityExecution":     write,
			"DeleteActivityExecution":        write,
			"PauseActivityExecution":         write,
			"UnpauseActivityExecution":       write,
			"ResetActivityExecution":         write,
			"UpdateActivityExecutionOptions": write,

			// Standalone Nexus operations.
			"StartNexusOperationExecution":         write,
			"DescribeNexusOperationExecution":      read,
			"PollNexusOperationExecution":          read,
			"ListNexusOperationExecutions":         read,
			"CountNexusOperationExecutions":        read,
			"RequestCancelNexusOperationExecution": write,
			"TerminateNexusOperationExecution":     write,
			"DeleteNexusOperationExecution":        write,

			// Schedules.
			"CreateSchedule":            write,
			"UpdateSchedule":            write,
			"PatchSchedule":             write,
			"DeleteSchedule":            write,
			"DescribeSchedule":          read,
			"ListSchedules":             read,
			"CountSchedules":            read,
			"ListScheduleMatchingTimes": read,

			// Batch operations.
			"StartBatchOperation":    write,
			"StopBatchOperation":     write,
			"DescribeBatchOperation": read,
			"ListBatchOperations":    read,

			// Worker versioning and deployments: they route every
			// worker's tasks in the namespace, so changing them is the
			// namespace admin's.
			"UpdateWorkerBuildIdCompatibility":             admin,
			"GetWorkerBuildIdCompatibility":                read,
			"UpdateWorkerVersioningRules":                  admin,
			"GetWorkerVersioningRules":                     read,
			"GetWorkerTaskReachability":                    read,
			"DescribeDeployment":                           read,
			"ListDeployments":                              read,
			"GetDeploymentReachability":                    read,
			"GetCurrentDeployment":                         read,
			"SetCurrentDeployment":                         admin,
			"DescribeWorkerDeploymentVersion":              read,
			"DescribeWorkerDeployment":                     read,
			"ListWorkerDeployments":                        read,
			"SetWorkerDeploymentCurrentVersion":            admin,
			"SetWorkerDeploymentRampingVersion":            admin,
			"SetWorkerDeploymentManager":                   admin,
			"CreateWorkerDeployment":                       admin,
			"CreateWorkerDeploymentVersion":                admin,
			"DeleteWorkerDeployment":                       admin,
			"DeleteWorkerDeploymentVersion":                admin,
			"UpdateWorkerDeploymentVersionMetadata":        admin,
			"UpdateWorkerDeploymentVersionComputeConfig":   admin,
			"ValidateWorkerDeploymentVersionComputeConfig": read,
			"UpdateTaskQueueConfig":                        admin,

			// Workflow rules act on every matching workflow of the
			// namespace.
			"CreateWorkflowRule":   admin,
			"DeleteWorkflowRule":   admin,
			"DescribeWorkflowRule": read,
			"ListWorkflowRules":    read,
			"TriggerWorkflowRule":  write,
		},
		OperatorServiceName: {
			"AddSearchAttributes":      admin,
			"RemoveSearchAttributes":   admin,
			"ListSearchAttributes":     read,
			"DeleteNamespace":          systemAdmin,
			"AddOrUpdateRemoteCluster": systemAdmin,
			"RemoveRemoteCluster":      systemAdmin,
			"ListClusters":             systemAdmin,
			"GetNexusEndpoint":         systemAdmin,
			"CreateNexusEndpoint":      systemAdmin,
			"UpdateNexusEndpoint":      systemAdmin,
			"DeleteNexusEndpoint":      systemAdmin,
			"ListNexusEndpoints":       systemAdmin,
		},
		// The time-skipping TestService moves the clock of the whole
		// server.
		TestServiceName: {
			"GetCurrentTime":              authenticated,
			"LockTimeSkipping":            systemWrite,
			"UnlockTimeSkipping":          systemWrite,
			"Sleep":                       systemWrite,
			"SleepUntil":                  systemWrite,
			"UnlockTimeSkippingWithSleep": systemWrite,
		},
		// Health stays open so load balancers and orchestrators can probe.
		HealthServiceName: {
			"Check": public,
			"Watch": public,
			"List":  public,
		},
	}
	table := make(map[string]Requirement)
	for service, methods := range byService {
		for method, req := range methods {
			table["/"+service+"/"+method] = req
		}
	}
	return table
}
