package main

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// dashboard is the part of a Grafana dashboard the test reads.
type dashboard struct {
	Title         string  `json:"title"`
	UID           string  `json:"uid"`
	SchemaVersion int     `json:"schemaVersion"`
	Panels        []panel `json:"panels"`
	Templating    struct {
		List []struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			Query any    `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

type panel struct {
	Type       string          `json:"type"`
	Title      string          `json:"title"`
	Datasource json.RawMessage `json:"datasource"`
	GridPos    *struct{ H, W int }
	Targets    []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
	Panels []panel `json:"panels"` // a collapsed row's
}

// dashboardExprs parses the dashboard, checks what Grafana needs to import
// it, and returns every PromQL expression in it.
func dashboardExprs(t *testing.T, path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if d.Title == "" || d.UID == "" || d.SchemaVersion == 0 || len(d.Panels) == 0 {
		t.Errorf("%s: title %q, uid %q, schemaVersion %d, %d panels", path, d.Title, d.UID, d.SchemaVersion, len(d.Panels))
	}
	var exprs []string
	for _, v := range d.Templating.List {
		if q, ok := v.Query.(map[string]any); ok && v.Type == "query" {
			exprs = append(exprs, labelValuesMetric(t, fmt.Sprint(q["query"])))
		}
	}
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			walk(p.Panels)
			if p.Type == "row" {
				continue
			}
			if p.Title == "" || p.GridPos == nil || !strings.Contains(string(p.Datasource), "${datasource}") || len(p.Targets) == 0 {
				t.Errorf("panel %q: needs a title, a gridPos, the ${datasource} variable and a query", p.Title)
			}
			for _, tg := range p.Targets {
				exprs = append(exprs, tg.Expr)
			}
		}
	}
	walk(d.Panels)
	return exprs
}

// labelValuesMetric returns the selector of a label_values(selector, label)
// variable query.
func labelValuesMetric(t *testing.T, q string) string {
	sel, ok := strings.CutPrefix(q, "label_values(")
	i := strings.LastIndex(sel, ",")
	if !ok || i < 0 {
		t.Errorf("variable query %q: want label_values(metric, label)", q)
		return q
	}
	return sel[:i]
}

// rules is an alerting rules file.
type rules struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

// ruleExprs parses the rules file strictly, checks that every rule has
// what an on-call engineer needs, and returns every expression.
func ruleExprs(t *testing.T, path string) []string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	var r rules
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var exprs, names []string
	for _, g := range r.Groups {
		for _, rule := range g.Rules {
			_, durErr := model.ParseDuration(rule.For)
			if rule.Alert == "" || rule.Expr == "" || durErr != nil || rule.Annotations["summary"] == "" ||
				!slices.Contains([]string{"critical", "warning", "info"}, rule.Labels["severity"]) {
				t.Errorf("%s: rule %q needs alert, expr, for (%v), labels.severity and annotations.summary", path, rule.Alert, durErr)
			}
			exprs, names = append(exprs, rule.Expr), append(names, rule.Alert)
		}
	}
	for _, want := range []string{"AuthmonDown", "AuthmonNotScraped", "AuthmonCheckFailingSecurity", "AuthmonAlertDeliveriesFailing",
		"AuthmonAlertQueueGrowing", "AuthmonSkippedRuns", "AuthmonSchedulerLate", "AuthmonCertExpiringSoon", "AuthmonConfigReloadFailed"} {
		if !slices.Contains(names, want) {
			t.Errorf("%s: no %s alert", path, want)
		}
	}
	return exprs
}
