// Raw HTTPS access to a sandbox server as a given user, for wire-level assertions: the world-neutral
// helpers of test/controlplane/http.ts, pointed at a SandboxServer.
import type { IncomingMessage } from 'node:http';
import type { SandboxServer } from '../../src/sandbox/server.js';
import type { SandboxUser } from '../../src/sandbox/auth.js';
import { http as endpointHttp, open as endpointOpen, type Endpoint, type Reply } from '../controlplane/http.js';

export type { Reply };

const endpoint = (server: SandboxServer): Endpoint => ({
  url: server.url,
  caPem: server.caPem,
  token: user => server.tokens[user],
});

/** Sends one request to the sandbox, trusting its certificate; resolves with the response stream. */
export function open(
  server: SandboxServer,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
  signal?: AbortSignal,
): Promise<IncomingMessage> {
  return endpointOpen(endpoint(server), method, path, headers, body, signal);
}

/** Requests as `user`; `null` sends no token. */
export function http(server: SandboxServer, user: SandboxUser | null = 'admin') {
  return endpointHttp(endpoint(server), user);
}

export { GSS_PATH, GS_PATH, POD_PATH } from '../controlplane/http.js';

export function gss(name: string, replicas: unknown = 3): object {
  return {
    apiVersion: 'game.kruise.io/v1alpha1',
    kind: 'GameServerSet',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      updateStrategy: { type: 'OnDelete' },
      gameServerTemplate: {
        spec: {
          containers: [{ name: 'minecraft', image: 'registry.cn-hangzhou.aliyuncs.com/acs/minecraft-demo:1.12.2' }],
        },
      },
    },
  };
}

export function gs(name: string, labels: Record<string, string> = {}, ownerUid?: string): object {
  return {
    apiVersion: 'game.kruise.io/v1alpha1',
    kind: 'GameServer',
    metadata: {
      name,
      namespace: 'default',
      labels,
      ...(ownerUid
        ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name, uid: ownerUid, controller: true }] }
        : {}),
    },
    spec: { opsState: 'None', deletionPriority: 0, updatePriority: 0 },
  };
}

export function pod(name: string, nodeName?: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { 'game.kruise.io/owner-gss': 'minecraft' } },
    spec: {
      containers: [{ name: 'minecraft', image: 'registry.cn-hangzhou.aliyuncs.com/acs/minecraft-demo:1.12.2' }],
      ...(nodeName ? { nodeName } : {}),
    },
  };
}
