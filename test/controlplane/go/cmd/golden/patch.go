// JSON Patch and JSON merge patch exactly as k8s.io/apiserver/pkg/endpoints/handlers/patch.go
// (jsonPatcher.applyJSPatch) applies them with the default fieldValidation (Warn): a strict decode of the
// patch first, then gopkg.in/evanphx/json-patch.v4.
package main

import (
	"encoding/json"
	"fmt"
	"strings"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	kjson "sigs.k8s.io/json"
)

// As k8s.io/apiserver/pkg/server/config.go sets it (JSONPatchMaxCopyBytes) and patch.go caps operations.
const (
	jsonPatchMaxCopyBytes  = 3 * 1024 * 1024
	maxJSONPatchOperations = 10000
)

func init() {
	jsonpatch.AccumulatedCopySizeLimit = jsonPatchMaxCopyBytes
}

// PatchResult: the patched document, or the HTTP status kube answers and the Go error text
// (status 500 with `panic` set when the library panics: kube answers its generic panic response).
type PatchResult struct {
	Name    string          `json:"name"`
	Result  json.RawMessage `json:"result,omitempty"`
	Status  int             `json:"status,omitempty"`
	Message string          `json:"message,omitempty"`
	Panic   bool            `json:"panic,omitempty"`
}

// jsonPatchOp is handlers.jsonPatchOp: its name appears in decode errors.
type jsonPatchOp struct {
	Op    string      `json:"op"`
	Path  string      `json:"path"`
	From  string      `json:"from"`
	Value interface{} `json:"value"`
}

func jsonPatchCase(c PatchCase) any {
	r := PatchResult{Name: c.Name}
	var v []jsonPatchOp
	if _, err := kjson.UnmarshalStrict(c.Patch, &v); err != nil {
		r.Status, r.Message = 400, "error decoding patch: "+renameDecodeType(err.Error())
		return r
	}
	var patched []byte
	var err error
	if msg := panicText(func() {
		p, derr := jsonpatch.DecodePatch(c.Patch)
		if derr != nil {
			r.Status, r.Message = 400, derr.Error()
			return
		}
		if len(p) > maxJSONPatchOperations {
			r.Status, r.Message = 413, fmt.Sprintf("The allowed maximum operations in a JSON patch is %d, got %d", maxJSONPatchOperations, len(p))
			return
		}
		patched, err = p.Apply(c.Doc)
	}); msg != "" {
		return PatchResult{Name: c.Name, Status: 500, Message: msg, Panic: true}
	}
	if r.Status != 0 {
		return r
	}
	if err != nil {
		r.Status, r.Message = 422, err.Error()
		return r
	}
	r.Result = patched
	return r
}

func mergePatchCase(c PatchCase) any {
	r := PatchResult{Name: c.Name}
	v := map[string]interface{}{}
	if _, err := kjson.UnmarshalStrict(c.Patch, &v); err != nil {
		r.Status, r.Message = 400, "error decoding patch: "+err.Error()
		return r
	}
	var patched []byte
	var err error
	if msg := panicText(func() { patched, err = jsonpatch.MergePatch(c.Doc, c.Patch) }); msg != "" {
		return PatchResult{Name: c.Name, Status: 500, Message: msg, Panic: true}
	}
	if err == jsonpatch.ErrBadJSONPatch {
		r.Status, r.Message = 400, err.Error()
		return r
	}
	if err != nil {
		// patch.go returns the error as is: the handler answers 500 with it.
		r.Status, r.Message = 500, err.Error()
		return r
	}
	r.Result = patched
	return r
}

// renameDecodeType: the decode error names the Go type; ours is main.jsonPatchOp, kube's handlers.jsonPatchOp.
func renameDecodeType(msg string) string {
	return strings.ReplaceAll(msg, "main.jsonPatchOp", "handlers.jsonPatchOp")
}
