// Raw HTTPS access to a world as a given user, for wire-level assertions (the world-neutral form of
// test/helpers/sandboxHttp.ts).
import { request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { User, World } from './world.js';

/** What the helpers need of a world: where it is, its CA, and a token per user. */
export type Endpoint = Pick<World, 'url' | 'caPem' | 'token'>;

export interface Reply {
  status: number;
  headers: { get(name: string): string | undefined };
  body: unknown;
  text: string;
}

export function open(
  world: Endpoint,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
  signal?: AbortSignal,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const h = body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) };
    const req = httpsRequest(`${world.url}${path}`, { method, headers: h, ca: world.caPem, signal }, resolve);
    req.on('error', reject);
    req.end(body);
  });
}

/** Requests as `user`; `null` sends no token, a string that is not a user is sent as the token. */
export function http(world: Endpoint, user: User | null | { token: string } = 'admin') {
  return async function request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> {
    const h: Record<string, string> = { Accept: 'application/json', ...headers };
    if (user) h.Authorization = `Bearer ${typeof user === 'object' ? user.token : world.token(user)}`;
    if (body !== undefined && !h['Content-Type'])
      h['Content-Type'] = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
    const res = await open(
      world,
      method,
      path,
      h,
      body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    );
    let text = '';
    for await (const chunk of res) text += chunk;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const got = res.headers;
    return {
      status: res.statusCode ?? 0,
      headers: {
        get: (n: string) => {
          const v = got[n.toLowerCase()];
          return Array.isArray(v) ? v.join(', ') : v;
        },
      },
      body: parsed,
      text,
    };
  };
}

export interface WatchEvent {
  type: string;
  object: {
    kind?: string;
    code?: number;
    reason?: string;
    message?: string;
    metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string> };
  };
}

/** Opens a raw watch on `path` and collects events until `stop()` or the server closes the stream. */
export function rawWatch(
  world: Endpoint,
  path: string,
  query: string,
): { events: WatchEvent[]; status: Promise<number>; stop: () => void; done: Promise<void> } {
  const events: WatchEvent[] = [];
  const ctl = new AbortController();
  let setStatus: (n: number) => void = () => undefined;
  const status = new Promise<number>(r => {
    setStatus = r;
  });
  const done = (async () => {
    try {
      const res = await open(
        world,
        'GET',
        `${path}?watch=true&${query}`,
        { Authorization: `Bearer ${world.token('admin')}` },
        undefined,
        ctl.signal,
      );
      setStatus(res.statusCode ?? 0);
      let buf = '';
      for await (const chunk of res as AsyncIterable<Buffer>) {
        buf += Buffer.from(chunk).toString('utf8');
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          events.push(JSON.parse(buf.slice(0, nl)) as WatchEvent);
          buf = buf.slice(nl + 1);
        }
      }
    } catch {
      /* aborted */
    }
    setStatus(0);
  })();
  return { events, status, stop: () => ctl.abort(), done };
}

export const GSS_PATH = '/apis/game.kruise.io/v1alpha1/namespaces/default/gameserversets';
export const GS_PATH = '/apis/game.kruise.io/v1alpha1/namespaces/default/gameservers';
export const POD_PATH = '/api/v1/namespaces/default/pods';
