package prommetrics_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sundialdev/sundial/server"
	"github.com/sundialdev/sundial/server/internal/telemetrytest"
	"github.com/sundialdev/sundial/server/prommetrics"
)

// series is one scraped sample: its labels as written, and its value.
type series struct {
	labels string
	value  float64
}

// scrape reads a Prometheus text exposition into samples by metric name.
func scrape(t *testing.T, url string) map[string][]series {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %s: %s", url, resp.Status, body)
	}
	out := map[string][]series{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, labels := line, ""
		if i := strings.IndexAny(line, "{ "); i >= 0 {
			name = line[:i]
			if line[i] == '{' {
				j := strings.LastIndexByte(line, '}')
				labels = line[i+1 : j]
			}
		}
		fields := strings.Fields(line)
		v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
		if err != nil {
			t.Fatalf("unreadable sample %q: %v", line, err)
		}
		out[name] = append(out[name], series{labels, v})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// sum adds the samples of name whose labels contain every one of want.
func sum(samples map[string][]series, name string, want ...string) float64 {
	var total float64
	for _, s := range samples[name] {
		ok := true
		for _, w := range want {
			if !strings.Contains(s.labels, w) {
				ok = false
			}
		}
		if ok {
			total += s.value
		}
	}
	return total
}

// TestServerMetrics runs workflows on a server with a Prometheus registry,
// scrapes it, and checks what the metrics say and that the Grafana
// dashboard uses only metrics the server exports.
func TestServerMetrics(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	reg := prometheus.NewRegistry()
	srv, err := server.New(server.Options{
		ListenAddr:   "127.0.0.1:0",
		DatabasePath: ":memory:",
		Logger:       slog.New(slog.DiscardHandler),
		Metrics:      prommetrics.New(reg),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Stop(context.Background()) }()
	if err := telemetrytest.Run(ctx, srv.Addr()); err != nil {
		t.Fatal(err)
	}
	http := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer http.Close()
	samples := scrape(t, http.URL+"/metrics")

	t.Run("values", func(t *testing.T) {
		ns := `namespace="default"`
		checks := []struct {
			what string
			got  float64
			min  float64
			max  float64
		}{
			{"workflow_success", sum(samples, "workflow_success", ns), 1, 1},
			{"workflow_failed", sum(samples, "workflow_failed", ns), 1, 1},
			{"workflow_terminate", sum(samples, "workflow_terminate", ns), 1, 1},
			{"workflow_timeout", sum(samples, "workflow_timeout", ns), 0, 0},
			{"StartWorkflowExecution requests", sum(samples, "service_requests", `operation="StartWorkflowExecution"`, ns), 3, 3},
			{"StartWorkflowExecution latency count", sum(samples, "service_latency_count", `operation="StartWorkflowExecution"`, ns), 3, 3},
			{"TerminateWorkflowExecution requests", sum(samples, "service_requests", `operation="TerminateWorkflowExecution"`), 1, 1},
			{"unexpected errors", sum(samples, "service_errors"), 0, 0},
			{"NotFound answers", sum(samples, "service_error_with_type", `operation="DescribeWorkflowExecution"`, `error_type="NotFound"`), 1, 1},
			{"persistence Write", sum(samples, "persistence_requests", `operation="Write"`), 6, 1e9},
			{"persistence Write latency count", sum(samples, "persistence_latency_count", `operation="Write"`), 6, 1e9},
			{"commits", sum(samples, "sundial_commits"), 1, 1e9},
			{"committed writes >= commits", sum(samples, "sundial_committed_writes") - sum(samples, "sundial_commits"), 0, 1e9},
			{"commit latency count", sum(samples, "sundial_commit_latency_count"), 1, 1e9},
			{"activity schedule-to-start", sum(samples, "task_schedule_to_start_latency_count", `task_type="Activity"`, `taskqueue="telemetry"`), 1, 1},
			{"workflow schedule-to-start", sum(samples, "task_schedule_to_start_latency_count", `task_type="Workflow"`), 4, 1e9},
			{"timer lag observations", sum(samples, "sundial_timer_lag_count"), 1, 1e9},
			{"open runs", sum(samples, "sundial_open_runs"), 0, 0},
			{"cached runs", sum(samples, "sundial_cached_runs"), 3, 1e9},
		}
		for _, c := range checks {
			if c.got < c.min || c.got > c.max {
				t.Errorf("%s = %v, want from %v to %v", c.what, c.got, c.min, c.max)
			}
		}
		if len(samples["sundial_task_queue_backlog"]) == 0 || len(samples["sundial_long_polls_waiting"]) == 0 {
			t.Errorf("no per-queue gauges: backlog %v, polls %v", samples["sundial_task_queue_backlog"], samples["sundial_long_polls_waiting"])
		}
	})

	t.Run("dashboard", func(t *testing.T) {
		names := dashboardMetricNames(t, "../../deploy/grafana/sundial.json")
		if len(names) < 10 {
			t.Fatalf("the dashboard names only %d metrics: %v", len(names), names)
		}
		for _, name := range names {
			if len(samples[name]) == 0 {
				t.Errorf("the dashboard uses %s, which the server does not export", name)
			}
		}
	})
}

// metricName finds the metric selectors of a PromQL expression: a name
// followed by a label matcher or a range. The dashboard writes every
// selector so, which the test checks by requiring a name in each query.
var metricName = regexp.MustCompile(`([a-zA-Z_:][a-zA-Z0-9_:]*)\s*[{\[]`)

// labelValuesOf finds the metric of a label_values() template query.
var labelValuesOf = regexp.MustCompile(`label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,`)

// dashboardMetricNames reads a Grafana dashboard and returns the metric
// names its panel queries and template variables use.
func dashboardMetricNames(t *testing.T, path string) []string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
		Templating struct {
			List []struct {
				Name       string `json:"name"`
				Definition string `json:"definition"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	seen := map[string]bool{}
	var names []string
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			found := metricName.FindAllStringSubmatch(tg.Expr, -1)
			if len(found) == 0 {
				t.Errorf("panel %q: no metric selector found in %q", p.Title, tg.Expr)
			}
			for _, m := range found {
				add(m[1])
			}
		}
	}
	for _, v := range dash.Templating.List {
		for _, m := range labelValuesOf.FindAllStringSubmatch(v.Definition, -1) {
			add(m[1])
		}
	}
	return names
}
