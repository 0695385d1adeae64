// argo-mutex: Argo Workflows' own synchronization manager (workflow/sync), fed the Workflows of exported releases
// as the workflow-controller sees them (each Workflow's spec joined with its WorkflowTemplate's by Argo's
// JoinWorkflowSpec, as the controller builds its execWf). Round 1 asks for each Workflow's workflow-level locks in
// file order; then the first Workflow is released and round 2 asks again for those still waiting. One JSON line
// per request: {"round", "workflow", "locks", "acquired", "message"}. In-process only: no cluster, no network.
//
//	argo-mutex FILE...
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"github.com/argoproj/argo-workflows/v3/workflow/common"
	argosync "github.com/argoproj/argo-workflows/v3/workflow/sync"
	wfutil "github.com/argoproj/argo-workflows/v3/workflow/util"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

type result struct {
	Round    int      `json:"round"`
	Workflow string   `json:"workflow"`
	Locks    []string `json:"locks"`
	Acquired bool     `json:"acquired"`
	Message  string   `json:"message"`
}

func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "argo-mutex: "+format+"\n", a...)
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 {
		fail("usage: argo-mutex FILE...")
	}
	templates := map[string]*wfv1.WorkflowTemplate{}
	var workflows []*wfv1.Workflow
	for _, file := range os.Args[1:] {
		data, err := os.ReadFile(file)
		if err != nil {
			fail("cannot read %s: %v", file, err)
		}
		for _, pr := range common.ParseObjects(data, true) {
			// other kinds (the ServiceAccount, Role, RoleBinding) are skipped, as argo lint skips them
			switch v := pr.Object.(type) {
			case *wfv1.WorkflowTemplate:
				if pr.Err != nil {
					fail("%s: %v", file, pr.Err)
				}
				templates[v.Namespace+"/"+v.Name] = v
			case *wfv1.Workflow:
				if pr.Err != nil {
					fail("%s: %v", file, pr.Err)
				}
				workflows = append(workflows, v)
			}
		}
	}
	ctx := context.Background()
	base := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	execs := make([]*wfv1.Workflow, len(workflows))
	for i, wf := range workflows {
		// the API server gives each a name from generateName and a creation time (Argo queues by it)
		wf.Name = fmt.Sprintf("%s%d", wf.GenerateName, i+1)
		wf.CreationTimestamp = metav1.NewTime(base.Add(time.Duration(i) * time.Second))
		var tmplSpec *wfv1.WorkflowSpec
		if ref := wf.Spec.WorkflowTemplateRef; ref != nil {
			t, ok := templates[wf.Namespace+"/"+ref.Name]
			if !ok {
				fail("Workflow %s refers to WorkflowTemplate %s, which is in none of the files", wf.Name, ref.Name)
			}
			tmplSpec = &t.Spec
		}
		merged, err := wfutil.JoinWorkflowSpec(&wf.Spec, tmplSpec, &wfv1.WorkflowSpec{})
		if err != nil {
			fail("joining Workflow %s with its template: %v", wf.Name, err)
		}
		exec := wf.DeepCopy()
		exec.Spec = merged.Spec
		execs[i] = exec
	}
	noSemaphores := func(string) (int, error) { return 0, fmt.Errorf("the exported releases use no semaphores") }
	manager := argosync.NewLockManager(ctx, fake.NewSimpleClientset(), "", nil, noSemaphores, func(string) {}, func(string) bool { return false })
	enc := json.NewEncoder(os.Stdout)
	acquired := make([]bool, len(execs))
	try := func(round, i int) {
		wf := execs[i]
		r := result{Round: round, Workflow: wf.Namespace + "/" + wf.Name, Locks: []string{}}
		if s := wf.Spec.Synchronization; s != nil {
			for _, m := range s.Mutexes {
				r.Locks = append(r.Locks, "Mutex/"+m.Name)
			}
			ok, _, msg, _, err := manager.TryAcquire(ctx, wf, "", s)
			if err != nil {
				fail("TryAcquire for %s: %v", wf.Name, err)
			}
			r.Acquired, r.Message = ok, msg
		} else {
			r.Acquired, r.Message = true, "no workflow-level synchronization"
		}
		acquired[i] = r.Acquired
		_ = enc.Encode(r)
	}
	for i := range execs {
		try(1, i)
	}
	if len(execs) > 0 && execs[0].Spec.Synchronization != nil {
		manager.Release(ctx, execs[0], "", execs[0].Spec.Synchronization)
	}
	for i := 1; i < len(execs); i++ {
		if !acquired[i] {
			try(2, i)
		}
	}
}
