// Runs an exported Argo release locally, as Argo's controller would: the WorkflowTemplate's DAG in order with the
// Workflow's parameters, each `when` evaluated, each step retried per its retryStrategy (never after a refusal,
// exit 3), the suspend step answered by a callback, and the exit handler run last with the workflow's status.
// The steps are the exported bash sources, run with kubectl and jq against a sandbox. Also: the Go-built
// `argo lint --offline --strict` (test/controlplane/argo), built once into ~/.cache/okg-ops.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ArgoExport } from '../../src/release/argo.js';

interface Step {
  name: string;
  retryStrategy?: { limit: string; expression?: string };
  script?: { source: string; env: { name: string; value: string }[] };
  suspend?: object;
  dag?: { tasks: { name: string; template: string; when?: string; dependencies?: string[] }[] };
}

export interface StepRun {
  step: string;
  status: 'Succeeded' | 'Failed' | 'Skipped';
  exit?: number;
  attempts: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  kubeconfig: string;
  /** The workflow's identity (Argo gives a uid and a generated name). */
  uid?: string;
  name?: string;
  /** Called before each step; return false to stop the run there (as if the workflow were terminated). */
  before?: (step: string) => boolean | Promise<boolean>;
  /** The approval: resolves when someone resumes the workflow (default: at once). */
  approve?: () => Promise<void>;
  /** Pause between retries and the waits' poll interval, in seconds (Argo: backoff, 5 s). */
  pollSeconds?: number;
}

export interface RunResult {
  status: 'Succeeded' | 'Failed';
  steps: StepRun[];
  exit?: StepRun;
}

function bash(
  source: string,
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  // Async: the sandbox serves from this very process, a sync spawn would deadlock.
  return new Promise((resolve, reject) => {
    const p = spawn('bash', ['-c', source], { env });
    let stdout = '',
      stderr = '';
    p.stdout.on('data', d => {
      stdout += d;
    });
    p.stderr.on('data', d => {
      stderr += d;
    });
    p.on('error', reject);
    p.on('close', status => resolve({ status, stdout, stderr }));
  });
}

/** `'{{a}}' == 'b' && …` as govaluate reads the exported `when`s (after substitution). */
function evalWhen(expr: string): boolean {
  return expr.split('&&').every(part => {
    const m = /^\s*'([^']*)'\s*(==|!=)\s*'([^']*)'\s*$/.exec(part);
    if (!m) throw new Error(`unexpected when expression: ${expr}`);
    return m[2] === '==' ? m[1] === m[3] : m[1] !== m[3];
  });
}

export async function runArgoLocally(exp: ArgoExport, opts: RunOptions): Promise<RunResult> {
  const tpl = exp.workflowTemplate.spec as unknown as {
    entrypoint: string;
    onExit: string;
    templates: Step[];
    arguments: { parameters: { name: string; value: string }[] };
  };
  const params = new Map(tpl.arguments.parameters.map(p => [p.name, p.value]));
  for (const p of exp.workflow.spec.arguments.parameters) params.set(p.name, p.value);
  const uid = opts.uid ?? '6b1f0c1e-0000-4000-8000-00000000a1a1';
  const name = opts.name ?? `${exp.workflow.metadata.generateName}x7k2p`;
  const dir = mkdtempSync(join(tmpdir(), 'okg-argo-run-'));
  let status: 'Succeeded' | 'Failed' = 'Succeeded';
  const subst = (s: string): string => {
    const out = s
      .replace(/\{\{workflow\.parameters\.([\w-]+)\}\}/g, (_, n: string) => {
        if (!params.has(n)) throw new Error(`no parameter ${n}`);
        return params.get(n)!;
      })
      .replaceAll('{{workflow.uid}}', uid)
      .replaceAll('{{workflow.name}}', name)
      .replaceAll('{{workflow.namespace}}', exp.workflow.metadata.namespace)
      .replaceAll('{{workflow.status}}', status);
    if (out.includes('{{')) throw new Error(`unresolved template in ${out}`);
    return out;
  };
  const byName = new Map(tpl.templates.map(t => [t.name, t]));
  const runScript = async (t: Step): Promise<StepRun> => {
    const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: opts.kubeconfig, HOME: dir };
    for (const e of t.script!.env) env[e.name] = subst(e.value);
    env.POLL_SECONDS = String(opts.pollSeconds ?? 0.2);
    const source = t.script!.source.replaceAll('/tmp/marked', join(dir, 'marked'));
    const limit = Number(t.retryStrategy?.limit ?? 0);
    let attempts = 0;
    for (;;) {
      attempts++;
      const r = await bash(source, env);
      const run: StepRun = {
        step: t.name,
        status: r.status === 0 ? 'Succeeded' : 'Failed',
        exit: r.status ?? -1,
        attempts,
        stdout: r.stdout,
        stderr: r.stderr,
      };
      // retryPolicy Always, expression `asInt(lastRetry.exitCode) != 3`
      if (r.status === 0 || r.status === 3 || attempts > limit) return run;
      await new Promise(res => setTimeout(res, (opts.pollSeconds ?? 0.2) * 1000));
    }
  };
  const steps: StepRun[] = [];
  try {
    const main = byName.get(tpl.entrypoint)!;
    for (const task of main.dag!.tasks) {
      if (opts.before && !(await opts.before(task.name))) {
        status = 'Failed';
        break;
      }
      if (task.when && !evalWhen(subst(task.when))) {
        steps.push({ step: task.name, status: 'Skipped', attempts: 0, stdout: '', stderr: '' });
        continue;
      }
      const t = byName.get(task.template)!;
      if (t.suspend) {
        await (opts.approve ?? (async () => undefined))();
        steps.push({ step: task.name, status: 'Succeeded', attempts: 1, stdout: 'resumed', stderr: '' });
        continue;
      }
      const r = await runScript(t);
      steps.push(r);
      if (r.status === 'Failed') {
        status = 'Failed';
        break;
      }
    }
    const exit = await runScript(byName.get(tpl.onExit)!);
    return { status, steps, exit };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The Go-built `argo lint --offline --strict` (built once, cached): returns its path. */
export async function argoValidator(): Promise<
  ReturnType<typeof import('../../scripts/argo-validate.mjs').buildArgoValidator>
> {
  // The script is plain ESM outside out/: import it from the clone, typed by its .d.mts.
  const m = (await import(
    pathToFileURL(join(import.meta.dirname, '..', '..', '..', 'scripts', 'argo-validate.mjs')).href
  )) as typeof import('../../scripts/argo-validate.mjs');
  return m.buildArgoValidator({ log: () => undefined });
}

export interface MutexRequest {
  round: number;
  workflow: string;
  locks: string[];
  acquired: boolean;
  message: string;
}

/** Argo's own synchronization manager over the Workflows of these exports (argo-mutex): one request per line. */
export function argoMutex(bin: string, texts: string[]): MutexRequest[] {
  const dir = mkdtempSync(join(tmpdir(), 'okg-argo-mutex-'));
  try {
    const files = texts.map((t, i) => {
      const f = join(dir, `release-${i}.yaml`);
      writeFileSync(f, t);
      return f;
    });
    const r = spawnSync(bin, files, { encoding: 'utf8' });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`argo-mutex failed (exit ${r.status}): ${r.stderr}`);
    return r.stdout
      .trim()
      .split('\n')
      .map(l => JSON.parse(l) as MutexRequest);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Lints YAML text with Argo's own code: { ok, output }. */
export function argoLint(bin: string, text: string): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'okg-argo-lint-'));
  try {
    const file = join(dir, 'release.yaml');
    writeFileSync(file, text);
    const r = spawnSync(bin, [file], { encoding: 'utf8' });
    if (r.error) throw r.error;
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
