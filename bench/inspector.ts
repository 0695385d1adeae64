// The extension host's V8 heap, asked over the inspector (Chrome DevTools Protocol on a WebSocket), for the
// tree's memory row of `npm run bench -- --ui`. code-server 4.100.3 refuses `--inspect-extensions`, so
// bench/uiTree.ts starts it with `--inspect-port=127.0.0.1:<port>` (the extension host inherits it) and sends
// SIGUSR1 to the extension host, which opens its inspector on that port. Also the process's CPU time (/proc).
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';

/** The part of the `ws` package (a dev dependency, also under @kubernetes/client-node; Node 20 has no WebSocket) used here. */
interface Socket {
  on(event: 'open', fn: () => void): void;
  on(event: 'message', fn: (data: Buffer) => void): void;
  on(event: 'error', fn: (e: Error) => void): void;
  on(event: 'close', fn: () => void): void;
  send(data: string): void;
  close(): void;
}
const WebSocket = createRequire(import.meta.url)('ws') as new (url: string, opts?: { maxPayload?: number }) => Socket;

export interface Inspector {
  /** Sends one CDP command; resolves with its result, rejects with its error. */
  call<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>;
  /** Called for every CDP event. */
  onEvent(fn: (method: string, params: Record<string, unknown>) => void): void;
  close(): void;
}

/** Opens the inspector of the process listening on 127.0.0.1:`port` (after SIGUSR1), retrying until `timeoutMs`. */
export async function openInspector(port: number, timeoutMs = 20_000): Promise<Inspector> {
  const deadline = Date.now() + timeoutMs;
  let url: string | undefined;
  for (;;) {
    try {
      const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
        webSocketDebuggerUrl?: string;
      }[];
      url = targets[0]?.webSocketDebuggerUrl;
    } catch {
      /* not listening yet */
    }
    if (url) break;
    if (Date.now() > deadline) throw new Error(`no inspector answered on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise(r => setTimeout(r, 200));
  }
  const ws = new WebSocket(url, { maxPayload: 2 ** 31 });
  await new Promise<void>((resolve, reject) => {
    ws.on('open', resolve);
    ws.on('error', reject);
  });
  let id = 0;
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const listeners: ((method: string, params: Record<string, unknown>) => void)[] = [];
  ws.on('message', data => {
    const m = JSON.parse(data.toString('utf8')) as {
      id?: number;
      result?: unknown;
      error?: { message: string };
      method?: string;
      params?: Record<string, unknown>;
    };
    if (m.id !== undefined) {
      const w = waiting.get(m.id);
      waiting.delete(m.id);
      if (m.error) w?.reject(new Error(`inspector: ${m.error.message}`));
      else w?.resolve(m.result);
    } else if (m.method) for (const l of listeners) l(m.method, m.params ?? {});
  });
  ws.on('close', () => {
    for (const w of waiting.values()) w.reject(new Error('inspector connection closed'));
    waiting.clear();
  });
  return {
    call: <T>(method: string, params: Record<string, unknown> = {}) =>
      new Promise<T>((resolve, reject) => {
        const n = ++id;
        waiting.set(n, { resolve: resolve as (v: unknown) => void, reject });
        ws.send(JSON.stringify({ id: n, method, params }));
      }),
    onEvent: fn => listeners.push(fn),
    close: () => ws.close(),
  };
}

/** The V8 heap in use after a full garbage collection, in bytes. */
export async function heapAfterGc(inspector: Inspector): Promise<number> {
  // Twice: the first collection's finalizers may free more on the second.
  await inspector.call('HeapProfiler.collectGarbage');
  await inspector.call('HeapProfiler.collectGarbage');
  const { usedSize } = await inspector.call<{ usedSize: number; totalSize: number }>('Runtime.getHeapUsage');
  return usedSize;
}

/** Writes a heap snapshot (open it in Chrome DevTools' Memory tab) to `path`. */
export async function writeHeapSnapshot(inspector: Inspector, path: string): Promise<void> {
  const chunks: string[] = [];
  inspector.onEvent((method, params) => {
    if (method === 'HeapProfiler.addHeapSnapshotChunk') chunks.push(params.chunk as string);
  });
  await inspector.call('HeapProfiler.enable');
  await inspector.call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  writeFileSync(path, chunks.join(''));
}

/** The process's CPU time so far (user + system), in milliseconds. */
export function cpuMs(pid: number): number {
  // /proc/<pid>/stat: the command may hold spaces and parentheses, so count fields after the last ')'.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15)
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}
