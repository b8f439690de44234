package engine

import (
	"context"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// nexusEndpointResolver looks endpoints up by id for a transition's Nexus
// retries (see machine.Tx.NexusEndpointByID).
func (e *Engine) nexusEndpointResolver(ctx context.Context) machine.NexusEndpointResolver {
	return func(id string) (machine.NexusTarget, bool, error) {
		ep, err := e.nexusEndpointByID(ctx, id)
		if err != nil {
			return machine.NexusTarget{}, false, err
		}
		w := ep.GetSpec().GetTarget().GetWorker()
		if ep == nil || w == nil {
			return machine.NexusTarget{}, false, nil
		}
		ns, err := e.ns.lookup(ctx, w.GetNamespace())
		if err != nil {
			if isNotFoundErr(err) {
				return machine.NexusTarget{}, false, nil
			}
			return machine.NexusTarget{}, false, err
		}
		return machine.NexusTarget{EndpointID: ep.Id, NamespaceID: ns.id, Namespace: ns.name, TaskQueue: w.GetTaskQueue()}, true, nil
	}
}
