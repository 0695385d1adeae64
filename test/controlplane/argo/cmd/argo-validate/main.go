// argo-validate: Argo Workflows' own `argo lint --offline --strict`, for the exported release. It lints every
// WorkflowTemplate and Workflow in the files given (the Workflow's workflowTemplateRef resolved from those same
// files, as the offline client does), rejects unknown fields, prints one line per problem and exits 1 on any.
//
//	argo-validate FILE...
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/argoproj/argo-workflows/v3/cmd/argo/lint"
	"github.com/argoproj/argo-workflows/v3/pkg/apiclient"
)

func main() {
	files := os.Args[1:]
	if len(files) == 0 {
		fmt.Fprintln(os.Stderr, "usage: argo-validate FILE...")
		os.Exit(2)
	}
	ctx, client, err := apiclient.NewClientFromOpts(apiclient.Opts{Offline: true, OfflineFiles: files, Context: context.Background()})
	if err != nil {
		fmt.Fprintf(os.Stderr, "argo-validate: cannot read %v: %v\n", files, err)
		os.Exit(2)
	}
	wfClient := client.NewWorkflowServiceClient()
	tmplClient, err := client.NewWorkflowTemplateServiceClient()
	if err != nil {
		fmt.Fprintf(os.Stderr, "argo-validate: %v\n", err)
		os.Exit(2)
	}
	fmtr, _ := lint.GetFormatter("simple")
	res, err := lint.Lint(ctx, &lint.LintOptions{
		Files:            files,
		Strict:           true,
		DefaultNamespace: "default",
		Formatter:        fmtr,
		Printer:          os.Stdout,
		ServiceClients:   lint.ServiceClients{WorkflowsClient: wfClient, WorkflowTemplatesClient: tmplClient},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "argo-validate: %v\n", err)
		os.Exit(2)
	}
	if !res.Success {
		os.Exit(1)
	}
}
