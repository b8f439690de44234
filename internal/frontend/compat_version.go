package frontend

// TemporalCompatibleVersion is the Temporal server version GetClusterInfo
// reports. Temporal's Web UI reads the cluster's server_version to decide which
// features to offer (it compares it as a MAJOR.MINOR.PATCH number, so
// Sundial's own "sundial-x.y.z" would switch everything off): 1.19 turns on
// the list query box, 1.23 the children lookup and prefix search, 1.24 reset's
// reapply exclusions, 1.27.1 reset with pending children. Sundial implements
// each of these, and 1.27.1 is the lowest release that turns them all on;
// features the UI gates on capabilities instead (Nexus, schedules, workflow
// pause) are advertised in GetSystemInfo and DescribeNamespace once they
// exist (schedules and workflow pause do).
// GetSystemInfo still reports Sundial's own version.
const TemporalCompatibleVersion = "1.27.1"
