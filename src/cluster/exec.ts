// Exec into a room's container (pods/exec over WebSocket through client-node's Exec) and the exit code the
// kubelet reports on the error channel: 0, the command's non-zero code, or a failure with the server's reason.
import type { Readable, Writable } from 'node:stream';
import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';
import { ClusterError } from './errors.js';
import { clip } from './clip.js';
import { redact } from './redact.js';
import type { RawObject } from './okg.js';

export interface ExecStreams {
  stdout: Writable;
  stderr?: Writable | null;
  stdin?: Readable | null;
  tty?: boolean;
}

export interface ExecOutcome {
  /** The command's exit code; 0 on Success. */
  code: number;
  /** Why it failed when the kubelet could not run it (not found, not running); undefined for a normal exit. */
  failure?: string;
}

/** The outcome a kubelet's v1 Status means. */
export function outcomeOf(status: V1Status | undefined): ExecOutcome {
  if (!status) return { code: 1, failure: 'the connection closed before the command reported how it ended' };
  if (status.status === 'Success') return { code: 0 };
  if (status.reason === 'NonZeroExitCode') {
    const cause = status.details?.causes?.find(c => c.reason === 'ExitCode');
    const code = Number(cause?.message);
    if (Number.isInteger(code) && code > 0) return { code };
  }
  return { code: 1, failure: clip(redact(status.message ?? 'the command failed'), 300) };
}

/** What a refused upgrade's error says, as one line: the server's Status message when it sent one. */
export function execRefusal(e: unknown, room: string): ClusterError {
  const text = e instanceof Error ? e.message : String(e);
  const status = /Unexpected server response: (\d+)/.exec(text)?.[1];
  const reason = status ? `the API server answered ${status}` : clip(redact(text.split('\n')[0]), 200);
  return new ClusterError(`cannot exec into room "${room}": ${reason}`, 'other', status ? Number(status) : undefined);
}

/**
 * Runs `command` in the room's container and resolves with its outcome once it ends. `signal` closes the
 * connection (the kubelet ends the process). The caller owns the streams.
 */
export async function execInRoom(
  kc: KubeConfig,
  namespace: string,
  room: string,
  container: string,
  command: string[],
  s: ExecStreams,
  signal?: AbortSignal,
): Promise<ExecOutcome> {
  let status: V1Status | undefined;
  let ws: Awaited<ReturnType<Exec['exec']>>;
  try {
    ws = await new Exec(kc).exec(
      namespace,
      room,
      container,
      command,
      s.stdout,
      s.stderr ?? null,
      s.stdin ?? null,
      !!s.tty,
      st => (status = st),
    );
  } catch (e) {
    throw execRefusal(e, room);
  }
  return new Promise(resolve => {
    const onAbort = () => ws.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    ws.on('close', () => {
      signal?.removeEventListener('abort', onAbort);
      resolve(outcomeOf(status));
    });
  });
}

/** Why a container cannot be exec'd into, from its pod (undefined when it is running). */
export function notRunningReason(pod: RawObject | undefined, room: string, container: string): string | undefined {
  if (!pod) return `room "${room}" has no pod (it is being created or deleted)`;
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return `the pod of room "${room}" has ended (phase ${phase})`;
  const cs = (
    (pod.status as { containerStatuses?: Record<string, unknown>[] } | undefined)?.containerStatuses ?? []
  ).find(c => c.name === container);
  const state = (cs?.state ?? {}) as Record<string, { reason?: string; message?: string } | undefined>;
  if (state.running) return undefined;
  const [kind, d] = Object.entries(state)[0] ?? ['waiting', { reason: 'ContainerCreating' }];
  const why = [d?.reason, d?.message].filter(Boolean).join(': ');
  return `container "${container}" of room "${room}" is not running (${kind}${why ? `: ${clip(redact(why), 200)}` : ''})`;
}
