// Minimal JSON shapes of the objects the emulator reads and writes. Everything not modelled here is kept
// as unknown JSON and passed through untouched.
import type { KubeObject, ObjectMeta } from '../types.js';

export type IntOrString = number | string;
export type Json = Record<string, unknown>;

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Json;
}

export interface UpdateStrategy {
  type?: string;
  rollingUpdate?: Json | null;
}

export interface GameServerSetSpec {
  replicas?: number;
  gameServerTemplate?: PodTemplate & { reclaimPolicy?: string; volumeClaimTemplates?: unknown[] };
  serviceName?: string;
  reserveGameServerIds?: IntOrString[] | null;
  updateStrategy?: UpdateStrategy;
  scaleStrategy?: { maxUnavailable?: IntOrString; scaleDownStrategyType?: string };
  network?: Json;
  lifecycle?: Json;
  persistentVolumeClaimRetentionPolicy?: Json;
  [k: string]: unknown;
}

export interface GameServerSet extends KubeObject {
  spec: GameServerSetSpec;
  status?: Json;
}

export interface AstsSpec {
  replicas?: number;
  reserveOrdinals?: IntOrString[] | null;
  selector?: { matchLabels?: Record<string, string> };
  serviceName?: string;
  podManagementPolicy?: string;
  template?: PodTemplate;
  updateStrategy?: UpdateStrategy;
  scaleStrategy?: Json;
  [k: string]: unknown;
}

export interface AdvancedStatefulSet extends KubeObject {
  spec: AstsSpec;
  status?: Json;
}

export interface PodCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  lastProbeTime?: string | null;
  reason?: string;
  message?: string;
}

export interface PodStatus {
  phase?: string;
  conditions?: PodCondition[];
  hostIP?: string;
  podIP?: string;
  podIPs?: { ip: string }[];
  startTime?: string;
  containerStatuses?: Json[];
  qosClass?: string;
  [k: string]: unknown;
}

export interface Pod extends KubeObject {
  metadata: ObjectMeta;
  spec: Json & { containers?: Json[]; nodeName?: string; readinessGates?: { conditionType: string }[] };
  status?: PodStatus;
}

export interface GameServerSpec {
  opsState?: string;
  deletionPriority?: IntOrString;
  updatePriority?: IntOrString;
  networkDisabled?: boolean | null;
  containers?: Json[];
  [k: string]: unknown;
}

export interface GameServer extends KubeObject {
  spec: GameServerSpec;
  status?: Json;
}
