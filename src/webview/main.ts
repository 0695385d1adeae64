// Browser entry of the release wizard. The handshake comes first: the host sends nothing until the
// webview says it is ready, so no message is lost while the page loads.
import type { HostMessage, WebviewMessage } from './protocol.js';

interface VsCodeApi { postMessage(message: WebviewMessage): void }
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const m = event.data;
  if (m?.type === 'init') document.body.dataset.version = m.version;
});
vscode.postMessage({ type: 'ready' });
