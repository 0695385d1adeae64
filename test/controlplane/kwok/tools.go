//go:build tools

// KWOK (sigs.k8s.io/kwok) for tier B of the control plane: it plays the kubelet of a fake node, so the pods
// OpenKruise creates are scheduled, Running and Ready. Built unchanged (`go build sigs.k8s.io/kwok/cmd/kwok`). Its
// own module because KWOK pins its kubernetes libraries (v0.7.0: 0.33) and does not compile against 0.34's.
package tools

import _ "sigs.k8s.io/kwok/cmd/kwok"
