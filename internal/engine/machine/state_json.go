package machine

import (
	"encoding/json"
	"slices"
)

// appendStateJSON appends s, with its buffered events already encoded, as
// the JSON object Encode stores. It writes what encoding/json would write for
// persistedState, field by field in declaration order, without reflection
// (the state is encoded at every transition; see appendActivitiesJSON). The
// maps only some runs have (children, external requests, parent, updates)
// are still encoded by encoding/json. TestStateJSONMatchesReflection holds
// the two encodings equal.
func appendStateJSON(b []byte, s *State, buffered [][]byte) ([]byte, error) {
	w := jsonObject{buf: b}
	w.string("NamespaceID", s.NamespaceID)
	w.string("Namespace", s.Namespace)
	w.string("WorkflowID", s.WorkflowID)
	w.string("RunID", s.RunID)
	w.string("FirstRunID", s.FirstRunID)
	w.string("WorkflowType", s.WorkflowType)
	w.string("TaskQueue", s.TaskQueue)
	w.int("Status", int64(s.Status))
	w.string("StartRequest", s.StartRequest)
	w.string("Identity", s.Identity)
	w.int("Attempt", int64(s.Attempt))
	w.time("StartTime", s.StartTime)
	w.time("ExecutionTime", s.ExecutionTime)
	w.time("CloseTime", s.CloseTime)
	w.int("RunTimeout", int64(s.RunTimeout))
	w.int("ExecutionTimeout", int64(s.ExecutionTimeout))
	w.int("WorkflowTaskTimeout", int64(s.WorkflowTaskTimeout))
	w.time("RunDeadline", s.RunDeadline)
	w.bool("DelayedStart", s.DelayedStart)
	w.time("ExecutionDeadline", s.ExecutionDeadline)
	w.int("NextEventID", s.NextEventID)
	w.int("LastCompletedStartedID", s.LastCompletedStartedID)
	w.int("CloseEventID", s.CloseEventID)
	w.int("HistorySize", s.HistorySize)
	if wt := s.WorkflowTask; wt != nil {
		w.key("WorkflowTask")
		w.workflowTask(wt)
	}
	w.bool("WorkflowTaskNeeded", s.WorkflowTaskNeeded)
	w.string("StickyQueue", s.StickyQueue)
	w.int("StickyTimeout", int64(s.StickyTimeout))
	if s.Timers != nil {
		w.key("Timers")
		w.timers(s.Timers)
	}
	if s.Children != nil {
		w.reflected("Children", s.Children)
	}
	if s.ExternalSignals != nil {
		w.reflected("ExternalSignals", s.ExternalSignals)
	}
	if s.ExternalCancels != nil {
		w.reflected("ExternalCancels", s.ExternalCancels)
	}
	if s.Parent != nil {
		w.reflected("Parent", s.Parent)
	}
	if s.NexusOperations != nil {
		w.reflected("NexusOperations", s.NexusOperations)
	}
	if s.Callbacks != nil {
		w.reflected("Callbacks", s.Callbacks)
	}
	if s.Updates != nil {
		w.reflected("Updates", s.Updates)
	}
	w.strings("SignalRequestIDs", s.SignalRequestIDs)
	w.bool("CancelRequested", s.CancelRequested)
	if s.Pause != nil {
		w.reflected("Pause", s.Pause)
	}
	w.bytes("Memo", s.Memo)
	w.bytes("SearchAttributes", s.SearchAttributes)
	w.bytes("RetryPolicy", s.RetryPolicy)
	w.string("CronSchedule", s.CronSchedule)
	if s.ResetPoints != nil {
		w.key("ResetPoints")
		w.resetPoints(s.ResetPoints)
	}
	w.bytes("Priority", s.Priority)
	w.bytes("Input", s.Input)
	w.bytes("Header", s.Header)
	if s.Standalone != nil {
		w.reflected("Standalone", s.Standalone)
	}
	if s.StandaloneNexus != nil {
		w.reflected("StandaloneNexus", s.StandaloneNexus)
	}
	if s.Versioning != nil {
		w.reflected("Versioning", s.Versioning)
	}
	if len(buffered) > 0 {
		w.key("BufferedEvents")
		w.buf = append(w.buf, '[')
		for i, ev := range buffered {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			w.buf = appendBase64(w.buf, ev)
		}
		w.buf = append(w.buf, ']')
	}
	if len(s.Activities) > 0 {
		w.key("Activities")
		var err error
		if w.buf, err = appendActivitiesJSON(w.buf, s.Activities); err != nil {
			return w.buf, err
		}
	}
	return w.close()
}

func (w *jsonObject) workflowTask(wt *WorkflowTask) {
	inner := jsonObject{buf: w.buf}
	inner.int("ScheduledEventID", wt.ScheduledEventID)
	inner.int("StartedEventID", wt.StartedEventID)
	inner.int("Attempt", int64(wt.Attempt))
	inner.string("TaskQueue", wt.TaskQueue)
	inner.bool("Sticky", wt.Sticky)
	inner.time("ScheduledTime", wt.ScheduledTime)
	inner.time("StartedTime", wt.StartedTime)
	inner.int("Timeout", int64(wt.Timeout))
	inner.time("ScheduleToStartDeadline", wt.ScheduleToStartDeadline)
	inner.string("RequestID", wt.RequestID)
	inner.string("Identity", wt.Identity)
	w.adopt(&inner)
}

// timers writes the map with its keys in order, as encoding/json does.
func (w *jsonObject) timers(timers map[string]*Timer) {
	ids := make([]string, 0, len(timers))
	for id := range timers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	w.buf = append(w.buf, '{')
	for i, id := range ids {
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		w.buf = appendJSONString(w.buf, id)
		w.buf = append(w.buf, ':')
		t := timers[id]
		if t == nil {
			w.buf = append(w.buf, "null"...)
			continue
		}
		inner := jsonObject{buf: w.buf}
		inner.string("TimerID", t.TimerID)
		inner.int("StartedEventID", t.StartedEventID)
		inner.time("FireTime", t.FireTime)
		w.adopt(&inner)
	}
	w.buf = append(w.buf, '}')
}

func (w *jsonObject) resetPoints(points []ResetPoint) {
	w.buf = append(w.buf, '[')
	for i, p := range points {
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		inner := jsonObject{buf: w.buf}
		inner.string("BinaryChecksum", p.BinaryChecksum)
		inner.int("CompletedEventID", p.CompletedEventID)
		inner.time("CreateTime", p.CreateTime)
		w.adopt(&inner)
	}
	w.buf = append(w.buf, ']')
}

// adopt closes inner, which was writing at the end of w's buffer, and takes
// its output and first error.
func (w *jsonObject) adopt(inner *jsonObject) {
	var err error
	w.buf, err = inner.close()
	if err != nil && w.err == nil {
		w.err = err
	}
}

// reflected writes a member encoded by encoding/json.
func (w *jsonObject) reflected(name string, v any) {
	text, err := json.Marshal(v)
	if err != nil {
		if w.err == nil {
			w.err = err
		}
		return
	}
	w.key(name)
	w.buf = append(w.buf, text...)
}
