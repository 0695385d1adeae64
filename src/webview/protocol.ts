// The one message contract between the extension host and the release wizard webview.
// Both sides import these types; every inbound message is validated with `isWebviewMessage`.

/** Webview → host. */
export type WebviewMessage =
  | { type: 'ready' };

/** Host → webview. */
export type HostMessage =
  | { type: 'init'; version: string };

export function isWebviewMessage(m: unknown): m is WebviewMessage {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'ready' && Object.keys(m).length === 1;
}
