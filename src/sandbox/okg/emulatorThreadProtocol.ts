// The messages between the sandbox and the OKG emulator's thread (./emulatorThread.ts, ./emulatorWorker.ts).
import type { OkgEmulatorOptions } from './emulator.js';
import type { FailImage } from './failures.js';
import type { RoomBehaviour } from './kubelet.js';

/** The options a thread can take: everything but functions (`room`, `log`; log lines come back as messages). */
export type ThreadOptions = Omit<OkgEmulatorOptions, 'room' | 'log'>;

export interface WorkerData {
  /** The controller's kubeconfig, as KubeConfig.exportConfig() writes it. */
  kubeconfig: string;
  options: ThreadOptions;
  /** Send log lines back. */
  log: boolean;
}

export type ThreadRequest =
  | { type: 'settled'; id: number }
  | { type: 'stop' }
  | { type: 'staleSpecEcho'; ms: number }
  | { type: 'roomBehaviour'; namespace: string; name: string; behaviour: RoomBehaviour | undefined }
  | { type: 'failImages'; rules: FailImage[] }
  | { type: 'networkReadyAfter'; ms: number }
  | { type: 'holdRoomNetwork'; namespace: string; name: string; held: boolean };

export type ThreadReply =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'log'; message: string }
  | { type: 'settled'; id: number }
  | { type: 'stopped' };
