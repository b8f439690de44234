package main

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/sundialdev/sundial/server"
)

// dynamicConfigValue is one --dynamic-config-value KEY=JSON.
type dynamicConfigValue struct {
	key   string
	value any // decoded JSON, numbers as json.Number
}

// parseDynamicConfigValues reads KEY=JSON values as the temporal CLI does: the
// key is a dotted identifier, the value one JSON value and nothing after it
// (strings need their quotes).
func parseDynamicConfigValues(values []string) ([]dynamicConfigValue, error) {
	parsed := make([]dynamicConfigValue, 0, len(values))
	for _, item := range values {
		key, raw, ok := strings.Cut(item, "=")
		if !ok {
			return nil, fmt.Errorf("--dynamic-config-value %q: missing '=' (the form is KEY=JSON_VALUE)", item)
		}
		if !isDynamicConfigKey(key) {
			return nil, fmt.Errorf("--dynamic-config-value %q: %q is not a key (letters, digits, '.', '_' and '-')", item, key)
		}
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("--dynamic-config-value %q: the value is not JSON (string values need quotes): %w", item, err)
		}
		if strings.TrimSpace(raw[dec.InputOffset():]) != "" {
			return nil, fmt.Errorf("--dynamic-config-value %q: unexpected text after the JSON value", item)
		}
		parsed = append(parsed, dynamicConfigValue{key: key, value: v})
	}
	return parsed, nil
}

func isDynamicConfigKey(key string) bool {
	if key == "" {
		return false
	}
	for _, r := range key {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
		default:
			return false
		}
	}
	return true
}

// dynamicConfigLimits are the dynamic config keys Sundial applies: each sets
// one server option, a positive integer.
var dynamicConfigLimits = map[string]func(*server.Options, int){
	"limit.blobSize.error":                    func(o *server.Options, n int) { o.MaxPayloadBytes = n },
	"limit.historyCount.suggestContinueAsNew": func(o *server.Options, n int) { o.HistoryCountSuggestContinueAsNew = int64(n) },
	"limit.historySize.suggestContinueAsNew":  func(o *server.Options, n int) { o.HistorySizeSuggestContinueAsNew = int64(n) },
	"limit.historyCount.warn":                 func(o *server.Options, n int) { o.HistoryCountLimitWarn = int64(n) },
	"limit.historySize.warn":                  func(o *server.Options, n int) { o.HistorySizeLimitWarn = int64(n) },
	"limit.historyCount.error":                func(o *server.Options, n int) { o.HistoryCountLimitError = int64(n) },
	"limit.historySize.error":                 func(o *server.Options, n int) { o.HistorySizeLimitError = int64(n) },
	"limit.numPendingActivities.error":        func(o *server.Options, n int) { o.MaxPendingActivities = n },
	"limit.numPendingChildExecutions.error":   func(o *server.Options, n int) { o.MaxPendingChildWorkflows = n },
	"limit.numPendingSignals.error":           func(o *server.Options, n int) { o.MaxPendingSignals = n },
	"limit.numPendingCancelRequests.error":    func(o *server.Options, n int) { o.MaxPendingCancelRequests = n },
	"history.maxInFlightUpdates":              func(o *server.Options, n int) { o.MaxInFlightUpdates = n },
	"history.maxTotalUpdates":                 func(o *server.Options, n int) { o.MaxTotalUpdates = n },
}

// dynamicConfigBuiltIn are switches whose setting Sundial always has: the
// value given here is the only one it can honour.
var dynamicConfigBuiltIn = map[string]bool{
	// Sundial never refuses a client for its SDK version.
	"frontend.enableServerVersionCheck": false,
	// Workflow update, and its async-accepted wait stage, are always on.
	"frontend.enableUpdateWorkflowExecution":              true,
	"frontend.enableUpdateWorkflowExecutionAsyncAccepted": true,
	// Search attributes are visible as soon as they are added.
	"system.forceSearchAttributesCacheRefreshOnRead": true,
}

// dynamicConfigOutcome says what became of one value.
type dynamicConfigOutcome struct {
	key     string
	value   any
	applied bool   // it set a server option
	builtIn bool   // it asks for what Sundial always does
	note    string // why it has no effect, when neither
}

// applyDynamicConfig sets the options the values map onto and reports what
// became of each. A value of the wrong type for a key Sundial applies is an
// error; keys Sundial has no use for are reported, not refused, since the
// temporal CLI takes any key too.
func applyDynamicConfig(values []dynamicConfigValue, opts *server.Options) ([]dynamicConfigOutcome, error) {
	outcomes := make([]dynamicConfigOutcome, 0, len(values))
	for _, v := range values {
		out := dynamicConfigOutcome{key: v.key, value: v.value}
		if set, ok := dynamicConfigLimits[v.key]; ok {
			n, err := positiveInt(v.value)
			if err != nil {
				return nil, fmt.Errorf("--dynamic-config-value %s: %w", v.key, err)
			}
			set(opts, n)
			out.applied = true
		} else if want, ok := dynamicConfigBuiltIn[v.key]; ok {
			if got, isBool := v.value.(bool); isBool && got == want {
				out.builtIn = true
			} else {
				out.note = fmt.Sprintf("Sundial always runs with %s=%v", v.key, want)
			}
		} else {
			out.note = "Sundial does not use this key"
		}
		outcomes = append(outcomes, out)
	}
	return outcomes, nil
}

// positiveInt reads a JSON number that is a positive integer an int holds.
func positiveInt(v any) (int, error) {
	num, ok := v.(json.Number)
	if !ok {
		return 0, fmt.Errorf("must be a positive integer, got %v", v)
	}
	n, err := num.Int64()
	if err != nil || n <= 0 || n > math.MaxInt32 {
		return 0, fmt.Errorf("must be a positive integer up to %d, got %s", math.MaxInt32, num)
	}
	return int(n), nil
}
