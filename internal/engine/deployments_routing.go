package engine

import (
	"context"
	"hash/fnv"
	"math"

	deploymentpb "go.temporal.io/api/deployment/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"

	"github.com/sundialdev/sundial/internal/engine/machine"
	"github.com/sundialdev/sundial/internal/matching"
)

// routeVersion is the version queue ("deployment:build", or "" for the
// unversioned queue) a task of the run on the task queue name of kind goes
// to. A pinned run's tasks go to its version (an activity only when that
// version polls the activity's queue); every other run's go to the current
// version of the deployment that owns the queue, or to its ramping version
// for the ramp's share of workflow ids. Runs and queues untouched by
// versioning cost one atomic load.
func (e *Engine) routeVersion(s *machine.State, name string, kind matching.Kind) string {
	if s.Versioning == nil && !e.deploys.active.Load() {
		return ""
	}
	reg := e.deploys
	reg.mu.RLock()
	defer reg.mu.RUnlock()
	sp := reg.spaces[s.NamespaceID]
	if dep, build := s.Versioning.PinnedVersion(); build != "" {
		if kind == matching.Workflow || sp == nil {
			return versionKey(dep, build)
		}
		if d := sp.byName[dep]; d != nil {
			if v := d.doc.Versions[build]; v != nil && v.hasQueue(name, kind) {
				return versionKey(dep, build)
			}
		}
	}
	if sp == nil {
		return ""
	}
	owner := sp.byName[sp.owners[versionQueue{Name: name, Kind: kind}]]
	if owner == nil {
		return ""
	}
	doc := owner.doc
	target := doc.Current
	if doc.Ramping != "" && inRamp(s.WorkflowID, doc.RampPercentage) {
		target = doc.Ramping
	}
	if target == "" || target == unversionedVersionID {
		return ""
	}
	if v := doc.Versions[target]; v == nil || !v.hasQueue(name, kind) {
		return ""
	}
	return versionKey(doc.Name, target)
}

// inRamp reports whether a workflow id falls in a ramp of percentage: its
// hash places each id at a fixed point of [0, 100), so raising the ramp only
// adds ids.
func inRamp(workflowID string, percentage float32) bool {
	h := fnv.New32a()
	_, _ = h.Write([]byte(workflowID))
	point := 100 * float64(h.Sum32()) / (float64(math.MaxUint32) + 1)
	return point < float64(percentage)
}

// versionedPoll reads a poll's deployment options: the version queue it
// polls ("" for an unversioned worker) after registering the version and
// the task queue on the first poll.
func (e *Engine) versionedPoll(ctx context.Context, nsID string, opts *deploymentpb.WorkerDeploymentOptions, q matching.QueueKey, identity string) (string, error) {
	if opts.GetWorkerVersioningMode() != enumspb.WORKER_VERSIONING_MODE_VERSIONED {
		return "", nil
	}
	dep, build := opts.GetDeploymentName(), opts.GetBuildId()
	tq := versionQueue{Name: q.Name, Kind: q.Kind}
	e.deploys.notePoll(pollerKey{namespaceID: nsID, deployment: dep, buildID: build, queue: tq}, identity, e.cfg.WallClock.Now())
	if d := e.deploys.get(nsID, dep); d != nil {
		if v := d.doc.Versions[build]; v != nil && v.hasQueue(tq.Name, tq.Kind) {
			return versionKey(dep, build), nil
		}
	}
	doc, err := e.mutateDeployment(ctx, nsID, dep, true, func(d *deploymentDoc, _ bool) error {
		v := d.Versions[build]
		if v == nil {
			if len(d.Versions) >= maxVersionsPerDeployment {
				return serviceerror.NewFailedPreconditionf("cannot add version %s since maximum number of versions (%d) have been registered in the deployment", versionKey(dep, build), maxVersionsPerDeployment)
			}
			v = &versionDoc{BuildID: build, CreateTime: e.clock.Now()}
			d.Versions[build] = v
		}
		if v.hasQueue(tq.Name, tq.Kind) {
			return errDeploymentUnchanged
		}
		if len(v.TaskQueues) >= maxTaskQueuesPerVersion {
			return serviceerror.NewFailedPreconditionf("cannot add task queue %s since maximum number of task queues (%d) have been registered in the deployment version", tq.Name, maxTaskQueuesPerVersion)
		}
		v.TaskQueues = append(v.TaskQueues, tq)
		return nil
	})
	if err != nil {
		return "", err
	}
	if build == doc.Current || build == doc.Ramping {
		// Tasks of this queue that waited while no version had it go to
		// this one now.
		e.rerouteDeployment(ctx, nsID, doc)
	}
	return versionKey(dep, build), nil
}

// forgetVersionedPoller removes a stopping worker from its versions'
// pollers (ShutdownWorker names the task queue and its types).
func (e *Engine) forgetVersionedPoller(nsID, identity, taskQueue string, types []enumspb.TaskQueueType) {
	if taskQueue == "" || !e.deploys.active.Load() {
		return
	}
	for _, t := range types {
		kind := matching.Workflow
		if t == enumspb.TASK_QUEUE_TYPE_ACTIVITY {
			kind = matching.Activity
		} else if t != enumspb.TASK_QUEUE_TYPE_WORKFLOW {
			continue
		}
		e.deploys.forgetPoller(nsID, identity, versionQueue{Name: taskQueue, Kind: kind})
	}
}

// rerouteDeployment moves the tasks waiting in the queues of a deployment's
// task queues to where routing now sends them, after its routing config
// changed: an unversioned or auto-upgrade run's waiting task follows the new
// current version.
func (e *Engine) rerouteDeployment(ctx context.Context, nsID string, doc *deploymentDoc) {
	queues := map[matching.QueueKey]bool{}
	for _, v := range doc.Versions {
		for _, tq := range v.TaskQueues {
			base := matching.QueueKey{NamespaceID: nsID, Name: tq.Name, Kind: tq.Kind}
			queues[base] = true
			for _, other := range doc.Versions {
				if other.hasQueue(tq.Name, tq.Kind) {
					vq := base
					vq.Version = versionKey(doc.Name, other.BuildID)
					queues[vq] = true
				}
			}
		}
	}
	for q := range queues {
		for _, ref := range e.tasks.Drain(q) {
			r, err := e.lockRun(ctx, ref.run)
			if err != nil {
				continue
			}
			if s := r.state; s.Open() {
				target := q
				switch ref.kind {
				case kindWorkflow, kindQuery:
					if s.WorkflowTask != nil || ref.kind == kindQuery {
						target.Version = e.routeVersion(s, s.TaskQueue, matching.Workflow)
					}
				case kindActivity:
					target.Version = e.routeVersion(s, q.Name, matching.Activity)
				}
				e.tasks.Add(target, ref)
			}
			r.mu.Unlock()
		}
	}
}

// versionQueuesOf lists the version queues of a task queue: one per version
// whose workers registered it.
func (e *Engine) versionQueuesOf(nsID string, q matching.QueueKey) []matching.QueueKey {
	if !e.deploys.active.Load() {
		return nil
	}
	reg := e.deploys
	reg.mu.RLock()
	defer reg.mu.RUnlock()
	sp := reg.spaces[nsID]
	if sp == nil {
		return nil
	}
	var out []matching.QueueKey
	for _, d := range sp.byName {
		for _, v := range d.doc.Versions {
			if v.hasQueue(q.Name, q.Kind) {
				vq := q
				vq.Version = versionKey(d.doc.Name, v.BuildID)
				out = append(out, vq)
			}
		}
	}
	return out
}
