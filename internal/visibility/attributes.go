package visibility

import (
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
)

// Column names a column of the executions table that a system attribute
// reads. ColumnNone means the attribute lives in search_attribute_values.
type Column uint8

// The system attributes kept as columns.
const (
	ColumnNone Column = iota
	ColumnWorkflowID
	ColumnRunID
	ColumnWorkflowType
	ColumnTaskQueue
	ColumnStatus
	ColumnStartTime
	ColumnExecutionTime
	ColumnCloseTime
	ColumnHistoryLength
	ColumnExecutionDuration
	// The lineage columns (see lineage.go) read the run's parent and root.
	ColumnParentWorkflowID
	ColumnParentRunID
	ColumnRootWorkflowID
	ColumnRootRunID
)

// Attribute is a search attribute a query can name.
type Attribute struct {
	Name   string
	Type   enumspb.IndexedValueType
	Column Column
}

// The system attributes Sundial stores as columns, with Temporal's names and
// types.
var columnAttributes = []Attribute{
	{"WorkflowId", enumspb.INDEXED_VALUE_TYPE_KEYWORD, ColumnWorkflowID},
	{"RunId", enumspb.INDEXED_VALUE_TYPE_KEYWORD, ColumnRunID},
	{"WorkflowType", enumspb.INDEXED_VALUE_TYPE_KEYWORD, ColumnWorkflowType},
	{"TaskQueue", enumspb.INDEXED_VALUE_TYPE_KEYWORD, ColumnTaskQueue},
	{"ExecutionStatus", enumspb.INDEXED_VALUE_TYPE_KEYWORD, ColumnStatus},
	{"StartTime", enumspb.INDEXED_VALUE_TYPE_DATETIME, ColumnStartTime},
	{"ExecutionTime", enumspb.INDEXED_VALUE_TYPE_DATETIME, ColumnExecutionTime},
	{"CloseTime", enumspb.INDEXED_VALUE_TYPE_DATETIME, ColumnCloseTime},
	{"HistoryLength", enumspb.INDEXED_VALUE_TYPE_INT, ColumnHistoryLength},
	{"ExecutionDuration", enumspb.INDEXED_VALUE_TYPE_INT, ColumnExecutionDuration},
	{"ParentWorkflowId", enumspb.INDEXED_VALUE_TYPE_KEYWORD, ColumnParentWorkflowID},
	{"ParentRunId", enumspb.INDEXED_VALUE_TYPE_KEYWORD, ColumnParentRunID},
	{"RootWorkflowId", enumspb.INDEXED_VALUE_TYPE_KEYWORD, ColumnRootWorkflowID},
	{"RootRunId", enumspb.INDEXED_VALUE_TYPE_KEYWORD, ColumnRootRunID},
}

// predefinedAttributes are Temporal's own attributes that SDKs and tools set
// through search attributes (TemporalChangeVersion is upserted by workflow
// versioning, for example). They exist in every namespace and are stored like
// custom ones.
var predefinedAttributes = map[string]enumspb.IndexedValueType{
	"TemporalChangeVersion":      enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST,
	"BinaryChecksums":            enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST,
	"BuildIds":                   enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST,
	"BatcherNamespace":           enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"BatcherUser":                enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"TemporalScheduledStartTime": enumspb.INDEXED_VALUE_TYPE_DATETIME,
	"TemporalScheduledById":      enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"TemporalSchedulePaused":     enumspb.INDEXED_VALUE_TYPE_BOOL,
	"TemporalNamespaceDivision":  enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"TemporalPauseInfo":          enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST,
	"TemporalReportedProblems":   enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST,
	"TemporalWorkerDeployment":   enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	// The remaining versioning attributes.
	"TemporalWorkerDeploymentVersion":      enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"TemporalWorkflowVersioningBehavior":   enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"TemporalUsedWorkerDeploymentVersions": enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST,
}

// reservedNames can never be custom attributes, besides the system and
// predefined ones.
var reservedNames = map[string]bool{"NamespaceId": true, "Memo": true, "MemoEncoding": true, "VisibilityTaskKey": true}

// reservedPrefix starts names Temporal keeps for itself.
const reservedPrefix = "Temporal"

// SystemAttributes returns every attribute that exists in all namespaces:
// the column-backed system attributes and the predefined ones, by name.
func SystemAttributes() map[string]enumspb.IndexedValueType {
	out := make(map[string]enumspb.IndexedValueType, len(columnAttributes)+len(predefinedAttributes))
	for _, a := range columnAttributes {
		out[a.Name] = a.Type
	}
	for name, t := range predefinedAttributes {
		out[name] = t
	}
	return out
}

// IsReserved reports whether name cannot be registered as a custom
// attribute: it is a system or predefined attribute, an internal field, or
// starts with "Temporal".
func IsReserved(name string) bool {
	if _, ok := lookupSystem(name); ok {
		return true
	}
	return reservedNames[name] || strings.HasPrefix(name, reservedPrefix)
}

// IsCustomType reports whether a custom attribute may have type t.
func IsCustomType(t enumspb.IndexedValueType) bool {
	switch t {
	case enumspb.INDEXED_VALUE_TYPE_TEXT, enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		enumspb.INDEXED_VALUE_TYPE_INT, enumspb.INDEXED_VALUE_TYPE_DOUBLE,
		enumspb.INDEXED_VALUE_TYPE_BOOL, enumspb.INDEXED_VALUE_TYPE_DATETIME,
		enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST:
		return true
	}
	return false
}

// lookupSystem finds a column-backed or predefined attribute.
func lookupSystem(name string) (Attribute, bool) {
	for _, a := range columnAttributes {
		if a.Name == name {
			return a, true
		}
	}
	if t, ok := predefinedAttributes[name]; ok {
		return Attribute{Name: name, Type: t}, true
	}
	return Attribute{}, false
}

// Catalog is what a query may name in one namespace: the system attributes
// plus Custom, the namespace's registered attributes by name.
type Catalog struct {
	Custom map[string]enumspb.IndexedValueType
	// Only makes Custom the whole catalog, without the system attributes:
	// for filters over something other than workflow runs (workers), which
	// are evaluated in memory with Match.
	Only bool
	// Aliases name system attributes by other names, for listings of rows
	// that are not workflow runs (standalone activities: ActivityId is the
	// WorkflowId column).
	Aliases map[string]string
}

// lookup finds name; system attributes win over a custom one of the same name.
func (c Catalog) lookup(name string) (Attribute, bool) {
	if system, ok := c.Aliases[name]; ok {
		name = system
	}
	if a, ok := lookupSystem(name); ok && !c.Only {
		return a, true
	}
	if t, ok := c.Custom[name]; ok {
		return Attribute{Name: name, Type: t}, true
	}
	return Attribute{}, false
}
