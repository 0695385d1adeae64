// The OKG emulator on a worker thread (./emulatorWorker.ts): what `okg sandbox` starts, so that at 10,000 rooms the
// emulator's client work and the API server's request handling run on two cores instead of taking turns on one.
// The returned OkgEmulator forwards each call as a message; options are checked here first, so a bad one throws in
// the caller as it does in-thread. Options that are functions (`room`) need the in-thread emulator.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { KubeConfig } from '@kubernetes/client-node';
import { checkEmulatorOptions, type OkgEmulator, type OkgEmulatorOptions } from './emulator.js';
import { checkFailImages } from './failures.js';
import type { ThreadReply, ThreadRequest, WorkerData } from './emulatorThreadProtocol.js';

/**
 * The worker's script: next to this file when run from the compiled tree (out/), or the bundle beside the CLI's
 * (dist/okg-emulator.mjs, scripts/build.mjs). Undefined when neither is there.
 */
export function emulatorWorkerUrl(): URL | undefined {
  for (const candidate of ['./emulatorWorker.js', './okg-emulator.mjs']) {
    const url = new URL(candidate, import.meta.url);
    if (url.protocol === 'file:' && existsSync(fileURLToPath(url))) return url;
  }
  return undefined;
}

export async function startOkgEmulatorThread(
  kc: KubeConfig,
  opts: OkgEmulatorOptions = {},
  script: URL | undefined = emulatorWorkerUrl(),
): Promise<OkgEmulator> {
  checkEmulatorOptions(opts);
  if (opts.room) throw new Error('the emulator thread takes no `room` function; start the emulator in-thread');
  if (!script) throw new Error('the emulator thread script (emulatorWorker.js or okg-emulator.mjs) is missing');
  const { room: _room, log, ...options } = opts;
  const data: WorkerData = { kubeconfig: kc.exportConfig(), options, log: log !== undefined };
  // A larger young generation: the informers' churn of short-lived objects then costs about a third less garbage
  // collection (profiled at 4,000 rooms: 2.3 s → 1.5 s of the thread's time).
  const worker = new Worker(script, { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 48 } });
  let failure: Error | undefined;
  let exited = false;
  const settledWaiters = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let stopped: (() => void) | undefined;
  let nextId = 0;
  const fail = (e: Error) => {
    failure ??= e;
    for (const w of settledWaiters.values()) w.reject(failure);
    settledWaiters.clear();
  };

  await new Promise<void>((resolve, reject) => {
    worker.on('message', (m: ThreadReply) => {
      switch (m.type) {
        case 'ready':
          resolve();
          return;
        case 'failed':
          reject(new Error(m.message));
          void worker.terminate();
          return;
        case 'log':
          log?.(m.message);
          return;
        case 'settled':
          settledWaiters.get(m.id)?.resolve();
          settledWaiters.delete(m.id);
          return;
        case 'stopped':
          stopped?.();
          return;
      }
    });
    worker.on('error', (e: Error) => {
      const err = new Error(`the OKG emulator's thread failed: ${e.message}`);
      fail(err);
      reject(err);
    });
    worker.on('exit', code => {
      exited = true;
      if (!stopped) fail(new Error(`the OKG emulator's thread exited (code ${code})`));
      stopped?.();
      reject(failure ?? new Error(`the OKG emulator's thread exited (code ${code}) before it was ready`));
    });
  });

  const send = (m: ThreadRequest) => {
    if (!exited) worker.postMessage(m);
  };
  return {
    async stop() {
      if (exited) return;
      await new Promise<void>(resolve => {
        stopped = resolve;
        send({ type: 'stop' });
      });
      await worker.terminate();
    },
    settled() {
      if (failure) return Promise.reject(failure);
      const id = ++nextId;
      return new Promise<void>((resolve, reject) => {
        settledWaiters.set(id, { resolve, reject });
        send({ type: 'settled', id });
      });
    },
    setRoomBehaviour(namespace, name, behaviour) {
      send({ type: 'roomBehaviour', namespace, name, behaviour });
    },
    setStaleSpecEcho(ms) {
      send({ type: 'staleSpecEcho', ms });
    },
    setFailImages(rules) {
      send({ type: 'failImages', rules: checkFailImages(rules) });
    },
    setNetworkReadyAfter(ms) {
      checkEmulatorOptions({ networkReadyAfterMs: ms });
      send({ type: 'networkReadyAfter', ms });
    },
    holdRoomNetwork(namespace, name, held) {
      send({ type: 'holdRoomNetwork', namespace, name, held });
    },
  };
}
