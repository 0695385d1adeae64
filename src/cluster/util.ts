// Two small pure helpers the core, the VS Code glue and the webview share (one definition each). No imports,
// so the browser bundle may take this file too.

/** A JSON object: not an array, not null. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** "1 room", "3 rooms", "2 replicas" — `many` for irregular plurals. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
