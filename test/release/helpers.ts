// Shared helpers for release tests: a sandbox per test world, a client, the GS table as kubectl shows it, the
// release record as stored, and a client that can be made to "crash".
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/sandbox.js';
import { OkgClient } from '../../src/cluster/client.js';
import { ClusterError } from '../../src/cluster/errors.js';
import { SEED } from '../../src/sandbox/scenarios.js';
import type { SandboxUser } from '../../src/sandbox/auth.js';
import { parseRecord, RECORD_ANNOTATION, type RecordDoc } from '../../src/release/record.js';
import type { ReleaseEvent, ReleaseInput } from '../../src/release/types.js';

export const NS = SEED.namespace;
export const GSS = SEED.gameServerSet;
export const OLD = SEED.image;
export const NEW = SEED.newImage;

export interface Row {
  name: string;
  state: string;
  opsState: string;
  image: string;
  podLabel?: string;
}

export function seedInput(extra: Partial<ReleaseInput> = {}): ReleaseInput {
  return {
    namespace: NS,
    gameServerSet: GSS,
    images: [{ container: SEED.container, image: NEW }],
    add: 3,
    timeoutMs: 20_000,
    ...extra,
  };
}

export function startWorld(opts: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({ scenario: 'seed', readyAfterMs: 50, terminatingMs: 30, ...opts });
}

export function client(sb: Sandbox, user: SandboxUser = 'admin', backoffMs = 20): OkgClient {
  return new OkgClient(sb.kubeConfig(user), { backoffMs, attempts: 8 });
}

/** The GameServers of the seed set as stored (like kubectl get gs), plus the pod's image and opsState label. */
export function table(sb: Sandbox, gss = GSS): Row[] {
  const s = sb.server;
  const pods = s.resource('pods');
  return s.store
    .list(s.resource('gameservers'), NS)
    .filter(o => o.metadata.labels?.['game.kruise.io/owner-gss'] === gss && !o.metadata.deletionTimestamp)
    .map(o => {
      const name = o.metadata.name ?? '';
      const pod = s.store.get(pods, NS, name);
      const spec = (pod?.spec as { containers?: { image: string }[] } | undefined)?.containers?.[0]?.image ?? '';
      return {
        name,
        state: String((o.status as { currentState?: string } | undefined)?.currentState ?? ''),
        opsState: String((o.spec as { opsState?: string } | undefined)?.opsState ?? ''),
        image: spec,
        podLabel: pod?.metadata.labels?.['game.kruise.io/gs-opsState'],
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
}

export function gssObject(
  sb: Sandbox,
  gss = GSS,
): {
  spec: { replicas: number; updateStrategy?: unknown };
  metadata: { generation?: number; annotations?: Record<string, string> };
  status?: { observedGeneration?: number };
} {
  const s = sb.server;
  return s.store.get(s.resource('gameserversets'), NS, gss) as never;
}

export const SEED_FINAL: Omit<Row, 'podLabel'>[] = [
  { name: 'minecraft-0', state: 'Ready', opsState: 'Allocated', image: OLD },
  { name: 'minecraft-1', state: 'Ready', opsState: 'WaitToBeDeleted', image: OLD },
  { name: 'minecraft-2', state: 'Ready', opsState: 'WaitToBeDeleted', image: OLD },
  { name: 'minecraft-3', state: 'Ready', opsState: 'None', image: NEW },
  { name: 'minecraft-4', state: 'Ready', opsState: 'None', image: NEW },
  { name: 'minecraft-5', state: 'Ready', opsState: 'None', image: NEW },
];

export function strip(rows: Row[]): Omit<Row, 'podLabel'>[] {
  return rows.map(({ podLabel: _p, ...r }) => r);
}

export function collect(): { events: ReleaseEvent[]; onEvent: (e: ReleaseEvent) => void } {
  const events: ReleaseEvent[] = [];
  return {
    events,
    onEvent: e => {
      events.push(e);
    },
  };
}

/** A client that, once `kill()` is called, fails every call as if the process had lost the network for good. */
export function mortal(c: OkgClient): { client: OkgClient; kill: () => void } {
  let dead = false;
  const proxy = new Proxy(c, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) =>
        dead
          ? Promise.reject(new ClusterError('connection lost (simulated crash)', 'unreachable'))
          : (v as (...a: unknown[]) => unknown).apply(target, args);
    },
  });
  return {
    client: proxy,
    kill: () => {
      dead = true;
    },
  };
}

/** The release record on the seed's GameServerSet, as stored. */
export function record(sb: Sandbox): RecordDoc {
  return parseRecord(gssObject(sb).metadata.annotations?.[RECORD_ANNOTATION]);
}
