package engine

import "context"

// NamespaceID resolves a namespace name to its id, or answers NamespaceNotFound. The
// frontend uses it to check that a task token was issued in the request's namespace;
// after the first lookup it is a read of the in-memory namespace cache.
func (e *Engine) NamespaceID(ctx context.Context, name string) (string, error) {
	ns, err := e.namespace(ctx, name)
	if err != nil {
		return "", err
	}
	return ns.id, nil
}
