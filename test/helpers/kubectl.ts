// Runs the real kubectl against a sandbox, as an operator would.
import { spawn } from 'node:child_process';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const KUBECTL = process.env.KUBECTL ?? 'kubectl';

export function kubectl(kubeconfig: string, args: string[], input?: string): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(KUBECTL, args, {
      env: { ...process.env, KUBECONFIG: kubeconfig, HOME: process.env.HOME ?? '/tmp' },
    });
    let stdout = '',
      stderr = '';
    p.stdout.on('data', d => {
      stdout += d;
    });
    p.stderr.on('data', d => {
      stderr += d;
    });
    p.on('error', reject);
    p.on('close', code => resolve({ code: code ?? -1, stdout, stderr }));
    if (input !== undefined) p.stdin.end(input);
    else p.stdin.end();
  });
}

/** Splits `kubectl get` output into rows of cells. */
export function table(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .map(l => l.trim().split(/\s+/));
}

export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise(r => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
