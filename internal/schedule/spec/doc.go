// Package spec computes the action times of a schedule from its
// ScheduleSpec, as Temporal's server does.
//
// A spec is a union of intervals (every N seconds from the Unix epoch, moved
// by a phase) and calendars (sets of values for second, minute, hour, day of
// month, month, year and day of week, matched against the wall clock of the
// spec's time zone), minus the exclusion calendars, limited to
// [start_time, end_time]. Calendars arrive in three forms: structured
// calendars, legacy calendars whose fields are strings such as "*/5" or
// "MON-FRI", and cron strings; Canonical turns the last two into structured
// calendars (and "@every" cron strings into intervals) the way Temporal's
// DescribeSchedule shows them.
//
// A calendar matches the instants whose wall clock in the spec's zone has
// the listed fields. Across daylight-saving changes, then, a local time that
// a spring-forward change skips does not fire that day, and a local time that
// a fall-back change repeats fires at both of its instants, an hour apart.
// That is what Temporal's server does in zones west of Greenwich, such as
// America/New_York (its own tests pin it). In zones where Go's time.Date
// resolves a repeated local time to its later instant (Europe/London, for
// one) Temporal's search instead fires the repeated time once, at its later
// instant, and can fire the hour before the change a second time (a daily
// 00:00 schedule in London also fires at 01:00 BST on the last Sunday of
// October); zones whose change is not a whole hour (Australia/Lord_Howe) are
// off by the difference. This package keeps the wall-clock rule everywhere.
//
// Times have one-second resolution and no calendar matches after the year
// 2100.
//
// Every search is bounded: a spec that never matches (February 30th, say)
// answers "none" after a bounded amount of work, and a spec whose exclusions
// hide every candidate for too long is reported as having no next time.
//
// The package embeds Go's time zone database so zone names resolve on a
// machine without one.
package spec

import _ "time/tzdata" // zone names must resolve on machines without a zone database
