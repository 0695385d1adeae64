// The one command table: every command id the extension contributes, and what it runs. Registration walks
// it, and a test checks it against package.json `contributes.commands` in both directions.
import type { Actions } from './actions.js';

export type CommandHandler = (...args: unknown[]) => unknown;

export function commandTable(a: Actions, release: (arg?: unknown) => Promise<void>): Record<string, CommandHandler> {
  return {
    'okg.release': (node?: unknown) => release(node),
    'okg.refresh': () => a.refresh(),
    'okg.showLog': () => a.showLog(),
    'okg.startDemoCluster': () => a.startDemoCluster(),
    'okg.selectNamespaces': (node?: unknown) => a.selectNamespaces(node),
    'okg.switchContext': () => a.switchContext(),
    'okg.setOpsState': (node?: unknown, selected?: unknown) => a.setOpsState(node, selected),
    'okg.setOpsState.none': (node?: unknown, selected?: unknown) => a.setOpsState(node, selected, 'None'),
    'okg.setOpsState.waitToBeDeleted': (node?: unknown, selected?: unknown) => a.setOpsState(node, selected, 'WaitToBeDeleted'),
    'okg.setOpsState.allocated': (node?: unknown, selected?: unknown) => a.setOpsState(node, selected, 'Allocated'),
    'okg.setOpsState.maintaining': (node?: unknown, selected?: unknown) => a.setOpsState(node, selected, 'Maintaining'),
    'okg.setOpsState.kill': (node?: unknown, selected?: unknown) => a.setOpsState(node, selected, 'Kill'),
    'okg.setOpsState.custom': (node?: unknown, selected?: unknown) => a.setOpsState(node, selected, ''),
    'okg.setDeletionPriority': (node?: unknown, selected?: unknown) => a.setPriority('deletionPriority', node, selected),
    'okg.setUpdatePriority': (node?: unknown, selected?: unknown) => a.setPriority('updatePriority', node, selected),
    'okg.copyName': (node?: unknown, selected?: unknown) => a.copyName(node, selected),
    'okg.openYaml': (node?: unknown, selected?: unknown) => a.openYaml(node, selected),
    'okg.scale': (node?: unknown) => a.scale(node),
    'okg.retireIdleOldRooms': (node?: unknown) => a.retireIdleOldRooms(node),
  };
}
