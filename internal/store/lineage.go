package store

// Lineage is a child run's parent and the root of its tree, as listings
// return them. The JSON names are those of the engine's stored run state
// (machine.ParentInfo), from which the store reads them.
type Lineage struct {
	NamespaceID    string `json:"NamespaceID"`
	WorkflowID     string `json:"WorkflowID"`
	RunID          string `json:"RunID"`
	RootWorkflowID string `json:"RootWorkflowID"`
	RootRunID      string `json:"RootRunID"`
}
