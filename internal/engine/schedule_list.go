package engine

import (
	"context"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	schedulepb "go.temporal.io/api/schedule/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/proto"

	"github.com/sundialdev/sundial/internal/schedule/spec"
	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/visibility"
)

// scheduleScanPage is how many schedule records a listing reads at a time.
const scheduleScanPage = 500

// scheduleFilter compiles a ListSchedules or CountSchedules query. Queries
// name the schedule's own search attributes, ScheduleId (or WorkflowId, as
// Temporal rewrites it) and TemporalSchedulePaused.
func (e *Engine) scheduleFilter(ctx context.Context, nsID, query string) (visibility.Expr, error) {
	catalog, err := e.searchAttributeCatalog(ctx, nsID)
	if err != nil {
		return nil, err
	}
	catalog.Only = true
	catalog.Custom["ScheduleId"] = enumspb.INDEXED_VALUE_TYPE_KEYWORD
	catalog.Custom["WorkflowId"] = enumspb.INDEXED_VALUE_TYPE_KEYWORD
	catalog.Custom["TemporalSchedulePaused"] = enumspb.INDEXED_VALUE_TYPE_BOOL
	q, err := compileQuery(query, catalog)
	if err != nil {
		return nil, err
	}
	if len(q.OrderBy) > 0 || len(q.GroupBy) > 0 {
		return nil, serviceerror.NewInvalidArgument("operation is not supported: schedule queries take no ORDER BY or GROUP BY")
	}
	return q.Filter, nil
}

// boolRows turns the 0/1 of Bool attributes back into booleans for Match.
func boolRows(rows []visibility.IndexRow, catalog map[string]enumspb.IndexedValueType) {
	for i, r := range rows {
		if catalog[r.Name] == enumspb.INDEXED_VALUE_TYPE_BOOL {
			if v, ok := r.Value.(int64); ok {
				rows[i].Value = v != 0
			}
		}
	}
}

// eachMatchingSchedule calls f, in schedule id order after afterID, with
// every schedule of the namespace the query selects, until f returns false.
func (e *Engine) eachMatchingSchedule(ctx context.Context, namespace, query, afterID string, f func(id string, st *scheduleState) bool) error {
	ns, err := e.namespace(ctx, namespace)
	if err != nil {
		return err
	}
	catalog, err := e.searchAttributeCatalog(ctx, ns.id)
	if err != nil {
		return err
	}
	filter, err := e.scheduleFilter(ctx, ns.id, query)
	if err != nil {
		return err
	}
	for {
		recs, err := e.store.ListRecords(ctx, ns.id, scheduleRecordKind, afterID, scheduleScanPage)
		if err != nil {
			return unavailable("listing schedules", err)
		}
		for _, r := range recs {
			st, err := decodeSchedule(r)
			if err != nil {
				e.log.Error("a schedule cannot be read; listings leave it out", "schedule_id", r.ID, "error", err)
				continue
			}
			if matchesSchedule(filter, r, st, catalog.Custom) && !f(r.ID, st) {
				return nil
			}
		}
		if len(recs) < scheduleScanPage {
			return nil
		}
		afterID = recs[len(recs)-1].ID
	}
}

// matchesSchedule evaluates filter on one schedule record, with Bool
// attributes as booleans.
func matchesSchedule(filter visibility.Expr, r *store.Record, st *scheduleState, custom map[string]enumspb.IndexedValueType) bool {
	if filter == nil {
		return true
	}
	rows := visibility.IndexRows(st.SearchAttributes)
	boolRows(rows, custom)
	return visibility.Match(filter, func(name string) (any, bool) {
		switch name {
		case "ScheduleId", "WorkflowId":
			return r.ID, true
		case "TemporalSchedulePaused":
			return st.schedule.GetState().GetPaused(), true
		}
		for _, row := range rows {
			if row.Name != name {
				continue
			}
			if custom[name] == enumspb.INDEXED_VALUE_TYPE_DATETIME && row.TimeNanos != nil {
				return *row.TimeNanos, true
			}
			return row.Value, true
		}
		return nil, false
	})
}

// ListSchedules pages through the namespace's schedules the query selects,
// by schedule id.
func (e *Engine) ListSchedules(ctx context.Context, req *workflowservice.ListSchedulesRequest) (*workflowservice.ListSchedulesResponse, error) {
	size := int(req.GetMaximumPageSize())
	if size <= 0 || size > maxVisibilityPageSize {
		size = maxVisibilityPageSize
	}
	ns, err := e.namespace(ctx, req.GetNamespace())
	if err != nil {
		return nil, err
	}
	resp := &workflowservice.ListSchedulesResponse{}
	var lastID string
	more := false
	err = e.eachMatchingSchedule(ctx, req.GetNamespace(), req.GetQuery(), string(req.GetNextPageToken()), func(id string, st *scheduleState) bool {
		if len(resp.Schedules) == size {
			more = true
			return false
		}
		resp.Schedules = append(resp.Schedules, e.scheduleListEntry(scheduleKey{ns.id, id}, st))
		lastID = id
		return true
	})
	if err != nil {
		return nil, err
	}
	if more {
		resp.NextPageToken = []byte(lastID)
	}
	return resp, nil
}

// scheduleListEntry is a schedule as ListSchedules shows it.
func (e *Engine) scheduleListEntry(k scheduleKey, st *scheduleState) *schedulepb.ScheduleListEntry {
	sched := st.schedule
	listSpec := sched.GetSpec()
	if canonical, err := spec.Canonical(listSpec); err == nil {
		listSpec = canonical
	} else {
		listSpec = proto.Clone(listSpec).(*schedulepb.ScheduleSpec)
	}
	info := &schedulepb.ScheduleListInfo{
		Spec:              listSpec,
		Notes:             sched.GetState().GetNotes(),
		Paused:            sched.GetState().GetPaused(),
		RecentActions:     st.recentActions(scheduleListActions),
		FutureActionTimes: e.futureActionTimes(k, st, scheduleListActions),
	}
	if wt := sched.GetAction().GetStartWorkflow().GetWorkflowType(); wt != nil {
		info.WorkflowType = &commonpb.WorkflowType{Name: wt.GetName()}
	}
	return &schedulepb.ScheduleListEntry{
		ScheduleId:       k.id,
		Memo:             st.memo(),
		SearchAttributes: st.searchAttributes(),
		Info:             info,
	}
}

// CountSchedules counts the namespace's schedules the query selects.
func (e *Engine) CountSchedules(ctx context.Context, req *workflowservice.CountSchedulesRequest) (*workflowservice.CountSchedulesResponse, error) {
	var n int64
	err := e.eachMatchingSchedule(ctx, req.GetNamespace(), req.GetQuery(), "", func(string, *scheduleState) bool {
		n++
		return true
	})
	if err != nil {
		return nil, err
	}
	return &workflowservice.CountSchedulesResponse{Count: n}, nil
}
