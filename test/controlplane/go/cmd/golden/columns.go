// CRD additionalPrinterColumns as apiextensions-apiserver prints them for `kubectl get`
// (pkg/registry/customresource/tableconvertor: k8s.io/client-go/util/jsonpath over the object, then the
// column type's conversion). Date columns are left out of the corpus: their cell is an age, i.e. depends on now.
package main

import (
	"context"
	"encoding/json"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apiextensions-apiserver/pkg/registry/customresource/tableconvertor"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
)

type ColumnResult struct {
	Name  string `json:"name"`
	Error string `json:"error,omitempty"`
	// Cell is the table cell: null when the path finds nothing or the value does not fit the column type.
	Cell json.RawMessage `json:"cell,omitempty"`
}

func columnCase(c ColumnCase) any {
	r := ColumnResult{Name: c.Name}
	if c.Type == "date" {
		fail("printerColumns case %q: date columns depend on the clock; leave them out of the corpus", c.Name)
	}
	conv, err := tableconvertor.New([]apiextensionsv1.CustomResourceColumnDefinition{{Name: "C", Type: c.Type, JSONPath: c.JSONPath}})
	if err != nil {
		r.Error = err.Error()
		return r
	}
	var obj map[string]interface{}
	// utiljson decodes numbers as the apiserver holds them in unstructured objects: int64, else float64.
	if err := utiljson.Unmarshal(c.Object, &obj); err != nil {
		fail("printerColumns case %q: object: %v", c.Name, err)
	}
	table, err := conv.ConvertToTable(context.Background(), &unstructured.Unstructured{Object: obj}, &metav1.TableOptions{})
	if err != nil {
		r.Error = err.Error()
		return r
	}
	cell, err := json.Marshal(table.Rows[0].Cells[1])
	if err != nil {
		fail("printerColumns case %q: cell: %v", c.Name, err)
	}
	r.Cell = cell
	return r
}
