package webui

import (
	"fmt"
	"io/fs"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/temporalio/ui-server/v2/server/api"
	"github.com/temporalio/ui-server/v2/server/config"
	"github.com/temporalio/ui-server/v2/server/csrf"
	"github.com/temporalio/ui-server/v2/server/headers"
	"github.com/temporalio/ui-server/v2/server/route"
	"github.com/temporalio/ui-server/v2/ui"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
)

// newHandler assembles ui-server's pieces (settings, the HTTP-to-gRPC API, the
// raw-history download, the embedded single-page app) on one echo router, with
// our own gRPC client so that Stop can close it. Authentication is off: the UI
// is meant for the machine it runs on, like the server's default listen address.
func newHandler(opts Options, conn *grpc.ClientConn) (http.Handler, error) {
	cfg := &config.Config{
		TemporalGRPCAddress: opts.GRPCAddr,
		EnableUI:            true,
		DefaultNamespace:    opts.DefaultNamespace,
		HideLogs:            true,
		// The UI is served over plain HTTP, so its CSRF cookie must not be
		// marked Secure or the browser would not send it back.
		CORS: config.CORS{CookieInsecure: true},
		// Buttons for what Sundial does not implement yet are hidden rather
		// than left to fail: batch operations (the list's bulk actions) and
		// the activity commands (pause, unpause, reset, update options).
		BatchActionsDisabled:     true,
		ActivityCommandsDisabled: true,
		WorkflowPauseDisabled:    true,
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("webui: configuration: %w", err)
	}
	provider, err := config.NewConfigProviderWithRefresh(cfg)
	if err != nil {
		return nil, fmt.Errorf("webui: configuration: %w", err)
	}
	assets, err := uiAssets()
	if err != nil {
		return nil, err
	}

	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.Use(middleware.Recover())
	e.Use(middleware.Gzip())
	e.Use(middleware.Secure())
	e.Use(middleware.CSRFWithConfig(middleware.CSRFConfig{
		CookiePath:     "/",
		CookieHTTPOnly: false,
		CookieSameSite: http.SameSiteStrictMode,
		CookieSecure:   false,
		Skipper:        csrf.SkipOnAuthorizationHeader,
	}))
	route.SetHealthRoute(e)

	apiMiddleware := []api.Middleware{headers.WithForwardHeaders([]string{"Caller-Type"})}
	group := e.Group("/api/v1")
	group.GET("/settings", api.GetSettings(provider))
	group.GET(api.WorkflowRawHistoryUrl, api.WorkflowRawHistoryHandler(workflowservice.NewWorkflowServiceClient(conn)))
	group.Match([]string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete},
		"/*", api.TemporalAPIHandler(provider, apiMiddleware, conn))

	if err := route.SetUIRoutes(e, "", assets); err != nil {
		return nil, fmt.Errorf("webui: UI routes: %w", err)
	}
	route.SetRenderRoute(e, "")
	return e, nil
}

// uiAssets is the built single-page app ui-server embeds (its "local" variant,
// the one Temporal's dev server serves).
func uiAssets() (fs.FS, error) {
	all, err := ui.Assets()
	if err != nil {
		return nil, fmt.Errorf("webui: embedded assets: %w", err)
	}
	local, err := fs.Sub(all, "local")
	if err != nil {
		return nil, fmt.Errorf("webui: embedded assets: %w", err)
	}
	return local, nil
}
