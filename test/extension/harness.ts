// Test harness for the extension glue: activates the extension against the vscode stub, points it at a
// sandbox's kubeconfig (as the user's own kubeconfig), and reads the tree back as plain rows.
import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import * as stub from './stub/vscode.js';
import { activate, deactivate, type OkgExtension } from '../../src/extension.js';
import type { Node } from '../../src/views/explorer.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { SEED } from '../../src/sandbox/scenarios.js';

export { stub };

export interface Row {
  depth: number;
  label: string;
  description?: string;
  id?: string;
  contextValue?: string;
  icon?: string;
  color?: string;
  tooltip?: string;
  node: Node;
}

export function activateWith(
  settings: Record<string, unknown>,
): OkgExtension & { context: ReturnType<typeof stub.extensionContext> } {
  stub.config.clear();
  for (const [k, v] of Object.entries(settings)) stub.config.set(k, v);
  stub.ui.reset();
  const context = stub.extensionContext();
  // The stub's context carries what the glue uses (subscriptions, workspaceState).
  const ext = activate(context as unknown as Parameters<typeof activate>[0]);
  return { ...ext, context };
}

export async function deactivateAll(
  ext: { context: ReturnType<typeof stub.extensionContext> } | undefined,
): Promise<void> {
  await deactivate();
  for (const d of ext?.context.subscriptions ?? []) d.dispose();
}

/** Every row of the tree, depth-first, as VS Code would render it once every shown namespace's lists are in. */
export async function rows(ext: OkgExtension): Promise<Row[]> {
  // A namespace or set still listing shows a "loading" row (treeFirstRows.test.ts): wait for the lists first.
  await ext.explorer.scopes().catch(() => undefined);
  const out: Row[] = [];
  const walk = async (parent: Node | undefined, depth: number) => {
    for (const node of await ext.explorer.getChildren(parent)) {
      const item = ext.explorer.getTreeItem(node) as unknown as stub.TreeItem;
      const icon = item.iconPath;
      // VS Code asks for the rest of an item (its Markdown tooltip) on hover: the rows read it the same way.
      const tooltip = (
        ext.explorer.resolveTreeItem(
          item as unknown as Parameters<typeof ext.explorer.resolveTreeItem>[0],
          node,
        ) as unknown as stub.TreeItem
      ).tooltip;
      out.push({
        depth,
        label: item.label,
        description: item.description,
        id: item.id,
        contextValue: item.contextValue,
        icon: icon?.id,
        color: icon?.color?.id,
        tooltip: typeof tooltip === 'string' ? tooltip : tooltip?.value,
        node,
      });
      await walk(node, depth + 1);
    }
  };
  await walk(undefined, 0);
  return out;
}

export async function roomNode(ext: OkgExtension, name: string): Promise<Node> {
  const r = (await rows(ext)).find(x => x.node.kind === 'room' && x.label === name);
  if (!r) throw new Error(`no room row ${name}`);
  return r.node;
}

export async function gssNode(ext: OkgExtension, name: string): Promise<Node> {
  const r = (await rows(ext)).find(x => x.node.kind === 'gss' && x.label === name);
  if (!r) throw new Error(`no GameServerSet row ${name}`);
  return r.node;
}

/** Writes a GameServer's spec as another client would (the matchmaker, kubectl). */
export async function patchGs(sandbox: Sandbox, name: string, spec: Record<string, unknown>): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(sandbox.kubeConfig('admin'));
  await api.patch(
    {
      apiVersion: 'game.kruise.io/v1alpha1',
      kind: 'GameServer',
      metadata: { name, namespace: 'default' },
      spec,
    } as KubernetesObject,
    undefined,
    undefined,
    undefined,
    undefined,
    PatchStrategy.MergePatch,
  );
}

/** Puts a new image into the seed GameServerSet's template, as a release's first step does. */
export async function patchGss(sandbox: Sandbox, change: { template: string }): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(sandbox.kubeConfig('admin'));
  await api.patch(
    {
      apiVersion: 'game.kruise.io/v1alpha1',
      kind: 'GameServerSet',
      metadata: { name: SEED.gameServerSet, namespace: SEED.namespace },
      spec: { gameServerTemplate: { spec: { containers: [{ name: SEED.container, image: change.template }] } } },
    } as KubernetesObject,
    undefined,
    undefined,
    undefined,
    undefined,
    PatchStrategy.MergePatch,
  );
}

/** Resolves once the extension's own cache shows `predicate` true for the room. */
export async function until(
  ext: OkgExtension,
  name: string,
  predicate: (r: { opsState: string; deletionPriority: string; updatePriority: string }) => boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const scopes = await ext.explorer.scopes();
  const cache = scopes[0]?.cache;
  if (!cache) throw new Error('no namespace cache');
  await cache.waitFor(
    () => {
      const r = cache.room(name);
      return r && predicate(r) ? true : undefined;
    },
    { timeoutMs, describeTimeout: () => `room ${name} did not reach the expected state` },
  );
}

/** Restores the seed's room marks: minecraft-0 Allocated, the others None, priorities 0. */
export async function resetSeed(ext: OkgExtension, sandbox: Sandbox): Promise<void> {
  const want: Record<string, string> = { 'minecraft-0': 'Allocated', 'minecraft-1': 'None', 'minecraft-2': 'None' };
  const gsRes = sandbox.server.resource('gameservers');
  for (const [name, opsState] of Object.entries(want)) {
    // A room the previous test killed is gone until OKG creates it again (quickly, with the emulator at speed):
    // wait for it, and write again if the write landed in that gap.
    for (let attempt = 1; ; attempt++) {
      await sandbox.waitFor(() => sandbox.server.store.get(gsRes, 'default', name) !== undefined, 30_000, `${name}`);
      try {
        await patchGs(sandbox, name, { opsState, deletionPriority: 0, updatePriority: 0 });
        break;
      } catch (e) {
        if ((e as { code?: unknown }).code !== 404 || attempt >= 20) throw e;
      }
    }
    await until(ext, name, r => r.opsState === opsState && r.deletionPriority === '0' && r.updatePriority === '0');
  }
  sandbox.server.clearWriteLog();
  stub.ui.reset();
  for (const ch of stub.channels) ch.lines.length = 0;
}
