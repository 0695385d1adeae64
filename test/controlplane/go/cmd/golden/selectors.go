// Label and field selectors as k8s.io/apimachinery parses, prints and matches them
// (pkg/labels/selector.go, pkg/fields/selector.go, pkg/apis/meta/v1/helpers.go FormatLabelSelector).
package main

import (
	"encoding/json"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
)

type Requirement struct {
	Key      string   `json:"key"`
	Operator string   `json:"operator"`
	Values   []string `json:"values"`
}

// SelectorResult: the parse error (requirements and matches null), or the selector's requirements (in kube's
// order), String() and one match result per label (or field) set of the case.
type SelectorResult struct {
	Selector     string        `json:"selector"`
	Error        string        `json:"error,omitempty"`
	String       *string       `json:"string,omitempty"`
	Requirements []Requirement `json:"requirements"`
	Matches      []bool        `json:"matches"`
}

func labelCase(c LabelCase) any {
	r := SelectorResult{Selector: c.Selector}
	sel, err := labels.Parse(c.Selector)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	s := sel.String()
	r.String = &s
	reqs, _ := sel.Requirements()
	r.Requirements = []Requirement{}
	for _, q := range reqs {
		r.Requirements = append(r.Requirements, Requirement{Key: q.Key(), Operator: string(q.Operator()), Values: q.Values().List()})
	}
	for _, set := range c.Labels {
		r.Matches = append(r.Matches, sel.Matches(labels.Set(set)))
	}
	return r
}

type LabelObjectResult struct {
	Name   string `json:"name"`
	String string `json:"string,omitempty"`
	Error  string `json:"error,omitempty"`
}

func labelObjectCase(c LabelObjectCase) any {
	r := LabelObjectResult{Name: c.Name}
	var ls *metav1.LabelSelector
	if err := json.Unmarshal(c.Selector, &ls); err != nil {
		r.Error = "the corpus selector does not decode as a metav1.LabelSelector: " + err.Error()
		return r
	}
	r.String = metav1.FormatLabelSelector(ls)
	return r
}

func fieldCase(c FieldCase) any {
	r := SelectorResult{Selector: c.Selector}
	sel, err := fields.ParseSelector(c.Selector)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	s := sel.String()
	r.String = &s
	r.Requirements = []Requirement{}
	for _, q := range sel.Requirements() {
		r.Requirements = append(r.Requirements, Requirement{Key: q.Field, Operator: string(q.Operator), Values: []string{q.Value}})
	}
	for _, set := range c.Fields {
		r.Matches = append(r.Matches, sel.Matches(fields.Set(set)))
	}
	return r
}
