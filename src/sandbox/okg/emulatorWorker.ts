// The OKG emulator's own thread (started by ./emulatorThread.ts): the same emulator, on its own event loop, so the
// controllers' client work and the API server's request handling use two cores. Messages in: settled, stop and the
// emulator's setters; out: ready or failed, log lines, settled and stopped.
import { parentPort, workerData } from 'node:worker_threads';
import { KubeConfig } from '@kubernetes/client-node';
import { startOkgEmulator, type OkgEmulator } from './emulator.js';
import type { ThreadRequest, ThreadReply, WorkerData } from './emulatorThreadProtocol.js';

const port = parentPort;
if (!port) throw new Error('emulatorWorker.js runs as a worker thread (see emulatorThread.ts)');
const data = workerData as WorkerData;
const post = (m: ThreadReply) => port.postMessage(m);

let emulator: OkgEmulator | undefined;
try {
  const kc = new KubeConfig();
  kc.loadFromString(data.kubeconfig);
  emulator = await startOkgEmulator(kc, {
    ...data.options,
    log: data.log ? message => post({ type: 'log', message }) : undefined,
  });
  post({ type: 'ready' });
} catch (e) {
  post({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
}

port.on('message', (m: ThreadRequest) => {
  const emu = emulator;
  if (!emu) return;
  switch (m.type) {
    case 'settled':
      void emu.settled().then(() => post({ type: 'settled', id: m.id }));
      return;
    case 'stop':
      void emu.stop().then(() => {
        post({ type: 'stopped' });
        port.close();
      });
      return;
    case 'staleSpecEcho':
      emu.setStaleSpecEcho(m.ms);
      return;
    case 'roomBehaviour':
      emu.setRoomBehaviour(m.namespace, m.name, m.behaviour);
      return;
    case 'failImages':
      emu.setFailImages(m.rules);
      return;
    case 'networkReadyAfter':
      emu.setNetworkReadyAfter(m.ms);
      return;
    case 'holdRoomNetwork':
      emu.holdRoomNetwork(m.namespace, m.name, m.held);
      return;
  }
});
