// Filter Rooms… (the view's funnel): one multi-select quick pick over opsState, state, version and "changed in
// the last N minutes", offering the values the shown rooms have, with the current filter ticked. An empty pick
// clears the filter; Escape changes nothing; a bad number of minutes is refused in the input box.
import * as vscode from 'vscode';
import { RESERVED_OPS_STATES } from '../cluster/okg.js';
import type { Explorer } from './explorer.js';
import { filterProblem, shownState, versionOf, type RoomFilter } from './filter.js';

type Item = vscode.QuickPickItem & { add?: (f: RoomFilter) => void; custom?: boolean };

const MINUTES = [5, 15, 60];
const STATES = ['Ready', 'NotReady', 'Creating', 'Crash', 'Deleting', 'Starting'];
const CUSTOM = '$(clock) Changed in the last N minutes…';

const sep = (label: string): Item => ({ label, kind: vscode.QuickPickItemKind.Separator });

export async function pickFilter(explorer: Explorer): Promise<RoomFilter | undefined> {
  const rooms = (await explorer.allRooms()).map(n => n.room);
  const now = explorer.filter ?? {};
  const seen = <T>(xs: Iterable<T>) => [...new Set(xs)].sort();
  const opsStates = seen([...RESERVED_OPS_STATES, ...rooms.map(r => r.opsState)]);
  const states = seen([...STATES, ...rooms.map(shownState)]);
  const versions = seen(rooms.map(versionOf));
  const count = (pred: (r: (typeof rooms)[number]) => boolean) => `${rooms.filter(pred).length} shown`;
  const items: Item[] = [
    sep('opsState'),
    ...opsStates.map(v => ({
      label: `opsState: ${v}`,
      description: count(r => r.opsState === v),
      picked: !!now.opsStates?.includes(v),
      add: (f: RoomFilter) => (f.opsStates = [...(f.opsStates ?? []), v]),
    })),
    sep('state'),
    ...states.map(v => ({
      label: `state: ${v}`,
      description: count(r => shownState(r) === v),
      picked: !!now.states?.includes(v),
      add: (f: RoomFilter) => (f.states = [...(f.states ?? []), v]),
    })),
    sep('version'),
    ...versions.map(v => ({
      label: `version: ${v}`,
      description: count(r => versionOf(r) === v),
      picked: !!now.versions?.includes(v),
      add: (f: RoomFilter) => (f.versions = [...(f.versions ?? []), v]),
    })),
    sep('changed'),
    ...[...new Set([...MINUTES, ...(now.changedWithinMinutes ? [now.changedWithinMinutes] : [])])].map(m => ({
      label: `changed in the last ${m} minutes`,
      picked: now.changedWithinMinutes === m,
      add: (f: RoomFilter) => (f.changedWithinMinutes = Math.min(f.changedWithinMinutes ?? m, m)),
    })),
    { label: CUSTOM, custom: true },
  ];
  const picked = (await vscode.window.showQuickPick(items, {
    canPickMany: true,
    title: 'Filter Rooms',
    placeHolder: 'Show only rooms with these values (none: show every room)',
    matchOnDescription: true,
  })) as Item[] | undefined;
  if (!picked) return explorer.filter;
  const f: RoomFilter = {};
  for (const i of picked) i.add?.(f);
  if (picked.some(i => i.custom)) {
    const text = await vscode.window.showInputBox({
      title: 'Filter Rooms',
      prompt: 'Rooms whose state or opsState changed in the last … minutes',
      validateInput: v => filterProblem({ changedWithinMinutes: Number(v.trim()) }),
    });
    if (text === undefined) return explorer.filter;
    f.changedWithinMinutes = Number(text.trim());
  }
  await explorer.setFilter(f);
  return explorer.filter;
}
