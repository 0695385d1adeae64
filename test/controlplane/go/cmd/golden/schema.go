// Custom resources against a CRD's structural schema, in kube-apiserver's order: the decoder prunes unknown
// fields and non-nullable nulls (apiserver/customresource_handler.go unstructuredSchemaCoercer.apply), the codec
// applies defaults (unstructuredDefaulter), then the strategy validates (registry/customresource/strategy.go:
// the openAPI schema validator, then embedded resources).
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	schemaobjectmeta "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"
)

type loadedSchema struct {
	structural *structuralschema.Structural
	validator  apiservervalidation.SchemaValidator
}

func loadSchemas(root string, refs map[string]SchemaRef) (map[string]loadedSchema, error) {
	out := map[string]loadedSchema{}
	for _, name := range sortedKeys(refs) {
		ref := refs[name]
		var v1 apiextensionsv1.JSONSchemaProps
		switch {
		case ref.CRD != "":
			raw, err := os.ReadFile(filepath.Join(root, "data", "crds", ref.CRD))
			if err != nil {
				return nil, fmt.Errorf("schema %q: %v", name, err)
			}
			var crd apiextensionsv1.CustomResourceDefinition
			if err := yaml.Unmarshal(raw, &crd); err != nil {
				return nil, fmt.Errorf("schema %q: %s is not a CRD: %v", name, ref.CRD, err)
			}
			if len(crd.Spec.Versions) == 0 || crd.Spec.Versions[0].Schema == nil || crd.Spec.Versions[0].Schema.OpenAPIV3Schema == nil {
				return nil, fmt.Errorf("schema %q: %s has no openAPIV3Schema in its first version", name, ref.CRD)
			}
			v1 = *crd.Spec.Versions[0].Schema.OpenAPIV3Schema
		case len(ref.Schema) > 0:
			if err := json.Unmarshal(ref.Schema, &v1); err != nil {
				return nil, fmt.Errorf("schema %q: %v", name, err)
			}
		default:
			return nil, fmt.Errorf("schema %q: give crd or schema", name)
		}
		var internal apiextensions.JSONSchemaProps
		if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(&v1, &internal, nil); err != nil {
			return nil, fmt.Errorf("schema %q: %v", name, err)
		}
		s, err := structuralschema.NewStructural(&internal)
		if err != nil {
			return nil, fmt.Errorf("schema %q is not structural: %v", name, err)
		}
		validator, _, err := apiservervalidation.NewSchemaValidator(&internal)
		if err != nil {
			return nil, fmt.Errorf("schema %q: %v", name, err)
		}
		out[name] = loadedSchema{structural: s, validator: validator}
	}
	return out, nil
}

type Cause struct {
	Reason  string `json:"reason"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// SchemaResult: the object as the decoder leaves it (pruned, with the dropped paths), after defaulting,
// and the validation causes of the defaulted object (sorted: kube's order follows Go map iteration).
type SchemaResult struct {
	Name          string          `json:"name"`
	Pruned        json.RawMessage `json:"pruned"`
	UnknownFields []string        `json:"unknownFields"`
	Defaulted     json.RawMessage `json:"defaulted"`
	Causes        []Cause         `json:"causes"`
}

func schemaCase(c SchemaCase, schemas map[string]loadedSchema) any {
	s, ok := schemas[c.Schema]
	if !ok {
		fail("schemaObjects case %q: no schema %q in the corpus", c.Name, c.Schema)
	}
	var obj interface{}
	if err := utiljson.Unmarshal(c.Object, &obj); err != nil {
		fail("schemaObjects case %q: object: %v", c.Name, err)
	}
	r := SchemaResult{Name: c.Name}
	r.UnknownFields = structuralpruning.PruneWithOptions(obj, s.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})
	if r.UnknownFields == nil {
		r.UnknownFields = []string{}
	}
	sort.Strings(r.UnknownFields)
	structuraldefaulting.PruneNonNullableNullsWithoutDefaults(obj, s.structural)
	r.Pruned = mustJSON(obj)
	structuraldefaulting.Default(obj, s.structural)
	r.Defaulted = mustJSON(obj)
	errs := apiservervalidation.ValidateCustomResource(nil, obj, s.validator)
	errs = append(errs, schemaobjectmeta.Validate(nil, obj, s.structural, false)...)
	r.Causes = []Cause{}
	for _, e := range errs {
		r.Causes = append(r.Causes, Cause{Reason: string(e.Type), Field: e.Field, Message: e.ErrorBody()})
	}
	sort.Slice(r.Causes, func(i, j int) bool {
		a, b := r.Causes[i], r.Causes[j]
		if a.Field != b.Field {
			return a.Field < b.Field
		}
		return a.Message < b.Message
	})
	return r
}

func mustJSON(v interface{}) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		fail("encoding: %v", err)
	}
	return b
}
