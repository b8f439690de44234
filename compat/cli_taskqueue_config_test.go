package compat

import (
	"strings"
	"testing"
	"time"
)

// cliRateLimitConfig is one rate limit of `temporal task-queue config get -o
// json` (taskqueue.v1.RateLimitConfig in JSON).
type cliRateLimitConfig struct {
	RateLimit *struct {
		RequestsPerSecond float64 `json:"requestsPerSecond"`
	} `json:"rateLimit"`
	Metadata struct {
		Reason         string    `json:"reason"`
		UpdateIdentity string    `json:"updateIdentity"`
		UpdateTime     time.Time `json:"updateTime"`
	} `json:"metadata"`
}

// cliTaskQueueConfig is the part of `temporal task-queue config get -o json`
// (taskqueue.v1.TaskQueueConfig in JSON) the test reads.
type cliTaskQueueConfig struct {
	QueueRateLimit               *cliRateLimitConfig `json:"queueRateLimit"`
	FairnessKeysRateLimitDefault *cliRateLimitConfig `json:"fairnessKeysRateLimitDefault"`
}

// TestTemporalCLITaskQueueConfig drives `temporal task-queue config set` and
// `get`: a queue without config, rate limits set with reason and identity,
// the server's refusal of a fairness key rate limit on a workflow queue, and
// a limit removed with "default".
func TestTemporalCLITaskQueueConfig(t *testing.T) {
	binary := temporalCLI(t)
	tg := startTarget(t)
	cli := newCLIRunner(t, binary, tg)
	tq := uniqueName(t, "tqcfg")
	activity := []string{"--task-queue", tq, "--task-queue-type", "activity"}
	get := append([]string{"task-queue", "config", "get"}, activity...)
	set := append([]string{"task-queue", "config", "set"}, activity...)

	res := cli.mustRun(t, get...)
	if !strings.Contains(res.stdout, "No configuration found for task queue") {
		t.Fatalf("config get on a new queue:\n%s", res)
	}

	before := time.Now().Add(-time.Minute)
	res = cli.mustRun(t, append(set, "--identity", "ops-team",
		"--queue-rps-limit", "7.5", "--queue-rps-limit-reason", "protect the database",
		"--fairness-key-rps-limit-default", "2", "--fairness-key-rps-limit-reason", "share fairly")...)
	if !strings.Contains(res.stdout, "Successfully updated task queue configuration") {
		t.Fatalf("config set:\n%s", res)
	}
	var cfg cliTaskQueueConfig
	cli.mustRunJSON(t, &cfg, get...)
	q, fk := cfg.QueueRateLimit, cfg.FairnessKeysRateLimitDefault
	if q == nil || q.RateLimit == nil || q.RateLimit.RequestsPerSecond != 7.5 ||
		q.Metadata.Reason != "protect the database" || q.Metadata.UpdateIdentity != "ops-team" {
		t.Fatalf("queue rate limit: %+v", q)
	}
	if at := q.Metadata.UpdateTime; at.Before(before) || at.After(time.Now().Add(time.Minute)) {
		t.Fatalf("queue rate limit update time %v is not about now", at)
	}
	if fk == nil || fk.RateLimit == nil || fk.RateLimit.RequestsPerSecond != 2 || fk.Metadata.Reason != "share fairly" {
		t.Fatalf("fairness key rate limit: %+v", fk)
	}
	res = cli.mustRun(t, get...)
	for _, want := range []string{"Queue Rate Limit", "7.50 rps", "protect the database", "ops-team", "Fairness Key Rate Limit Default", "2.00 rps"} {
		if !strings.Contains(res.stdout, want) {
			t.Fatalf("config get does not show %q:\n%s", want, res)
		}
	}

	res = cli.run(t, "task-queue", "config", "set", "--task-queue", tq, "--task-queue-type", "workflow",
		"--fairness-key-rps-limit-default", "1")
	if res.exitCode == 0 || !strings.Contains(res.stderr, "Setting fairness key rate limit on workflow task queues is not allowed.") {
		t.Fatalf("a fairness key rate limit on the workflow queue:\n%s", res)
	}

	cli.mustRun(t, append(set, "--identity", "ops-team", "--queue-rps-limit", "default", "--queue-rps-limit-reason", "lifted")...)
	cfg = cliTaskQueueConfig{}
	cli.mustRunJSON(t, &cfg, get...)
	if q := cfg.QueueRateLimit; q == nil || q.RateLimit != nil || q.Metadata.Reason != "lifted" {
		t.Fatalf("queue rate limit after setting default: %+v", q)
	}
	if fk := cfg.FairnessKeysRateLimitDefault; fk == nil || fk.RateLimit == nil || fk.RateLimit.RequestsPerSecond != 2 {
		t.Fatalf("the fairness key rate limit changed with the queue's: %+v", fk)
	}
	res = cli.mustRun(t, get...)
	if !strings.Contains(res.stdout, "Not Set") || !strings.Contains(res.stdout, "lifted") {
		t.Fatalf("config get after removal:\n%s", res)
	}
}
