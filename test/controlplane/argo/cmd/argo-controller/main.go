// argo-controller: Argo Workflows' own workflow-controller (workflow/controller), started as
// cmd/workflow-controller/main.go starts it with LEADER_ELECTION_DISABLE=true, for tier B. It exists because that
// main also serves /healthz on a hard-coded ":6060" (every interface) and Prometheus metrics on ":9090", and the
// tests' servers listen on 127.0.0.1 only: this one serves nothing, it only talks to the API server of -kubeconfig.
// It stops on SIGTERM or SIGINT. See docs/controlplane.md.
//
//	argo-controller -kubeconfig FILE [-namespace argo] [-configmap workflow-controller-configmap]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	log "github.com/sirupsen/logrus"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	argo "github.com/argoproj/argo-workflows/v3"
	wfclientset "github.com/argoproj/argo-workflows/v3/pkg/client/clientset/versioned"
	"github.com/argoproj/argo-workflows/v3/workflow/common"
	"github.com/argoproj/argo-workflows/v3/workflow/controller"
)

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the API server (required)")
	namespace := flag.String("namespace", "argo", "the controller's own namespace, where its ConfigMap is")
	configMap := flag.String("configmap", common.ConfigMapName, "the controller's ConfigMap")
	workers := flag.Int("workflow-workers", 2, "Workflow workers (Argo's default: 32)")
	flag.Parse()
	if *kubeconfig == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: argo-controller -kubeconfig FILE [-namespace argo] [-configmap NAME]")
		os.Exit(2)
	}
	config, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		fmt.Fprintf(os.Stderr, "argo-controller: cannot load %s: %v\n", *kubeconfig, err)
		os.Exit(2)
	}
	config = rest.AddUserAgent(config, fmt.Sprintf("argo-workflows/%s argo-controller", argo.GetVersion().Version))
	// main.go's defaults for --qps and --burst
	config.QPS, config.Burst = 20, 30

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	// Cluster-wide (main.go without --namespaced): managedNamespace "" watches every namespace.
	wfc, err := controller.NewWorkflowController(ctx, config, kubernetes.NewForConfigOrDie(config),
		wfclientset.NewForConfigOrDie(config), *namespace, "", "", "", "text", *configMap, false)
	if err != nil {
		fmt.Fprintf(os.Stderr, "argo-controller: %v\n", err)
		os.Exit(1)
	}
	log.WithField("id", "single-instance").Info("Leader election is off; starting leading")
	// main.go's worker counts for TTL, pod cleanup, cron and archive (4, 4, 8, 8) are far more than a test needs.
	go wfc.Run(ctx, *workers, 1, 1, 1, 1)
	<-ctx.Done()
	log.Info("argo-controller stopping")
}
