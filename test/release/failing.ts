// Failing new rooms written by hand, as the sandbox admin: the emulated kubelet holds the new pods Pending and
// the test writes their container states (pods/status) and core/v1 Events, as a kubelet would. Plus a counting
// proxy in front of the sandbox, so a test sees every request a release makes (watches included).
import { createServer, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { Transport } from '../../src/cluster/transport.js';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/sandbox.js';
import { NEW, NS, startWorld } from './helpers.js';

/** The seed world whose new rooms (ordinals 3–5) stay Pending until the test writes their status. */
export function startHeldWorld(opts: SandboxOptions = {}): Promise<Sandbox> {
  return startWorld({ room: (_ns, n) => (/-[345]$/.test(n) ? { outcome: 'Pending' } : undefined), ...opts });
}

export function admin(sb: Sandbox): Transport {
  return new Transport(sb.kubeConfig('admin'));
}

const MERGE = 'application/merge-patch+json';

interface PodLike {
  metadata: { uid?: string };
  status?: { containerStatuses?: unknown[] };
}

function pod(sb: Sandbox, name: string): PodLike | undefined {
  return sb.server.store.get(sb.server.resource('pods'), NS, name) as PodLike | undefined;
}

/** Waits until the kubelet has written its first (Pending) status of each pod; returns their uids. */
export async function podsHeld(sb: Sandbox, names: string[]): Promise<Map<string, string>> {
  await sb.waitFor(
    () => names.every(n => !!pod(sb, n)?.status?.containerStatuses),
    30_000,
    `pods ${names.join(', ')} to be Pending`,
  );
  return new Map(names.map(n => [n, pod(sb, n)!.metadata.uid ?? '']));
}

/** Lets the held pods run (never Ready), as a crashing container's pod does, and waits until the kubelet shows them Running. */
export async function podsRunning(sb: Sandbox, names: string[]): Promise<void> {
  await podsHeld(sb, names);
  for (const n of names) sb.emulator.setRoomBehaviour(NS, n, { outcome: 'NotReady', readyAfterMs: 0 });
  await sb.waitFor(
    () => names.every(n => (pod(sb, n)?.status as { phase?: string } | undefined)?.phase === 'Running'),
    30_000,
    `pods ${names.join(', ')} to be Running`,
  );
}

/** A pod status whose one container is not ready and waits for `waiting`, as the kubelet reports it. */
function waitingPod(
  phase: string,
  image: string,
  restartCount: number,
  waiting: { reason: string; message: string },
  lastState?: Record<string, unknown>,
): Record<string, unknown> {
  return {
    phase,
    conditions: [
      { type: 'PodScheduled', status: 'True' },
      { type: 'Initialized', status: 'True' },
      {
        type: 'Ready',
        status: 'False',
        reason: 'ContainersNotReady',
        message: 'containers with unready status: [minecraft]',
      },
    ],
    containerStatuses: [
      {
        name: 'minecraft',
        image,
        imageID: '',
        ready: false,
        started: false,
        restartCount,
        state: { waiting },
        ...(lastState ? { lastState } : {}),
      },
    ],
  };
}

export function imagePullBackOff(image = NEW): Record<string, unknown> {
  return waitingPod('Pending', image, 0, { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` });
}

export function crashLoop(restarts: number, image = NEW): Record<string, unknown> {
  return waitingPod(
    'Running',
    image,
    restarts,
    { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=minecraft' },
    { terminated: { exitCode: 1, reason: 'Error' } },
  );
}

export async function writePodStatus(sb: Sandbox, name: string, status: Record<string, unknown>): Promise<void> {
  await admin(sb).request('PATCH', `/api/v1/namespaces/${NS}/pods/${name}/status`, { status }, MERGE);
}

let eventSeq = 0;
/** A core/v1 Event about a pod, as the kubelet writes it. */
export async function writePodEvent(
  sb: Sandbox,
  podName: string,
  uid: string,
  type: string,
  reason: string,
  message: string,
): Promise<void> {
  const now = new Date(Date.now() + eventSeq * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  await admin(sb).request('POST', `/api/v1/namespaces/${NS}/events`, {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${podName}.${(++eventSeq).toString(16)}`, namespace: NS },
    involvedObject: {
      kind: 'Pod',
      namespace: NS,
      name: podName,
      uid,
      apiVersion: 'v1',
      fieldPath: 'spec.containers{minecraft}',
    },
    type,
    reason,
    message,
    source: { component: 'kubelet' },
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  });
}

/** A plain-http proxy in front of the sandbox that counts requests by "METHOD path?query". */
export interface CountingProxy {
  kubeConfig: KubeConfig;
  seen: string[];
  close(): Promise<void>;
}

export async function countingProxy(sb: Sandbox): Promise<CountingProxy> {
  const upstream = new URL(sb.url);
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const up = httpsRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
        ca: sb.server.caPem,
      },
      r => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'proxy', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'admin', token: sb.server.tokens.admin }],
    contexts: [{ name: 'proxy', cluster: 'proxy', user: 'admin', namespace: NS }],
    currentContext: 'proxy',
  });
  return {
    kubeConfig: kc,
    seen,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Resolves once `cond()` holds, checked every 20 ms (for conditions on what a running release printed). */
export function until(cond: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      if (cond()) {
        resolve();
        return;
      }
      if (Date.now() - t0 > timeoutMs) {
        reject(new Error(`timed out waiting for ${what}`));
        return;
      }
      setTimeout(tick, 20);
    };
    tick();
  });
}
