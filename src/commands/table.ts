// The one command table: every command id the extension contributes (package.json `contributes.commands`)
// and the handler it runs. Registration (extension.ts) walks it and guards each handler (guard.ts);
// test/extension/table.test.ts checks it against package.json both ways. No `vscode` import: the handlers
// are the glue's (src/views), reached through the interfaces below.

export type CommandHandler = (...args: unknown[]) => unknown;

/** What the view commands do (src/views/clusterActions.ts). */
export interface ViewCommands {
  refresh(): Promise<void>;
  showLog(): void;
  startDemoCluster(): Promise<unknown>;
  selectNamespaces(node?: unknown): Promise<unknown>;
  switchContext(): Promise<unknown>;
  filterRooms(): Promise<unknown>;
  clearFilter(): Promise<unknown>;
}

/** What the room and GameServerSet commands do (src/views/actions*.ts). */
export interface RoomCommands {
  setOpsState(node?: unknown, selected?: unknown, value?: string): Promise<unknown>;
  setPriority(field: 'deletionPriority' | 'updatePriority', node?: unknown, selected?: unknown): Promise<unknown>;
  copyName(node?: unknown, selected?: unknown): Promise<unknown>;
  openYaml(node?: unknown, selected?: unknown): Promise<unknown>;
  scale(node?: unknown): Promise<unknown>;
  retireIdleOldRooms(node?: unknown): Promise<unknown>;
  showReleaseHistory(node?: unknown): Promise<unknown>;
}

/** A room up close (src/views/roomActions.ts): logs, describe, terminal, address; a set's events. */
export interface CloseUpCommands {
  showLogs(node?: unknown): Promise<unknown>;
  describe(node?: unknown): Promise<unknown>;
  openTerminal(node?: unknown): Promise<unknown>;
  copyAddress(node?: unknown): Promise<unknown>;
  showEvents(node?: unknown): Promise<unknown>;
}

/** `release` opens the release wizard (src/wizard/register.ts); `rollback` is Roll Back Last Release… (src/views/rollback.ts). */
export function commandTable(
  v: ViewCommands,
  r: RoomCommands,
  release: (arg?: unknown) => Promise<void>,
  rollback: (arg?: unknown) => Promise<unknown>,
  closeUp: CloseUpCommands,
): Record<string, CommandHandler> {
  return {
    'okg.release': (node?: unknown) => release(node),
    'okg.rollback': (node?: unknown) => rollback(node),
    'okg.refresh': () => v.refresh(),
    'okg.showLog': () => v.showLog(),
    'okg.startDemoCluster': () => v.startDemoCluster(),
    'okg.selectNamespaces': (node?: unknown) => v.selectNamespaces(node),
    'okg.switchContext': () => v.switchContext(),
    'okg.filterRooms': () => v.filterRooms(),
    'okg.clearFilter': () => v.clearFilter(),
    'okg.setOpsState': (node?: unknown, selected?: unknown) => r.setOpsState(node, selected),
    'okg.setOpsState.none': (node?: unknown, selected?: unknown) => r.setOpsState(node, selected, 'None'),
    'okg.setOpsState.waitToBeDeleted': (node?: unknown, selected?: unknown) =>
      r.setOpsState(node, selected, 'WaitToBeDeleted'),
    'okg.setOpsState.allocated': (node?: unknown, selected?: unknown) => r.setOpsState(node, selected, 'Allocated'),
    'okg.setOpsState.maintaining': (node?: unknown, selected?: unknown) => r.setOpsState(node, selected, 'Maintaining'),
    'okg.setOpsState.kill': (node?: unknown, selected?: unknown) => r.setOpsState(node, selected, 'Kill'),
    'okg.setOpsState.custom': (node?: unknown, selected?: unknown) => r.setOpsState(node, selected, ''),
    'okg.setDeletionPriority': (node?: unknown, selected?: unknown) =>
      r.setPriority('deletionPriority', node, selected),
    'okg.setUpdatePriority': (node?: unknown, selected?: unknown) => r.setPriority('updatePriority', node, selected),
    'okg.copyName': (node?: unknown, selected?: unknown) => r.copyName(node, selected),
    'okg.openYaml': (node?: unknown, selected?: unknown) => r.openYaml(node, selected),
    'okg.scale': (node?: unknown) => r.scale(node),
    'okg.retireIdleOldRooms': (node?: unknown) => r.retireIdleOldRooms(node),
    'okg.showLogs': (node?: unknown) => closeUp.showLogs(node),
    'okg.describeRoom': (node?: unknown) => closeUp.describe(node),
    'okg.openTerminal': (node?: unknown) => closeUp.openTerminal(node),
    'okg.copyAddress': (node?: unknown) => closeUp.copyAddress(node),
    'okg.showEvents': (node?: unknown) => closeUp.showEvents(node),
    'okg.showReleaseHistory': (node?: unknown) => r.showReleaseHistory(node),
  };
}
