// OKG's Kubernetes network plugins, `Kubernetes-HostPort` and `Kubernetes-NodePort` (kruise-game v1.0
// cloudprovider/kubernetes/hostPort.go, nodeport.go), as the emulator plays them: HostPort gives each configured
// container port a host port from the provider's range when the pod is created; both write the pod annotation
// `game.kruise.io/network-status` (NotReady until the pod has an IP and the network delay has passed, then Ready
// with internal = pod IP + container ports and external = node IP + host/node ports). The GameServer controller
// copies it into `status.networkStatus` (`syncNetworkStatus`, see networkStatusOf).
// Differences, deliberate: NodePort creates no Service here (the sandbox serves none; the node port is picked from
// 30000-32767 by the emulator, as kube-apiserver's allocator would); the annotation is written by the emulator's own
// patch, where the real plugin rides on another writer's pod update through OKG's mutating webhook.
import type { Json, Pod } from './types.js';

export const NETWORK_HOST_PORT = 'Kubernetes-HostPort';
export const NETWORK_NODE_PORT = 'Kubernetes-NodePort';
export const EMULATED_NETWORKS = [NETWORK_HOST_PORT, NETWORK_NODE_PORT] as const;
export type EmulatedNetwork = (typeof EMULATED_NETWORKS)[number];

export const ANN_NETWORK_TYPE = 'game.kruise.io/network-type';
export const ANN_NETWORK_CONF = 'game.kruise.io/network-conf';
export const ANN_NETWORK_STATUS = 'game.kruise.io/network-status';
export const ANN_NETWORK_TRIGGER_TIME = 'game.kruise.io/network-trigger-time';

/** kruise-game's config/manager/config.toml: `[kubernetes.hostPort] min_port = 8000, max_port = 9000`. */
export const DEFAULT_HOST_PORT_RANGE: readonly [number, number] = [8000, 9000];
/** kube-apiserver's default --service-node-port-range. */
export const NODE_PORT_RANGE: readonly [number, number] = [30000, 32767];

interface NetworkConfParam {
  name?: string;
  value?: string;
}
interface PortSpec {
  containerPort?: number;
  hostPort?: number;
  protocol?: string;
  name?: string;
}
interface ContainerSpec {
  name?: string;
  ports?: PortSpec[];
}

/** `json.Marshal(gss.Spec.Network.NetworkConf)`: `[{"name":…,"value":…}]`, `null` when absent. */
export function networkConfJson(conf: unknown): string {
  if (!Array.isArray(conf)) return 'null';
  return JSON.stringify((conf as NetworkConfParam[]).map(c => ({ name: c?.name ?? '', value: c?.value ?? '' })));
}

function confOf(pod: Pod): NetworkConfParam[] {
  try {
    const v = JSON.parse(pod.metadata.annotations?.[ANN_NETWORK_CONF] ?? 'null') as unknown;
    return Array.isArray(v) ? (v as NetworkConfParam[]) : [];
  } catch {
    return [];
  }
}

/** hostPort.go parseConfig: `ContainerPorts: name:port[/proto],…` (port `SameAsHost` = the host port; TCPUDP = both). */
export function parseHostPortConf(
  conf: readonly NetworkConfParam[],
  containerNames: readonly string[],
): Map<string, { port: number; protocol: string }[]> {
  const out = new Map<string, { port: number; protocol: string }[]>();
  for (const c of conf) {
    if (c.name !== 'ContainerPorts') continue;
    const parts = (c.value ?? '').split(':');
    if (parts.length !== 2 || !containerNames.includes(parts[0])) continue;
    const ports: { port: number; protocol: string }[] = [];
    for (const pp of parts[1].split(',')) {
      const [p, proto] = pp.split('/');
      const port = p === 'SameAsHost' ? -1 : /^-?\d+$/.test(p) ? Number(p) : NaN;
      if (Number.isNaN(port)) continue;
      ports.push({ port, protocol: proto ?? 'TCP' });
    }
    out.set(parts[0], ports);
  }
  return out;
}

/** nodeport.go parsePortProtocols: `PortProtocols: port[/proto],…`. */
export function parseNodePortConf(conf: readonly NetworkConfParam[]): { port: number; protocol: string }[] {
  const out: { port: number; protocol: string }[] = [];
  for (const c of conf) {
    if (c.name !== 'PortProtocols') continue;
    out.length = 0;
    for (const pp of (c.value ?? '').split(',')) {
      const [p, proto] = pp.split('/');
      if (!/^-?\d+$/.test(p)) continue;
      out.push({ port: Number(p), protocol: proto ?? 'TCP' });
    }
  }
  return out;
}

const podKey = (pod: Pod): string => `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;

export class NetworkPlugins {
  private readonly hostPortsInUse = new Map<number, number>();
  private readonly hostPortsOf = new Map<string, number[]>();
  private readonly nodePortsOf = new Map<string, number[]>();
  private readonly nodePortsInUse = new Set<number>();

  constructor(private readonly hostPortRange: readonly [number, number] = DEFAULT_HOST_PORT_RANGE) {}

  /** HostPort's OnPodAdded: append `{containerPort, hostPort, protocol}` to each configured container (mutates `pod`). */
  onPodAdded(pod: Pod): void {
    if (pod.metadata.annotations?.[ANN_NETWORK_TYPE] !== NETWORK_HOST_PORT) return;
    const containers = (pod.spec.containers ?? []) as ContainerSpec[];
    const conf = parseHostPortConf(
      confOf(pod),
      containers.map(c => c.name ?? ''),
    );
    let n = [...conf.values()].reduce((a, ps) => a + ps.length, 0);
    const hostPorts = this.hostPortsOf.get(podKey(pod)) ?? this.allocate(n);
    this.hostPortsOf.set(podKey(pod), hostPorts);
    for (const c of containers) {
      const ports = conf.get(c.name ?? '');
      if (!ports) continue;
      const out = [...(c.ports ?? [])];
      // as the plugin does: the configured ports take the allocated host ports from the last one backwards
      for (const p of ports) {
        const hostPort = hostPorts[n - 1];
        const containerPort = p.port === -1 ? hostPort : p.port;
        if (p.protocol === 'TCPUDP')
          out.push({ containerPort, hostPort, protocol: 'TCP' }, { containerPort, hostPort, protocol: 'UDP' });
        else out.push({ containerPort, hostPort, protocol: p.protocol });
        n--;
      }
      c.ports = out;
    }
  }

  /** A pod seen (e.g. after a restart of the emulator): its host ports are in use, as the plugin's Init counts them. */
  observe(pod: Pod): void {
    if (pod.metadata.annotations?.[ANN_NETWORK_TYPE] !== NETWORK_HOST_PORT || this.hostPortsOf.has(podKey(pod))) return;
    const ports = this.hostPortsIn(pod);
    if (ports.length === 0) return;
    this.hostPortsOf.set(podKey(pod), ports);
    for (const p of ports) this.hostPortsInUse.set(p, (this.hostPortsInUse.get(p) ?? 0) + 1);
  }

  /** OnPodDeleted: the pod's host ports (and node ports) are free again. */
  onPodDeleted(ns: string, name: string): void {
    const key = `${ns}/${name}`;
    for (const p of this.hostPortsOf.get(key) ?? []) {
      const n = (this.hostPortsInUse.get(p) ?? 1) - 1;
      if (n > 0) this.hostPortsInUse.set(p, n);
      else this.hostPortsInUse.delete(p);
    }
    this.hostPortsOf.delete(key);
    for (const p of this.nodePortsOf.get(key) ?? []) this.nodePortsInUse.delete(p);
    this.nodePortsOf.delete(key);
  }

  /** The least used host ports, lowest first (the plugin picks among the least used ones). */
  private allocate(n: number): number[] {
    const [min, max] = this.hostPortRange;
    const out: number[] = [];
    for (let used = 0; out.length < n && used <= 64; used++) {
      for (let p = min; p <= max && out.length < n; p++) if ((this.hostPortsInUse.get(p) ?? 0) === used) out.push(p);
    }
    for (const p of out) this.hostPortsInUse.set(p, (this.hostPortsInUse.get(p) ?? 0) + 1);
    return out;
  }

  private hostPortsIn(pod: Pod): number[] {
    const [min, max] = this.hostPortRange;
    return ((pod.spec.containers ?? []) as ContainerSpec[])
      .flatMap(c => (c.ports ?? []).map(p => p.hostPort ?? 0))
      .filter(p => p >= min && p <= max);
  }

  private nodePorts(pod: Pod, n: number): number[] {
    const key = podKey(pod);
    let ports = this.nodePortsOf.get(key);
    if (!ports || ports.length !== n) {
      ports = [];
      for (let p = NODE_PORT_RANGE[0]; p <= NODE_PORT_RANGE[1] && ports.length < n; p++)
        if (!this.nodePortsInUse.has(p)) ports.push(p);
      for (const p of ports) this.nodePortsInUse.add(p);
      this.nodePortsOf.set(key, ports);
    }
    return ports;
  }

  /**
   * The `game.kruise.io/network-status` annotation the plugin writes (Go's json.Marshal of its NetworkStatus), or
   * undefined for a network type the emulator does not play. `ready`: the pod has its IP and the delay passed.
   */
  annotationFor(pod: Pod, nodeIP: string, ready: boolean): string | undefined {
    const type = pod.metadata.annotations?.[ANN_NETWORK_TYPE];
    const notReady = '{"currentNetworkState":"NotReady","createTime":null,"lastTransitionTime":null}';
    const podIP = pod.status?.podIP ?? '';
    const address = (ip: string, ports: { name: string; protocol: string; port: number }[]) => ({ ip, ports });
    const ready_ = (internal: unknown[], external: unknown[]) =>
      JSON.stringify({
        internalAddresses: internal,
        externalAddresses: external,
        currentNetworkState: 'Ready',
        createTime: null,
        lastTransitionTime: null,
      });
    if (type === NETWORK_HOST_PORT) {
      const [min, max] = this.hostPortRange;
      const iPorts: { name: string; protocol: string; port: number }[] = [];
      const ePorts: { name: string; protocol: string; port: number }[] = [];
      for (const c of (pod.spec.containers ?? []) as ContainerSpec[]) {
        for (const p of c.ports ?? []) {
          if ((p.hostPort ?? 0) < min || (p.hostPort ?? 0) > max) continue;
          const name = `${c.name ?? ''}-${p.containerPort ?? 0}`;
          iPorts.push({ name, protocol: p.protocol ?? 'TCP', port: p.containerPort ?? 0 });
          ePorts.push({ name, protocol: p.protocol ?? 'TCP', port: p.hostPort ?? 0 });
        }
      }
      if (!ready || iPorts.length === 0 || podIP === '') return notReady;
      return ready_([address(podIP, iPorts)], [address(nodeIP, ePorts)]);
    }
    if (type === NETWORK_NODE_PORT) {
      const ports = parseNodePortConf(confOf(pod));
      if (!ready || podIP === '') return notReady;
      const nodePorts = this.nodePorts(pod, ports.length);
      return ready_(
        ports.map(p => address(podIP, [{ name: String(p.port), protocol: p.protocol, port: p.port }])),
        ports.map((p, i) => address(nodeIP, [{ name: String(p.port), protocol: p.protocol, port: nodePorts[i] }])),
      );
    }
    return undefined;
  }
}

const seconds = (iso: string): string => iso.replace(/\.\d+Z$/, 'Z');

/**
 * GS `status.networkStatus` as kruise-game v1.0's `syncNetworkStatus` makes it from the pod and the previous value:
 * `{}` without a network; first `{networkType, desiredNetworkState: Ready, createTime, lastTransitionTime}`; then
 * NotReady (transition time now) while the pod has no network-status annotation; then the annotation's addresses
 * and current state, with the desired state from the network-disabled label.
 */
export function networkStatusOf(pod: Pod, previous: Json | undefined, nowIso: string): Json {
  const type = pod.metadata.annotations?.[ANN_NETWORK_TYPE];
  if (type === undefined) return {};
  const now = seconds(nowIso);
  const old = (previous ?? {}) as Json;
  const empty = Object.keys(old).filter(k => old[k] !== null && old[k] !== undefined).length === 0;
  if (empty) return { networkType: type, desiredNetworkState: 'Ready', createTime: now, lastTransitionTime: now };
  let fromPod: Json | undefined;
  try {
    const raw = pod.metadata.annotations?.[ANN_NETWORK_STATUS];
    fromPod = raw ? (JSON.parse(raw) as Json) : undefined;
  } catch {
    fromPod = undefined;
  }
  if (!fromPod) return { ...old, currentNetworkState: 'NotReady', lastTransitionTime: now };
  const out: Json = { ...old };
  delete out.internalAddresses;
  delete out.externalAddresses;
  if (fromPod.internalAddresses) out.internalAddresses = fromPod.internalAddresses;
  if (fromPod.externalAddresses) out.externalAddresses = fromPod.externalAddresses;
  if (fromPod.currentNetworkState) out.currentNetworkState = fromPod.currentNetworkState;
  else delete out.currentNetworkState;
  const desired = pod.metadata.labels?.['game.kruise.io/network-disabled'] === 'true' ? 'NotReady' : 'Ready';
  if (out.desiredNetworkState !== desired) {
    out.desiredNetworkState = desired;
    out.lastTransitionTime = now;
  }
  return out;
}
