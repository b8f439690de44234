package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/sundialdev/sundial/server"
	"github.com/sundialdev/sundial/server/auth"
)

// configFile is the YAML file --config names: everything the server's flags
// set, and what only the file can (per-namespace rate limits). Keys are
// camelCase; an unknown key is an error naming it. Flags given on the command
// line override the file.
type configFile struct {
	GRPC            listenerSection  `yaml:"grpc"`
	UI              listenerSection  `yaml:"ui"`
	Metrics         listenerSection  `yaml:"metrics"`
	Pprof           listenerSection  `yaml:"pprof"`
	Log             logSection       `yaml:"log"`
	ShutdownTimeout time.Duration    `yaml:"shutdownTimeout"`
	TLS             tlsSection       `yaml:"tls"`
	Insecure        bool             `yaml:"insecure"`
	Store           storeSection     `yaml:"store"`
	Limits          limitsSection    `yaml:"limits"`
	RateLimits      rateLimitSection `yaml:"rateLimits"`
	Failover        failoverSection  `yaml:"failover"`
	// Auth turns on authentication (see package server/auth); --auth-*
	// flags replace it as a whole.
	Auth *auth.Config `yaml:"auth"`
}

// failoverSection is how nodes sharing a PostgreSQL database find the
// active one and how long its lease lasts (--advertise-address,
// --lease-ttl, --lease-renew-interval).
type failoverSection struct {
	AdvertiseAddress   string        `yaml:"advertiseAddress"`
	LeaseTTL           time.Duration `yaml:"leaseTTL"`
	LeaseRenewInterval time.Duration `yaml:"leaseRenewInterval"`
}

type listenerSection struct {
	Listen string `yaml:"listen"`
}

type logSection struct {
	Level string `yaml:"level"`
}

type tlsSection struct {
	CertFile       string        `yaml:"certFile"`
	KeyFile        string        `yaml:"keyFile"`
	ClientCAFile   string        `yaml:"clientCAFile"`
	ReloadInterval time.Duration `yaml:"reloadInterval"`
}

type storeSection struct {
	DB          string `yaml:"db"`
	Synchronous string `yaml:"synchronous"`
}

type limitsSection struct {
	MaxPayloadBytes int           `yaml:"maxPayloadBytes"`
	PriorityLevels  int           `yaml:"priorityLevels"`
	TaskQueueWindow int           `yaml:"taskQueueWindow"`
	MinRetention    time.Duration `yaml:"minRetention"`
	RetentionHold   time.Duration `yaml:"retentionHold"`
	History         struct {
		CountSuggestContinueAsNew int64 `yaml:"countSuggestContinueAsNew"`
		SizeSuggestContinueAsNew  int64 `yaml:"sizeSuggestContinueAsNew"`
		CountLimitWarn            int64 `yaml:"countLimitWarn"`
		SizeLimitWarn             int64 `yaml:"sizeLimitWarn"`
		CountLimitError           int64 `yaml:"countLimitError"`
		SizeLimitError            int64 `yaml:"sizeLimitError"`
	} `yaml:"history"`
	Pending struct {
		Activities     int `yaml:"activities"`
		ChildWorkflows int `yaml:"childWorkflows"`
		Signals        int `yaml:"signals"`
		CancelRequests int `yaml:"cancelRequests"`
	} `yaml:"pending"`
	Updates struct {
		MaxInFlight int `yaml:"maxInFlight"`
		MaxTotal    int `yaml:"maxTotal"`
	} `yaml:"updates"`
}

type rateLimitSection struct {
	NamespaceRPS   float64                    `yaml:"namespaceRPS"`
	NamespaceBurst int                        `yaml:"namespaceBurst"`
	Namespaces     map[string]namespaceLimits `yaml:"namespaces"`
}

type namespaceLimits struct {
	RPS   float64 `yaml:"rps"`
	Burst int     `yaml:"burst"`
}

// maxConfigFileBytes bounds what --config reads.
const maxConfigFileBytes = 1 << 20

// loadConfigFile reads and strictly decodes the YAML file at path.
func loadConfigFile(path string) (*configFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading the config file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the config file %s: %w", path, err)
	}
	if len(data) > maxConfigFileBytes {
		return nil, fmt.Errorf("the config file %s is larger than %d bytes", path, maxConfigFileBytes)
	}
	file, err := decodeConfig(data)
	if err != nil {
		return nil, fmt.Errorf("the config file %s: %w", path, err)
	}
	return file, nil
}

// decodeConfig decodes one YAML document, refusing unknown keys. An empty
// document is an empty configuration.
func decodeConfig(data []byte) (*configFile, error) {
	var file configFile
	decoder := yaml.NewDecoder(bytes.NewReader(data))
	decoder.KnownFields(true)
	if err := decoder.Decode(&file); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return &file, nil
}

// applyTo sets cfg from the file: every value the file gives (non-empty,
// non-zero) replaces cfg's. Limits whose zero means "the server's default"
// are copied as they are.
func (f *configFile) applyTo(cfg *serverConfig) error {
	if f.UI.Listen != "" {
		return errors.New("ui.listen: this build of sundial serves no web UI")
	}
	if f.Metrics.Listen != "" {
		return errors.New("metrics.listen: this build of sundial serves no metrics")
	}
	if f.Auth != nil {
		cfg.fileAuth = f.Auth
	}
	setString(&cfg.listenAddr, f.GRPC.Listen)
	setString(&cfg.pprofAddr, f.Pprof.Listen)
	setString(&cfg.logLevelName, f.Log.Level)
	setString(&cfg.databasePath, f.Store.DB)
	setString(&cfg.synchronous, f.Store.Synchronous)
	if f.ShutdownTimeout != 0 {
		cfg.shutdownTimeout = f.ShutdownTimeout
	}
	o := &cfg.options
	setString(&o.TLS.CertFile, f.TLS.CertFile)
	setString(&o.TLS.KeyFile, f.TLS.KeyFile)
	setString(&o.TLS.ClientCAFile, f.TLS.ClientCAFile)
	o.TLS.ReloadInterval = f.TLS.ReloadInterval
	o.Insecure = f.Insecure
	setString(&o.AdvertiseAddress, f.Failover.AdvertiseAddress)
	if f.Failover.LeaseTTL != 0 {
		o.Failover.LeaseTTL = f.Failover.LeaseTTL
	}
	if f.Failover.LeaseRenewInterval != 0 {
		o.Failover.RenewInterval = f.Failover.LeaseRenewInterval
	}

	l := f.Limits
	o.MaxPayloadBytes, o.PriorityLevels, o.TaskQueueWindow = l.MaxPayloadBytes, l.PriorityLevels, l.TaskQueueWindow
	o.MinRetention, o.RetentionHold = l.MinRetention, l.RetentionHold
	o.HistoryCountSuggestContinueAsNew, o.HistorySizeSuggestContinueAsNew = l.History.CountSuggestContinueAsNew, l.History.SizeSuggestContinueAsNew
	o.HistoryCountLimitWarn, o.HistorySizeLimitWarn = l.History.CountLimitWarn, l.History.SizeLimitWarn
	o.HistoryCountLimitError, o.HistorySizeLimitError = l.History.CountLimitError, l.History.SizeLimitError
	o.MaxPendingActivities, o.MaxPendingChildWorkflows = l.Pending.Activities, l.Pending.ChildWorkflows
	o.MaxPendingSignals, o.MaxPendingCancelRequests = l.Pending.Signals, l.Pending.CancelRequests
	o.MaxInFlightUpdates, o.MaxTotalUpdates = l.Updates.MaxInFlight, l.Updates.MaxTotal

	o.NamespaceRateLimit = server.RateLimit{RPS: f.RateLimits.NamespaceRPS, Burst: f.RateLimits.NamespaceBurst}
	if len(f.RateLimits.Namespaces) > 0 {
		o.NamespaceRateLimits = make(map[string]server.RateLimit, len(f.RateLimits.Namespaces))
		for name, limit := range f.RateLimits.Namespaces {
			o.NamespaceRateLimits[name] = server.RateLimit{RPS: limit.RPS, Burst: limit.Burst}
		}
	}
	return nil
}

func setString(dst *string, value string) {
	if value != "" {
		*dst = value
	}
}

// addProductionFlags registers the flags for TLS, exposure, the store's
// durability, limits and rate limits, bound to cfg.
func addProductionFlags(flags *flag.FlagSet, cfg *serverConfig) {
	o := &cfg.options
	flags.StringVar(&cfg.configPath, "config", "", "YAML config `FILE` (see the README's \"Running in production\"); flags given too override it")
	flags.StringVar(&o.TLS.CertFile, "tls-cert", "", "serve TLS with this certificate chain (PEM `FILE`); reloaded when it changes")
	flags.StringVar(&o.TLS.KeyFile, "tls-key", "", "private key (PEM `FILE`) of --tls-cert")
	flags.StringVar(&o.TLS.ClientCAFile, "tls-client-ca", "", "require client certificates signed by these CAs (PEM `FILE`): mutual TLS")
	flags.BoolVar(&o.Insecure, "insecure", false, "allow listening on a non-loopback address without TLS or authentication (logs a warning)")
	flags.StringVar(&cfg.synchronous, "synchronous", "full", "`MODE` full (every acknowledged change is on disk) or normal (faster; a power loss may lose the last commits)")

	flags.IntVar(&o.MaxPayloadBytes, "max-payload-bytes", 0, "largest payload or blob in a request, in `BYTES` (0: 2 MiB)")
	flags.IntVar(&o.PriorityLevels, "priority-levels", 0, "number of task priority keys, 1 to 100 (0: 5)")
	flags.IntVar(&o.TaskQueueWindow, "task-queue-window", 0, "tasks each task queue keeps in memory (0: 4096)")
	flags.DurationVar(&o.MinRetention, "min-retention", 0, "shortest namespace retention accepted (0: 24h)")
	flags.DurationVar(&o.RetentionHold, "retention-hold", 0, "how long retention deletes nothing after a clock step (0: 10m)")
	flags.Int64Var(&o.HistoryCountSuggestContinueAsNew, "history-count-suggest-continue-as-new", 0, "history events past which continue-as-new is suggested (0: 4096)")
	flags.Int64Var(&o.HistorySizeSuggestContinueAsNew, "history-size-suggest-continue-as-new", 0, "history bytes past which continue-as-new is suggested (0: 4 MiB)")
	flags.Int64Var(&o.HistoryCountLimitWarn, "history-count-limit-warn", 0, "history events past which a warning is logged (0: 10240)")
	flags.Int64Var(&o.HistorySizeLimitWarn, "history-size-limit-warn", 0, "history bytes past which a warning is logged (0: 10 MiB)")
	flags.Int64Var(&o.HistoryCountLimitError, "history-count-limit-error", 0, "history events past which the run is terminated (0: 51200)")
	flags.Int64Var(&o.HistorySizeLimitError, "history-size-limit-error", 0, "history bytes past which the run is terminated (0: 50 MiB)")
	flags.IntVar(&o.MaxPendingActivities, "max-pending-activities", 0, "pending activities per run (0: 2000, negative: no limit)")
	flags.IntVar(&o.MaxPendingChildWorkflows, "max-pending-child-workflows", 0, "pending child workflows per run (0: 2000, negative: no limit)")
	flags.IntVar(&o.MaxPendingSignals, "max-pending-signals", 0, "pending outgoing signals per run (0: 2000, negative: no limit)")
	flags.IntVar(&o.MaxPendingCancelRequests, "max-pending-cancel-requests", 0, "pending cancel requests per run (0: 2000, negative: no limit)")
	flags.IntVar(&o.MaxInFlightUpdates, "max-in-flight-updates", 0, "admitted, uncompleted updates per run (0: 10, negative: no limit)")
	flags.IntVar(&o.MaxTotalUpdates, "max-total-updates", 0, "updates one run may receive in all (0: 2000, negative: no limit)")
	flags.Float64Var(&o.NamespaceRateLimit.RPS, "namespace-rps", 0, "requests per second each namespace may make, past which it gets ResourceExhausted (0: no limit)")
	flags.IntVar(&o.NamespaceRateLimit.Burst, "namespace-burst", 0, "requests a namespace may make at once (0: --namespace-rps rounded up)")
}

// overlayConfigFile, when --config was given, rebuilds cfg from the flag
// defaults, then the file, then the flags set on the command line (so that
// they win), re-parsing their values into a fresh flag set bound to the result.
func overlayConfigFile(cfg *serverConfig, given *flag.FlagSet, newFlags func(*serverConfig) *flag.FlagSet) error {
	if cfg.configPath == "" {
		return nil
	}
	file, err := loadConfigFile(cfg.configPath)
	if err != nil {
		return err
	}
	var merged serverConfig
	fresh := newFlags(&merged)
	if err := fresh.Parse(nil); err != nil {
		return err
	}
	if err := file.applyTo(&merged); err != nil {
		return fmt.Errorf("the config file %s: %w", cfg.configPath, err)
	}
	var setErr error
	given.Visit(func(f *flag.Flag) {
		if err := fresh.Set(f.Name, f.Value.String()); err != nil && setErr == nil {
			setErr = fmt.Errorf("--%s: %w", f.Name, err)
		}
	})
	if setErr != nil {
		return setErr
	}
	*cfg = merged
	return nil
}

// parseSynchronous reads the store's synchronous mode.
func parseSynchronous(mode string) (normal bool, err error) {
	switch strings.ToLower(mode) {
	case "full":
		return false, nil
	case "normal":
		return true, nil
	default:
		return false, fmt.Errorf("--synchronous (store.synchronous) must be full or normal, got %q", mode)
	}
}
