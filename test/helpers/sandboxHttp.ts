// Raw HTTPS access to a sandbox server as a given user, for wire-level assertions.
import { request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { SandboxServer } from '../../src/sandbox/server.js';
import type { SandboxUser } from '../../src/sandbox/auth.js';

export interface Reply { status: number; headers: { get(name: string): string | undefined }; body: unknown; text: string }

/** Sends one request to the sandbox, trusting its certificate; resolves with the response stream. */
export function open(server: SandboxServer, method: string, path: string, headers: Record<string, string>, body?: string, signal?: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const h = body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) };
    const req = httpsRequest(`${server.url}${path}`, { method, headers: h, ca: server.caPem, signal }, resolve);
    req.on('error', reject);
    req.end(body);
  });
}

/** Requests as `user`; `null` sends no token. */
export function http(server: SandboxServer, user: SandboxUser | null = 'admin') {
  return async function request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const h: Record<string, string> = { Accept: 'application/json', ...headers };
    if (user) h.Authorization = `Bearer ${server.tokens[user]}`;
    if (body !== undefined && !h['Content-Type']) h['Content-Type'] = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
    const res = await open(server, method, path, h, body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
    let text = '';
    for await (const chunk of res) text += chunk;
    let parsed: unknown;
    try { parsed = JSON.parse(text); } catch { parsed = undefined; }
    const got = res.headers;
    return { status: res.statusCode ?? 0, headers: { get: (n: string) => { const v = got[n.toLowerCase()]; return Array.isArray(v) ? v.join(', ') : v; } }, body: parsed, text };
  };
}

export const GSS_PATH = '/apis/game.kruise.io/v1alpha1/namespaces/default/gameserversets';
export const GS_PATH = '/apis/game.kruise.io/v1alpha1/namespaces/default/gameservers';
export const POD_PATH = '/api/v1/namespaces/default/pods';

export function gss(name: string, replicas: unknown = 3): object {
  return {
    apiVersion: 'game.kruise.io/v1alpha1', kind: 'GameServerSet', metadata: { name, namespace: 'default' },
    spec: { replicas, updateStrategy: { type: 'OnDelete' }, gameServerTemplate: { spec: { containers: [{ name: 'minecraft', image: 'registry.cn-hangzhou.aliyuncs.com/acs/minecraft-demo:1.12.2' }] } } },
  };
}

export function gs(name: string, labels: Record<string, string> = {}, ownerUid?: string): object {
  return {
    apiVersion: 'game.kruise.io/v1alpha1', kind: 'GameServer',
    metadata: { name, namespace: 'default', labels, ...(ownerUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name, uid: ownerUid, controller: true }] } : {}) },
    spec: { opsState: 'None', deletionPriority: 0, updatePriority: 0 },
  };
}

export function pod(name: string, nodeName?: string): object {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { 'game.kruise.io/owner-gss': 'minecraft' } },
    spec: { containers: [{ name: 'minecraft', image: 'registry.cn-hangzhou.aliyuncs.com/acs/minecraft-demo:1.12.2' }], ...(nodeName ? { nodeName } : {}) },
  };
}
