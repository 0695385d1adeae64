// The settle window before reclaim: the release waits `settleMs` from its marks before it re-reads the rooms and
// lowers replicas or sets Kill. A matchmaker acting on a view of the rooms at most that old has by then either seen
// a mark (and takes another room) or written its Allocated, which the re-read sees — so the room is kept. Without it,
// an allocation landing between the release's last check and OKG acting on the pod label cost the room (issue 13 §6).
import type { ReleaseRun } from './run.js';
import { seconds } from './validate.js';

/** Waits out the rest of the settle window (abortable). A resumed run does not know when it marked: it waits it all. */
export async function settleWindow(run: ReleaseRun): Promise<void> {
  const ms = run.plan.input.settleMs;
  const left = (run.markedAt ?? Date.now()) + ms - Date.now();
  if (ms <= 0 || left <= 0) return;
  run.progress(
    `settle window: waiting ${seconds(left)} so a matchmaker with an older view of the rooms shows its allocations before the re-read`,
  );
  const signal = run.signal;
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, left);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}
