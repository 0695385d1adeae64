// What the explorer shows, as pure functions of the cluster views: row descriptions, tooltips, icon choice,
// the welcome state and the decisions behind confirmations. No `vscode` here, so tests call these directly.
import { imageTag, sameImage } from '../cluster/images.js';
import { plural } from '../cluster/util.js';
import {
  runsImage,
  scaleDownOrder,
  type ContainerImage,
  type GameServerSetView,
  type RoomView,
} from '../cluster/okg.js';

/** A room runs the GameServerSet's current template in every container. */
export function isCurrent(room: RoomView, gss: GameServerSetView): boolean {
  return gss.images.length > 0 && gss.images.every(c => runsImage(room, c.container, c.image));
}

/** Counts of non-None opsStates for row descriptions: Allocated, WaitToBeDeleted, Kill, Maintaining, then custom values by name. */
export function opsStateCounts(rooms: readonly RoomView[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of rooms) if (r.opsState !== 'None') counts.set(r.opsState, (counts.get(r.opsState) ?? 0) + 1);
  const order = ['Allocated', 'WaitToBeDeleted', 'Kill', 'Maintaining'];
  const rank = (s: string) => (order.includes(s) ? order.indexOf(s) : order.length);
  return [...counts].sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]));
}

/** `6 rooms · 1 Allocated · 2 WaitToBeDeleted · 3/3 new ready` (or `3/3 ready` when every room is current). */
export function gssDescription(gss: GameServerSetView, rooms: readonly RoomView[]): string {
  const parts = [plural(rooms.length, 'room')];
  for (const [state, n] of opsStateCounts(rooms)) parts.push(`${n} ${state}`);
  const current = rooms.filter(r => isCurrent(r, gss));
  const readyCurrent = current.filter(r => r.state === 'Ready').length;
  if (rooms.length) {
    parts.push(
      current.length === rooms.length
        ? `${readyCurrent}/${rooms.length} ready`
        : `${readyCurrent}/${current.length} new ready`,
    );
  }
  return parts.join(' · ');
}

/** Escapes Markdown punctuation in cluster-provided text (names, images, custom opsStates). */
export function md(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, c => `\\${c}`);
}

function imageLines(images: readonly ContainerImage[]): string[] {
  return images.map(c => `- \`${c.container}\`: \`${c.image.replace(/`/g, '')}\``);
}

/** The OnDelete gotcha (§2.1): `rollingUpdate` present forces RollingUpdate whatever `type` says. */
export function strategyWarning(gss: GameServerSetView): string | undefined {
  if (gss.updateStrategyType === 'OnDelete' && gss.rollingUpdatePresent) {
    return 'updateStrategy.type is OnDelete, but rollingUpdate is set, so OKG updates rooms as RollingUpdate (in place, players included). Remove rollingUpdate to really get OnDelete.';
  }
  return undefined;
}

export function gssTooltip(gss: GameServerSetView, rooms: readonly RoomView[]): string {
  const lines = [
    `**GameServerSet ${md(gss.name)}** in namespace ${md(gss.namespace)}`,
    '',
    '**Images**',
    ...imageLines(gss.images),
    '',
  ];
  const strategy =
    gss.updateStrategyType +
    (gss.rollingUpdatePresent && gss.updateStrategyType !== 'RollingUpdate' ? ' (with rollingUpdate)' : '');
  lines.push(`**Update strategy:** ${md(strategy)}`);
  const warning = strategyWarning(gss);
  if (warning) lines.push('', `$(warning) ${md(warning)}`);
  lines.push(
    '',
    `**Replicas:** ${gss.replicas} desired · ${gss.currentReplicas} current · ${gss.readyReplicas} ready · ${gss.updatedReplicas} updated`,
  );
  lines.push(
    `**Counters:** ${gss.maintainingReplicas} Maintaining · ${gss.waitToBeDeletedReplicas} WaitToBeDeleted (pod labels)`,
  );
  const counts = opsStateCounts(rooms);
  lines.push(
    `**Rooms by opsState:** ${rooms.length - counts.reduce((n, [, c]) => n + c, 0)} None${counts.map(([s, n]) => ` · ${n} ${md(s)}`).join('')}`,
  );
  if (gss.generation !== gss.observedGeneration)
    lines.push(
      '',
      `$(sync~spin) OKG has not finished reacting to the last change (generation ${gss.generation}, observed ${gss.observedGeneration}).`,
    );
  return lines.join('\n');
}

/** The tag of each container's image, or `container tag` pairs when several containers differ. */
export function imagesLabel(images: readonly ContainerImage[]): string {
  const tags = images.map(c => imageTag(c.image));
  if (!tags.length) return '';
  if (new Set(tags).size === 1) return tags[0];
  return images.map((c, i) => `${c.container} ${tags[i]}`).join(', ');
}

/**
 * `Ready · Allocated · 1.12.2-new` (opsState None is left out); with a network plugin (`network`: the set has
 * spec.network) also `network Ready` or `network NotReady`, as players reach a room only once it is Ready.
 */
export function roomDescription(room: RoomView, network = false): string {
  const parts = [room.terminating && room.state !== 'Deleting' ? 'Deleting' : room.state || 'Starting'];
  if (room.opsState !== 'None') parts.push(room.opsState);
  if (network && !room.networkDisabled) parts.push(`network ${room.networkState || 'Waiting'}`);
  const images = imagesLabel(room.images);
  if (images) parts.push(images);
  return parts.join(' · ');
}

/**
 * A room as a quick-pick item's description and detail, so typing a state, an opsState (None included), a
 * priority or an image tag finds it (the pickers set matchOnDescription and matchOnDetail).
 */
export function roomPickText(room: RoomView): { description: string; detail: string } {
  return {
    description: roomDescription(room),
    detail: `opsState ${room.opsState} · deletionPriority ${room.deletionPriority || '0'} · updatePriority ${room.updatePriority || '0'} · ${room.images.map(c => c.image).join(', ') || 'no image yet'}`,
  };
}

export function age(from: string, now: number): string {
  const t = Date.parse(from);
  if (!Number.isFinite(t)) return 'unknown';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** The tooltip's network lines: disabled, or the plugin's state and the addresses it wrote. */
function networkLines(room: RoomView): string[] {
  if (room.networkDisabled) return ['**Network:** disabled (networkDisabled: true)'];
  const lines = [`**Network:** ${room.networkState ? md(room.networkState) : 'enabled (no network status written)'}`];
  if (room.addresses?.external.length)
    lines.push(`**External address:** ${room.addresses.external.map(md).join(', ')}`);
  if (room.addresses?.internal.length)
    lines.push(`**Internal address:** ${room.addresses.internal.map(md).join(', ')}`);
  return lines;
}

/** Markdown with one fact per line: lines in a block end in a hard break, blocks ('' between) are paragraphs. */
function factLines(lines: readonly string[]): string {
  const blocks: string[][] = [[]];
  for (const l of lines) {
    if (l === '') blocks.push([]);
    else blocks[blocks.length - 1].push(l);
  }
  return blocks
    .filter(b => b.length)
    .map(b => b.map(l => (l.startsWith('- ') ? l : `${l}\\`)).join('\n'))
    .map(b => b.replace(/\\$/, ''))
    .join('\n\n');
}

/** A time and how long ago, or why it is unknown. */
function since(at: string | undefined, now: number, missing: string): string {
  return at ? `${age(at, now)} (since ${md(at)})` : missing;
}

export function roomTooltip(room: RoomView, now = Date.now()): string {
  const lines = [
    `**GameServer ${md(room.name)}** of ${md(room.gameServerSet)} in namespace ${md(room.namespace)}`,
    '',
    `**State:** ${md(room.state || 'Starting')}${room.terminating ? ' (terminating)' : ''}`,
    `**Time in state:** ${since(room.stateChangedAt, now, 'unknown (no state-last-changed-time annotation on the pod yet)')}`,
    `**opsState:** ${md(room.opsState)}${room.podOpsState !== undefined && room.podOpsState !== room.opsState ? ` (pod label still ${md(room.podOpsState)}: OKG has not synced it yet)` : ''}`,
    ...(room.opsStateChangedAt
      ? [`**Last opsState change:** ${md(room.opsStateChangedAt)} (${age(room.opsStateChangedAt, now)} ago)`]
      : []),
    `**Deletion priority:** ${md(room.deletionPriority)}`,
    `**Update priority:** ${md(room.updatePriority)}`,
    '',
    '**Images (spec)**',
    '',
    ...imageLines(room.images),
  ];
  const differs = room.runningImages.filter(r => {
    const d = room.images.find(c => c.container === r.container);
    return r.image && (!d || !sameImage(d.image, r.image));
  });
  if (room.runningImages.length) {
    lines.push(
      '',
      differs.length ? '**Images (running, differ from spec)**' : '**Images (running)**',
      '',
      ...imageLines(room.runningImages),
    );
  }
  lines.push(
    '',
    `**Node:** ${md(room.node ?? 'not scheduled')}`,
    ...networkLines(room),
    `**Age:** ${age(room.creationTimestamp, now)}`,
  );
  return factLines(lines);
}

export interface IconChoice {
  id: string;
  color?: string;
}

/** Shape from the opsState, colour from the state (problems win) and then the opsState. */
export function roomIcon(room: RoomView): IconChoice {
  const shape: Record<string, string> = {
    None: 'vm',
    Allocated: 'account',
    WaitToBeDeleted: 'clock',
    Maintaining: 'tools',
    Kill: 'close',
  };
  const id =
    room.terminating || room.state === 'Deleting' || room.state === 'PreDelete'
      ? 'trash'
      : (shape[room.opsState] ?? 'tag');
  if (room.state === 'Crash') return { id: 'error', color: 'errorForeground' };
  if (room.state === 'NotReady' || room.state === 'Unknown') return { id, color: 'list.warningForeground' };
  if (room.state !== 'Ready') return { id, color: 'disabledForeground' };
  const colour: Record<string, string> = {
    None: 'testing.iconPassed',
    Allocated: 'charts.blue',
    WaitToBeDeleted: 'charts.orange',
    Maintaining: 'charts.purple',
    Kill: 'charts.red',
  };
  return { id, color: colour[room.opsState] ?? 'charts.yellow' };
}

export function gssIcon(gss: GameServerSetView): IconChoice {
  if (strategyWarning(gss)) return { id: 'server-process', color: 'list.warningForeground' };
  return { id: 'server-process' };
}

/** The kubeconfig welcome states (connections.ts decides which) and the cluster ones. */
export type WelcomeState = 'noKubeconfig' | 'missingKubeconfig' | 'badKubeconfig' | 'noCrds' | 'noGameServerSets';

export interface NamespaceOutcome {
  errorKind?: string;
  gameServerSets: number;
}

/**
 * Which welcome view replaces the tree, if any: no usable context at all (why: no kubeconfig, a named file
 * missing, or one that cannot be used); every namespace answered 404 for the OKG collections (CRDs missing);
 * or everything answered and there is no GameServerSet. Anything else shows the tree, with errors as items
 * under the failing node.
 */
export function welcomeState(
  contexts: number,
  namespaces: readonly NamespaceOutcome[],
  kubeconfigProblem?: 'noKubeconfig' | 'missingKubeconfig' | 'badKubeconfig',
): WelcomeState | undefined {
  if (contexts === 0) return kubeconfigProblem ?? 'noKubeconfig';
  if (namespaces.length && namespaces.every(n => n.errorKind === 'notFound' && n.gameServerSets === 0)) return 'noCrds';
  if (namespaces.every(n => !n.errorKind) && namespaces.reduce((s, n) => s + n.gameServerSets, 0) === 0)
    return 'noGameServerSets';
  return undefined;
}

/** Idle rooms left on an old version: opsState None, not terminating, not running the template in every container. */
export function retireCandidates(gss: GameServerSetView, rooms: readonly RoomView[]): RoomView[] {
  return rooms.filter(r => r.opsState === 'None' && !r.terminating && !isCurrent(r, gss));
}

/** What a confirmation must call out before an opsState change, or undefined when it is not destructive. */
export function destructiveOpsState(
  rooms: readonly RoomView[],
  opsState: string,
): { allocated: RoomView[]; message: string } | undefined {
  const allocated = rooms.filter(r => r.opsState === 'Allocated');
  const n = rooms.length;
  if (opsState === 'Kill') {
    return {
      allocated,
      message: `Kill ${plural(n, 'room')}? OKG deletes them right away${allocated.length ? `, including ${allocated.length} Allocated (players on it)` : ''}.`,
    };
  }
  if (opsState === 'WaitToBeDeleted' && allocated.length) {
    return {
      allocated,
      message: `Mark ${plural(n, 'room')} WaitToBeDeleted, ${allocated.length} of them Allocated (players on it)? They are deleted at the next scale-down.`,
    };
  }
  return undefined;
}

/**
 * Rooms a scale-down from the current room count to `replicas` would remove, as OKG picks them: by opsState
 * rank, then deletion priority, then the highest ordinal (an approximation for the confirmation only).
 */
export function scaleDownVictims(rooms: readonly RoomView[], replicas: number): RoomView[] {
  const live = rooms.filter(r => !r.terminating);
  const remove = live.length - replicas;
  if (remove <= 0) return [];
  // OKG reads the pod labels (what the GameServer controller last synced), else the GameServer's spec.
  const ranked = scaleDownOrder(
    live.map(r => ({
      r,
      opsState: r.podOpsState ?? r.opsState,
      deletionPriority: r.podDeletionPriority ?? r.deletionPriority,
      ordinal: r.ordinal,
    })),
  );
  return ranked.slice(0, remove).map(x => x.r);
}
