// The server's log of mutating requests, which tests read to see who asked to change what and what was answered.
import type { IncomingMessage } from 'node:http';
import type { SandboxUser } from './auth.js';
import type { MutatingVerb, Route } from './routes.js';

/** One mutating request, as tests read them: who asked to change what, and what the server answered. */
export interface WriteLogEntry {
  seq: number;
  time: string;
  user: SandboxUser;
  verb: MutatingVerb;
  group: string;
  resource: string;
  subresource: string;
  namespace?: string;
  name?: string;
  /** 0 until the request is answered. */
  code: number;
  dryRun: boolean;
  contentType?: string;
  /** The body as JSON, or the raw text when it is not JSON. */
  body?: unknown;
}

export class WriteLog {
  private readonly entries: WriteLogEntry[] = [];
  private seq = 0;

  /** Logs a request before it runs, so a request that fails is logged too; the caller sets `code`. */
  add(
    req: IncomingMessage,
    user: SandboxUser,
    verb: MutatingVerb,
    r: Route,
    bodyText: string,
    dryRun: boolean,
  ): WriteLogEntry {
    let body: { v: unknown } | undefined;
    const entry: WriteLogEntry = {
      seq: ++this.seq,
      time: new Date().toISOString(),
      user,
      verb,
      group: r.res.group,
      resource: r.res.plural,
      subresource: r.subresource,
      namespace: r.namespace,
      name: r.name,
      code: 0,
      dryRun,
      contentType: req.headers['content-type'],
      // Parsed when first read: at scale most entries are never read (the scenario loader clears the log).
      get body(): unknown {
        body ??= { v: jsonOrText(bodyText) };
        return body.v;
      },
      set body(v: unknown) {
        body = { v };
      },
    };
    this.entries.push(entry);
    return entry;
  }

  all(): WriteLogEntry[] {
    return this.entries.slice();
  }

  clear(): void {
    this.entries.length = 0;
  }
}

function jsonOrText(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
