// pods/exec over WebSocket with the kubelet's channel protocols: v4.channel.k8s.io and v5.channel.k8s.io
// (stdin 0, stdout 1, stderr 2, error 3 carrying the v1 Status with the exit code, resize 4; v5 adds close 255).
// The command runs in ./podShell.ts, never on the host. Requests are checked (token, RBAC, pod, container)
// before the upgrade, so a SPDY client falling back from a failed WebSocket upgrade gets the same error.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ResourceDef } from './resources.js';
import type { Store } from './store.js';
import { ApiError, badRequest, forbidden, notFound, unauthorized } from './status.js';
import type { Attributes, SandboxUser } from './auth.js';
import { acceptWebSocket, isWebSocketUpgrade, pickProtocol, refuseUpgrade, type WsConnection } from './websocket.js';
import { isRunning, pickContainer, type ContainerSpecJson, type PodJson } from './podContainer.js';
import { NotFound, Shell, type ShellIo, type ShellWorld } from './podShell.js';

export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;

const STDIN = 0,
  STDOUT = 1,
  STDERR = 2,
  ERROR = 3,
  RESIZE = 4,
  CLOSE = 255;

export interface ExecContext {
  store: Store;
  pods: ResourceDef;
  userOf(authorization: string | undefined): SandboxUser | undefined;
  authorize(user: SandboxUser, a: Attributes): boolean;
  userName(user: SandboxUser): string;
}

const flag = (q: URLSearchParams, k: string) => q.get(k) === 'true' || q.get(k) === '1';

/** The synthetic environment and files a container shows. */
function worldOf(pod: PodJson, c: ContainerSpecJson): ShellWorld {
  const name = pod.metadata.name ?? '';
  const env: Record<string, string> = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOSTNAME: name,
    HOME: '/root',
  };
  for (const e of c.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
  const ports = (c.ports ?? []).map(p => `${p.name ?? 'port'}=${p.containerPort}/${p.protocol ?? 'TCP'}`).join('\n');
  return {
    env,
    files: {
      '/etc/hostname': `${name}\n`,
      '/etc/os-release': 'NAME="OKG sandbox"\nID=okg-sandbox\n',
      '/data/room.properties': `room=${name}\nnamespace=${pod.metadata.namespace}\nimage=${c.image ?? ''}\n${ports ? ports + '\n' : ''}`,
    },
  };
}

function status(code: number, argv: string[]): object {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${argv.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

/** Checks an exec request and returns what to run; ApiError otherwise. */
function check(ctx: ExecContext, req: IncomingMessage) {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec\/?$/.exec(url.pathname);
  if (!m) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  const [namespace, name] = [decodeURIComponent(m[1]), decodeURIComponent(m[2])];
  const user = ctx.userOf(req.headers.authorization);
  if (!user) throw unauthorized();
  const attrs = { verb: 'create', group: '', resource: 'pods', subresource: 'exec', namespace, name };
  if (!ctx.authorize(user, attrs))
    throw forbidden(ctx.userName(user), 'create', { group: '', resource: 'pods' }, 'exec', namespace, name);
  const pod = ctx.store.get(ctx.pods, namespace, name) as PodJson | undefined;
  if (!pod) throw notFound({ group: '', resource: 'pods' }, name);
  const q = url.searchParams;
  const argv = q.getAll('command');
  if (!argv.length) throw badRequest('you must specify at least 1 command');
  const c = pickContainer(pod, q.get('container'));
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed')
    throw badRequest(`cannot exec into a container in a completed pod; current phase is ${phase}`);
  if (!isRunning(pod, c.name)) throw badRequest(`container not found ("${c.name}")`);
  const opts = { stdin: flag(q, 'stdin'), stdout: flag(q, 'stdout'), stderr: flag(q, 'stderr'), tty: flag(q, 'tty') };
  if (!opts.stdin && !opts.stdout && !opts.stderr)
    throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  return { pod, c, argv, opts };
}

export class PodExec {
  private readonly sessions = new Set<() => void>();
  constructor(private readonly ctx: ExecContext) {}

  /** The server's `upgrade` handler. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    let plan;
    try {
      plan = check(this.ctx, req);
      if (!isWebSocketUpgrade(req))
        throw badRequest(
          `the OKG sandbox serves exec over WebSocket only (${EXEC_PROTOCOLS.join(', ')}), not ${req.headers.upgrade ?? 'plain HTTP'}; use kubectl 1.30 or newer`,
        );
    } catch (e) {
      const err = e instanceof ApiError ? e : badRequest(String(e));
      refuseUpgrade(socket, err.code, err.body());
      return;
    }
    const protocol = pickProtocol(req, EXEC_PROTOCOLS);
    if (!protocol) {
      const err = badRequest(`no supported subprotocol: offer one of ${EXEC_PROTOCOLS.join(', ')}`);
      refuseUpgrade(socket, err.code, err.body());
      return;
    }
    this.run(acceptWebSocket(req, socket, head, protocol), plan);
  }

  private run(conn: WsConnection, plan: ReturnType<typeof check>): void {
    const { pod, c, argv, opts } = plan;
    const session = new Session(conn, opts.tty, opts.stdin);
    const end = () => session.hangUp();
    this.sessions.add(end);
    const send = (ch: number, text: string) => {
      if (text) conn.send(Buffer.concat([Buffer.from([ch]), Buffer.from(text)]));
    };
    const io: ShellIo = {
      tty: opts.tty,
      out: t => opts.stdout && send(STDOUT, t),
      err: t => (opts.stderr ? send(STDERR, t) : opts.stdout && opts.tty && send(STDOUT, t)),
      readLine: () => session.readLine(),
      sleep: ms => session.sleep(ms),
      size: () => session.size,
    };
    session.echo = t => opts.stdout && send(STDOUT, t);
    const shell = new Shell(io, worldOf(pod, c));
    shell
      .exec(argv)
      .then(
        code => send(ERROR, JSON.stringify(status(code, argv))),
        (e: unknown) => {
          const msg =
            e instanceof NotFound
              ? `failed to exec in container: OCI runtime exec failed: exec failed: unable to start container process: exec: "${e.message}": executable file not found in $PATH: unknown`
              : String(e);
          send(
            ERROR,
            JSON.stringify({
              metadata: {},
              status: 'Failure',
              message: `Internal error occurred: error executing command in container: ${msg}`,
              reason: 'InternalError',
              details: { causes: [{ message: msg }] },
              code: 500,
            }),
          );
        },
      )
      .finally(() => {
        this.sessions.delete(end);
        conn.close(1000);
      });
  }

  closeAll(): void {
    for (const s of [...this.sessions]) s();
  }
}

/** One exec's input side: stdin bytes turned into lines (a tty's line discipline when `tty`), resizes, hang-up. */
class Session {
  size: { width: number; height: number } | undefined;
  echo: (text: string) => void = () => {};
  private line = '';
  private readonly lines: string[] = [];
  private eof: boolean;
  private interrupts = 0;
  private wake: (() => void) | undefined;

  constructor(
    conn: WsConnection,
    private readonly tty: boolean,
    stdin: boolean,
  ) {
    this.eof = !stdin;
    conn.onMessage(m => {
      if (!m.length) return;
      const data = m.subarray(1);
      if (m[0] === STDIN) this.input(data.toString('utf8'));
      else if (m[0] === RESIZE) {
        try {
          // Go's encoding/json matches keys case-insensitively: kubectl sends Width/Height, client-node width/height.
          const raw = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
          const get = (k: string) => Object.entries(raw).find(([key]) => key.toLowerCase() === k)?.[1];
          const [width, height] = [get('width'), get('height')];
          if (Number.isInteger(width) && Number.isInteger(height))
            this.size = { width: width as number, height: height as number };
        } catch {
          // A malformed resize is ignored, as the kubelet logs and drops it.
        }
      } else if (conn.protocol === 'v5.channel.k8s.io' && m[0] === CLOSE && data[0] === STDIN) this.endInput();
    });
    conn.onClose(() => this.hangUp());
  }

  private poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private input(text: string): void {
    if (!this.tty) {
      this.line += text;
      const parts = this.line.split('\n');
      this.line = parts.pop() ?? '';
      this.lines.push(...parts);
    } else {
      for (const ch of text) {
        if (ch === '\x03') {
          this.echo('^C\r\n');
          this.line = '';
          this.interrupts++;
        } else if (ch === '\x04') {
          if (!this.line) this.eof = true;
        } else if (ch === '\x7f' || ch === '\b') {
          if (this.line) {
            this.line = this.line.slice(0, -1);
            this.echo('\b \b');
          }
        } else if (ch === '\r' || ch === '\n') {
          this.echo('\r\n');
          this.lines.push(this.line);
          this.line = '';
        } else {
          this.line += ch;
          this.echo(ch);
        }
      }
    }
    this.poke();
  }

  private endInput(): void {
    if (this.line) this.lines.push(this.line);
    this.line = '';
    this.eof = true;
    this.poke();
  }

  hangUp(): void {
    this.eof = true;
    this.interrupts++;
    this.poke();
  }

  async readLine(): Promise<string | null | 'interrupt'> {
    const seen = this.interrupts;
    for (;;) {
      if (this.interrupts !== seen) return 'interrupt';
      if (this.lines.length) return this.lines.shift() as string;
      if (this.eof) return null;
      await new Promise<void>(r => (this.wake = r));
    }
  }

  sleep(ms: number): Promise<boolean> {
    const seen = this.interrupts;
    return new Promise(resolve => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve(false);
      }, ms);
      const check = () => {
        if (this.interrupts !== seen) {
          clearTimeout(timer);
          resolve(true);
        } else this.wake = check;
      };
      this.wake = check;
    });
  }
}
