// golden: runs the Go libraries kube-apiserver itself uses over the sandbox's golden corpus
// (test/sandbox/golden/corpus.json) and writes what they answer to test/sandbox/golden/<table>.json.
// The TypeScript tests (test/sandbox/golden.test.ts) compare the sandbox's hand-written JSON Patch, merge patch,
// label and field selectors, JSONPath printer columns and CRD schema handling with these tables.
// Run it through `node scripts/golden.mjs` (it is not part of npm test; the JSON it writes is committed).
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
)

// Corpus is test/sandbox/golden/corpus.json. Inputs stay raw JSON, so the libraries see the bytes we wrote.
type Corpus struct {
	JSONPatch            []PatchCase          `json:"jsonPatch"`
	MergePatch           []PatchCase          `json:"mergePatch"`
	LabelSelectors       []LabelCase          `json:"labelSelectors"`
	LabelSelectorObjects []LabelObjectCase    `json:"labelSelectorObjects"`
	FieldSelectors       []FieldCase          `json:"fieldSelectors"`
	PrinterColumns       []ColumnCase         `json:"printerColumns"`
	Schemas              map[string]SchemaRef `json:"schemas"`
	SchemaObjects        []SchemaCase         `json:"schemaObjects"`
}

type PatchCase struct {
	Name  string          `json:"name"`
	Doc   json.RawMessage `json:"doc"`
	Patch json.RawMessage `json:"patch"`
}

type LabelCase struct {
	Selector string              `json:"selector"`
	Labels   []map[string]string `json:"labels"`
}

type LabelObjectCase struct {
	Name     string          `json:"name"`
	Selector json.RawMessage `json:"selector"`
}

type FieldCase struct {
	Selector string              `json:"selector"`
	Fields   []map[string]string `json:"fields"`
}

type ColumnCase struct {
	Name     string          `json:"name"`
	JSONPath string          `json:"jsonPath"`
	Type     string          `json:"type"`
	Object   json.RawMessage `json:"object"`
}

// SchemaRef is an inline openAPIV3Schema or a CRD file of data/crds/ (its first version's schema).
type SchemaRef struct {
	CRD    string          `json:"crd,omitempty"`
	Schema json.RawMessage `json:"schema,omitempty"`
}

type SchemaCase struct {
	Name   string          `json:"name"`
	Schema string          `json:"schema"`
	Object json.RawMessage `json:"object"`
}

// Table is one output file: the library versions that produced it, then one entry per case, by name.
type Table struct {
	Generator string            `json:"generator"`
	Versions  map[string]string `json:"versions"`
	Cases     []any             `json:"cases"`
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: golden <repo root> <output folder>")
		os.Exit(2)
	}
	root, out := os.Args[1], os.Args[2]
	corpusPath := filepath.Join(root, "test", "sandbox", "golden", "corpus.json")
	raw, err := os.ReadFile(corpusPath)
	if err != nil {
		fail("reading the corpus: %v", err)
	}
	var c Corpus
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		fail("%s is not a valid corpus: %v", corpusPath, err)
	}
	checkUnique(c)
	versions := moduleVersions()
	schemas, err := loadSchemas(root, c.Schemas)
	if err != nil {
		fail("%v", err)
	}
	tables := map[string][]any{
		"jsonpatch":      each(c.JSONPatch, jsonPatchCase),
		"mergepatch":     each(c.MergePatch, mergePatchCase),
		"labels":         each(c.LabelSelectors, labelCase),
		"labelobjects":   each(c.LabelSelectorObjects, labelObjectCase),
		"fields":         each(c.FieldSelectors, fieldCase),
		"printercolumns": each(c.PrinterColumns, columnCase),
		"schema":         each(c.SchemaObjects, func(sc SchemaCase) any { return schemaCase(sc, schemas) }),
	}
	for name, cases := range tables {
		t := Table{Generator: "test/controlplane/go/cmd/golden (node scripts/golden.mjs)", Versions: versions, Cases: cases}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(t); err != nil {
			fail("encoding %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(out, name+".json"), buf.Bytes(), 0o644); err != nil {
			fail("writing %s: %v", name, err)
		}
	}
}

func each[T any](cases []T, fn func(T) any) []any {
	out := make([]any, 0, len(cases))
	for _, c := range cases {
		out = append(out, fn(c))
	}
	return out
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "golden: "+format+"\n", args...)
	os.Exit(1)
}

// checkUnique refuses a corpus with two cases of one name in a table: the tests look cases up by name.
func checkUnique(c Corpus) {
	check := func(table string, names []string) {
		seen := map[string]bool{}
		for _, n := range names {
			if n == "" || seen[n] {
				fail("corpus table %s: case name %q is empty or repeated", table, n)
			}
			seen[n] = true
		}
	}
	names := func(n int, at func(int) string) []string {
		s := make([]string, n)
		for i := range s {
			s[i] = at(i)
		}
		return s
	}
	check("jsonPatch", names(len(c.JSONPatch), func(i int) string { return c.JSONPatch[i].Name }))
	check("mergePatch", names(len(c.MergePatch), func(i int) string { return c.MergePatch[i].Name }))
	check("labelSelectors", names(len(c.LabelSelectors), func(i int) string { return "s:" + c.LabelSelectors[i].Selector }))
	check("labelSelectorObjects", names(len(c.LabelSelectorObjects), func(i int) string { return c.LabelSelectorObjects[i].Name }))
	check("fieldSelectors", names(len(c.FieldSelectors), func(i int) string { return "s:" + c.FieldSelectors[i].Selector }))
	check("printerColumns", names(len(c.PrinterColumns), func(i int) string { return c.PrinterColumns[i].Name }))
	check("schemaObjects", names(len(c.SchemaObjects), func(i int) string { return c.SchemaObjects[i].Name }))
}

// moduleVersions names the versions of the modules whose behaviour the tables record.
func moduleVersions() map[string]string {
	want := []string{"gopkg.in/evanphx/json-patch.v4", "k8s.io/apimachinery", "k8s.io/apiserver", "k8s.io/client-go",
		"k8s.io/apiextensions-apiserver", "k8s.io/kube-openapi", "k8s.io/kubernetes", "sigs.k8s.io/json"}
	out := map[string]string{}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return out
	}
	for _, d := range info.Deps {
		for _, w := range want {
			if d.Path == w {
				v := d.Version
				if d.Replace != nil {
					v = d.Replace.Version
				}
				out[w] = v
			}
		}
	}
	return out
}

// panicText runs fn and turns a panic into its message, as the record of what Go did.
func panicText(fn func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = strings.TrimSpace(fmt.Sprint(r))
		}
	}()
	fn()
	return ""
}

// sortedKeys is for deterministic output of Go maps.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
