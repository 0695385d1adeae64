// Names used by OpenKruise and kruise-game v1.0 (API.md §1, §5).

export const GAME_GROUP = 'game.kruise.io';
export const GAME_VERSION = 'v1alpha1';
export const GAME_API_VERSION = `${GAME_GROUP}/${GAME_VERSION}`;
export const KRUISE_GROUP = 'apps.kruise.io';
export const KRUISE_VERSION = 'v1beta1';
export const KRUISE_API_VERSION = `${KRUISE_GROUP}/${KRUISE_VERSION}`;

export const PLURAL_GSS = 'gameserversets';
export const PLURAL_GS = 'gameservers';
export const PLURAL_ASTS = 'statefulsets';

export const LABEL_OWNER_GSS = 'game.kruise.io/owner-gss';
export const LABEL_GS_STATE = 'game.kruise.io/gs-state';
export const LABEL_OPS_STATE = 'game.kruise.io/gs-opsState';
export const LABEL_DELETE_PRIORITY = 'game.kruise.io/gs-delete-priority';
export const LABEL_UPDATE_PRIORITY = 'game.kruise.io/gs-update-priority';
export const LABEL_NETWORK_DISABLED = 'game.kruise.io/network-disabled';
export const LABEL_GS_DELETING = 'game.kruise.io/gs-deleting';
export const LABEL_REVISION = 'controller-revision-hash';
export const LABEL_POD_NAME = 'statefulset.kubernetes.io/pod-name';
export const LABEL_LIFECYCLE_STATE = 'lifecycle.apps.kruise.io/state';
export const LABEL_POD_INDEX = 'apps.kubernetes.io/pod-index';

export const ANN_OPS_STATE_CHANGED = 'game.kruise.io/opsState-last-changed-time';
export const ANN_STATE_CHANGED = 'game.kruise.io/state-last-changed-time';
export const ANN_RESERVE_IDS = 'game.kruise.io/reserve-ids';
export const ANN_ASTS_HASH = 'game.kruise.io/asts-hash';
export const ANN_GS_TEMPLATE_METADATA_HASH = 'game.kruise.io/gsTemplate-metadata-hash';
export const ANN_LIFECYCLE_TIMESTAMP = 'lifecycle.apps.kruise.io/timestamp';

export const READINESS_GATE_INPLACE = 'InPlaceUpdateReady';
export const READINESS_GATE_KRUISE_POD_READY = 'KruisePodReady';
export const DEFAULT_NODE_NAME = 'sandbox-node';
/** The emulated node's address (pods' hostIP, the network plugins' external IP). */
export const DEFAULT_HOST_IP = '192.168.0.10';
