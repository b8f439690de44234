package compat

import (
	"time"

	"go.temporal.io/server/common/dynamicconfig"
)

// deploymentDrainageGrace is how long a worker deployment version that stops
// being current or ramping reports draining before either server counts its
// pinned runs: short, so that the tests see a version drain, and long enough
// that the request right after the change still sees it draining.
const deploymentDrainageGrace = 5 * time.Second

// temporalDynamicConfig is the dynamic config of the Temporal server
// COMPAT_TARGET=temporal starts.
func temporalDynamicConfig() dynamicconfig.StaticClient {
	return dynamicconfig.StaticClient{
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key(): []dynamicconfig.ConstrainedValue{{Value: true}},
		// Worker deployments: drainage as deploymentDrainageGrace says, a
		// draining version's pinned runs counted again every two seconds
		// (default three minutes).
		dynamicconfig.VersionDrainageStatusVisibilityGracePeriod.Key(): []dynamicconfig.ConstrainedValue{{Value: deploymentDrainageGrace}},
		dynamicconfig.VersionDrainageStatusRefreshInterval.Key():       []dynamicconfig.ConstrainedValue{{Value: 2 * time.Second}},
	}
}
