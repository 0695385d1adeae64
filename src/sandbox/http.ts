// HTTP plumbing of the sandbox API server: JSON responses with kube-apiserver's headers, request bodies, the Table
// Accept header, and how an error becomes a response (a Status body, or plain text where the apiserver sends it).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, badRequest, internalError } from './status.js';
import { knownJson } from './wireJson.js';

const JSON_HEADERS = { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' };

export function send(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = knownJson(body) ?? JSON.stringify(body);
  res.writeHead(code, { ...JSON_HEADERS, ...headers, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Answers a failed request; a response already under way (a watch stream) is cut instead. */
export function sendError(res: ServerResponse, e: unknown): void {
  const err = e instanceof ApiError ? e : internalError(e instanceof Error ? e.message : String(e));
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err.plainText) {
    res.writeHead(err.code, {
      'Content-Type': 'text/plain; charset=utf-8',
      'X-Content-Type-Options': 'nosniff',
      ...err.headers,
    });
    res.end(`${err.message}\n`);
    return;
  }
  send(res, err.code, err.body(), err.headers);
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () =>
      resolve(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('the request was aborted')));
  });
}

/** The request body as JSON (undefined when empty); a body that is not JSON is a 400 as the apiserver says it. */
export function parseJson(text: string): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`error decoding request body: ${(e as Error).message}`);
  }
}

/** kubectl asks for server-side printing with `Accept: application/json;as=Table;g=meta.k8s.io;v=v1`. */
export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}
