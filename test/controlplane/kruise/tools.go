//go:build tools

// Tier B of the control plane: OpenKruise's kruise-manager (the Advanced StatefulSet controller and webhooks) and
// OpenKruise Game's manager (GameServerSet, GameServer), built unchanged from their modules. They pin kubernetes
// 1.30 libraries, so they live in this module, apart from the 1.34 control plane in ../go.
package tools

import (
	_ "github.com/openkruise/kruise"
	_ "github.com/openkruise/kruise-game"
)
