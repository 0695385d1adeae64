// Every command handler runs inside `guarded`: a failure is written to the log (with its stack) and shown
// to the user as one message naming the command, instead of an unhandled rejection VS Code reports as
// "command 'okg.x' resulted in an error" or not at all. The handler's own result passes through.
import type { CommandHandler } from './table.js';

export interface FailureReport {
  /** The log line (the full error, stack included). */
  log(line: string): void;
  /** The one message the user sees. */
  show(message: string): void;
}

export function guarded(id: string, handler: CommandHandler, report: FailureReport): CommandHandler {
  return async (...args: unknown[]) => {
    try {
      return await handler(...args);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      report.log(`${id} failed: ${e instanceof Error && e.stack ? e.stack : reason}`);
      report.show(`OKG: ${id} failed: ${reason.split('\n')[0]}. The OKG Ops log has the details.`);
      return undefined;
    }
  };
}
