// VS Code glue. The foundation registers the demo cluster and the log; the rooms explorer and the
// release wizard build on it.
import * as vscode from 'vscode';
import { startSandbox, type Sandbox } from './sandbox/sandbox.js';

let demo: Sandbox | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('OKG Ops', { log: true });
  context.subscriptions.push(log);
  context.subscriptions.push(vscode.commands.registerCommand('okg.showLog', () => log.show()));
  context.subscriptions.push(vscode.commands.registerCommand('okg.startDemoCluster', async () => {
    if (demo) {
      void vscode.window.showInformationMessage(`The OKG demo cluster is already running at ${demo.url}.`);
      return;
    }
    demo = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Starting the OKG demo cluster…' },
      () => startSandbox({ scenario: 'seed' }),
    );
    log.info(`demo cluster at ${demo.url}; kubeconfig ${demo.kubeconfigPath('admin')}`);
    void vscode.window.showInformationMessage(`OKG demo cluster running at ${demo.url}. Kubeconfig: ${demo.kubeconfigPath('admin')}`);
  }));
}

export async function deactivate(): Promise<void> {
  await demo?.stop();
  demo = undefined;
}
