// A room's container log (pods/log): one streaming GET, followed for as long as the caller wants (one stream,
// never polling), with kubectl's options. Which container a room means when it has several, as kubectl picks it.
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { ClusterError, credentialFailure, toClusterError } from './errors.js';
import { clip } from './clip.js';
import { redact } from './redact.js';
import type { RawObject } from './okg.js';

export interface LogOptions {
  container?: string;
  follow?: boolean;
  previous?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  timestamps?: boolean;
}

/** The annotation kubectl reads for the container to use when none is named. */
export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

/** The pod's containers, in spec order. */
export function containerNames(pod: RawObject): string[] {
  const spec = pod.spec as { containers?: { name?: string }[] } | undefined;
  return (spec?.containers ?? []).map(c => c.name ?? '').filter(Boolean);
}

/** The container kubectl would use without -c: the default-container annotation if it names one, else the first. */
export function defaultContainer(pod: RawObject): string | undefined {
  const names = containerNames(pod);
  const annotated = pod.metadata.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  return annotated && names.includes(annotated) ? annotated : names[0];
}

export function logPath(namespace: string, pod: string, o: LogOptions): string {
  const q = new URLSearchParams();
  if (o.container) q.set('container', o.container);
  if (o.follow) q.set('follow', 'true');
  if (o.previous) q.set('previous', 'true');
  if (o.tailLines !== undefined && o.tailLines >= 0) q.set('tailLines', String(o.tailLines));
  if (o.sinceSeconds !== undefined) q.set('sinceSeconds', String(o.sinceSeconds));
  if (o.timestamps) q.set('timestamps', 'true');
  const qs = q.toString();
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log${qs ? `?${qs}` : ''}`;
}

/** Opens a GET that answers a stream (logs); rejects with a ClusterError naming `what` for a non-2xx reply. */
export async function openStream(
  kc: KubeConfig,
  path: string,
  op: { verb: string; resource: string; namespace: string; name: string },
  signal?: AbortSignal,
): Promise<IncomingMessage> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new ClusterError('the kubeconfig has no current cluster; choose a context', 'other');
  const server = redact(cluster.server);
  const opts: RequestOptions = { method: 'GET', headers: { Accept: '*/*' } };
  try {
    await kc.applyToHTTPSOptions(opts);
  } catch (e) {
    throw toClusterError(credentialFailure(e, kc), { ...op, server });
  }
  const url = new URL(`${cluster.server.replace(/\/+$/, '')}${path}`);
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = send(url, { ...opts, signal }, resolve);
    req.on('error', reject);
    req.end();
  }).catch((e: unknown) => {
    throw toClusterError(e, { ...op, server });
  });
  const status = res.statusCode ?? 0;
  if (status >= 200 && status < 300) return res;
  let text = '';
  for await (const c of res) text += c;
  let body: { message?: string } | undefined;
  try {
    body = JSON.parse(text) as { message?: string };
  } catch {
    body = undefined;
  }
  // 400 is the kubelet's "why not" (waiting to start, no previous run, which container): say it as it is.
  if (status === 400 && body?.message)
    throw new ClusterError(
      `cannot ${op.verb} ${op.resource} of "${op.name}": ${clip(redact(body.message), 300)}`,
      'other',
      400,
    );
  const err = Object.assign(new Error(`HTTP ${status}`), { statusCode: status, body, headers: res.headers });
  throw toClusterError(err, { ...op, server });
}

/**
 * Streams a room's log: `onText` gets the text as it arrives. Resolves when the log ends (the run ended, or
 * without follow at once), or when `signal` aborts.
 */
export async function streamLog(
  kc: KubeConfig,
  namespace: string,
  pod: string,
  o: LogOptions,
  onText: (text: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  const res = await openStream(
    kc,
    logPath(namespace, pod, o),
    { verb: 'get', resource: 'pods/log', namespace, name: pod },
    signal,
  );
  res.setEncoding('utf8');
  await new Promise<void>(resolve => {
    res.on('data', (t: string) => onText(t));
    res.on('end', resolve);
    res.on('close', resolve);
    res.on('error', () => resolve());
  });
}

/** Splits streamed text into whole lines; `flush` returns a last unterminated line. */
export class LineSplitter {
  private rest = '';
  push(text: string): string[] {
    const parts = (this.rest + text).split('\n');
    this.rest = parts.pop() ?? '';
    return parts;
  }
  flush(): string[] {
    const r = this.rest;
    this.rest = '';
    return r ? [r] : [];
  }
}
