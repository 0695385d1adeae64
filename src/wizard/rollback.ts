// The host's side of Roll Back in the wizard: the rollback engine's plan for the release this window's last run ran
// (the host names it — set, namespace and release id — the webview only asks), and the start of that rollback once
// the page asks for the plan it showed. The rollback engine refuses, with one sentence and no write, when the
// set's last release is no longer that one.
import { previewRollback } from '../release/rollback.js';
import type { RollbackPlan } from '../release/rollbackTypes.js';
import { DEFAULT_TIMEOUT_MS } from '../release/validate.js';
import type { RollbackTarget } from '../webview/protocol.js';
import type { WizardLog, WizardScope } from './host.js';
import { WizardRollback, WizardRun, type WizardRuns } from './run.js';

/** A rollback the page was shown, ready to run on its yes. */
export interface PlannedRollback {
  seq: number;
  scope: WizardScope;
  target: RollbackTarget;
  plan: RollbackPlan;
  timeoutMs: number;
  releaseImages: RollbackPlan['release']['images'];
}

/** Plans the rollback of the release `runs` last ran; one sentence when there is none to roll back. */
export async function planWizardRollback(
  runs: WizardRuns,
  seq: number,
): Promise<{ ok: true; planned: PlannedRollback; message: string } | { ok: false; message: string }> {
  const last = runs.current;
  if (!(last instanceof WizardRun) || last.running || !last.result?.id)
    return {
      ok: false,
      message:
        'There is no finished release in this window to roll back; use Roll Back Last Release… on the GameServerSet in the Game Servers view.',
    };
  const { scope, input } = last;
  const timeoutMs = input.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const target = { namespace: input.namespace, gameServerSet: input.gameServerSet, release: last.result.id };
  const r = await previewRollback(
    { namespace: target.namespace, gameServerSet: target.gameServerSet, release: target.release, timeoutMs },
    { client: scope.client, cache: await scope.cache() },
  );
  if (r.outcome !== 'succeeded' || !r.plan) return { ok: false, message: r.message };
  const plan = r.plan;
  return {
    ok: true,
    message: r.message,
    planned: {
      seq,
      scope,
      target: { ...target, images: plan.images },
      plan,
      timeoutMs,
      releaseImages: plan.release.images,
    },
  };
}

/** Starts the planned rollback (the caller has checked that nothing else runs). */
export async function startWizardRollback(
  p: PlannedRollback,
  log: WizardLog,
  patchDir?: string,
): Promise<WizardRollback> {
  return new WizardRollback(p.scope, p.target, p.releaseImages, p.timeoutMs, await p.scope.cache(), log, patchDir);
}
