package nexusop

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
)

// workflowRunTokenType is the type number Temporal's SDKs give the tokens of
// workflow-run operations.
const workflowRunTokenType = 1

// workflowRunToken is the operation token of a workflow-run operation: base64url (no
// padding) of a JSON object naming the token type, the handler's namespace and the
// workflow id, as Temporal's SDKs write it; a version field is reserved for newer
// formats and rejected.
type workflowRunToken struct {
	Version    int    `json:"v,omitempty"`
	Type       int    `json:"t"`
	Namespace  string `json:"ns"`
	WorkflowID string `json:"wid"`
}

func encodeWorkflowRunToken(namespace, workflowID string) (string, error) {
	b, err := json.Marshal(workflowRunToken{Type: workflowRunTokenType, Namespace: namespace, WorkflowID: workflowID})
	if err != nil {
		return "", fmt.Errorf("encoding the operation token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func decodeWorkflowRunToken(token string) (workflowRunToken, error) {
	var t workflowRunToken
	if token == "" {
		return t, errors.New("the token is empty")
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return t, fmt.Errorf("decoding the token: %w", err)
	}
	if err := json.Unmarshal(b, &t); err != nil {
		return t, fmt.Errorf("decoding the token: %w", err)
	}
	switch {
	case t.Version != 0:
		return t, fmt.Errorf("token version %d is not supported", t.Version)
	case t.Type != workflowRunTokenType:
		return t, fmt.Errorf("token type %d is not a workflow run (%d)", t.Type, workflowRunTokenType)
	case t.Namespace == "":
		return t, errors.New("the token names no namespace")
	case t.WorkflowID == "":
		return t, errors.New("the token names no workflow id")
	}
	return t, nil
}
