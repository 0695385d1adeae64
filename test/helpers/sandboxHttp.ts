// Raw HTTP access to a sandbox server as a given user, for wire-level assertions.
import type { SandboxServer } from '../../src/sandbox/server.js';
import type { SandboxUser } from '../../src/sandbox/auth.js';

export interface Reply { status: number; headers: Headers; body: unknown; text: string }

export function http(server: SandboxServer, user: SandboxUser | undefined = 'admin') {
  return async function request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const h: Record<string, string> = { Accept: 'application/json', ...headers };
    if (user) h.Authorization = `Bearer ${server.tokens[user]}`;
    if (body !== undefined && !h['Content-Type']) h['Content-Type'] = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
    const res = await fetch(`${server.url}${path}`, { method, headers: h, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    let parsed: unknown;
    try { parsed = JSON.parse(text); } catch { parsed = undefined; }
    return { status: res.status, headers: res.headers, body: parsed, text };
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
