package compat

import (
	"time"

	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/temporal"
	"go.temporal.io/server/temporaltest"
)

// deploymentDrainageGrace is how long a worker deployment version that stops
// being current or ramping reports draining before either server counts its
// pinned runs: short, so that the tests see a version drain, and long enough
// that the request right after the change still sees it draining.
const deploymentDrainageGrace = 5 * time.Second

// temporalServerOptions configures the Temporal server COMPAT_TARGET=temporal
// starts. temporaltest's own dynamic config is replaced, so its one value is
// repeated here.
func temporalServerOptions() []temporaltest.TestServerOption {
	dc := dynamicconfig.StaticClient{
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key(): []dynamicconfig.ConstrainedValue{{Value: true}},
		// Worker deployments: drainage as deploymentDrainageGrace says, a
		// draining version's pinned runs counted again every two seconds
		// (default three minutes).
		dynamicconfig.VersionDrainageStatusVisibilityGracePeriod.Key(): []dynamicconfig.ConstrainedValue{{Value: deploymentDrainageGrace}},
		dynamicconfig.VersionDrainageStatusRefreshInterval.Key():       []dynamicconfig.ConstrainedValue{{Value: 2 * time.Second}},
	}
	return []temporaltest.TestServerOption{temporaltest.WithBaseServerOptions(temporal.WithDynamicConfigClient(dc))}
}
