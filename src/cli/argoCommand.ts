// The Argo side of `okg release`: --export-argo FILE writes the release (RBAC, WorkflowTemplate, Workflow) as YAML,
// --submit-argo creates it in the cluster when the cluster serves Argo and follows the Workflow to its end;
// --argo-image and --argo-approval shape the export (the settle window is the release's own --settle). Flags are
// checked before the cluster is contacted.
import { writeFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import { clip } from '../cluster/clip.js';
import { argoExportYaml, DEFAULT_KUBECTL_IMAGE, exportArgo, type ArgoOptions } from '../release/argo.js';
import { ArgoNotServed, followWorkflow, submitArgo } from '../release/argoSubmit.js';
import type { ReleasePlan } from '../release/types.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from './usage.js';

export const ARGO_FLAGS = {
  'export-argo': { type: 'string' },
  'submit-argo': { type: 'boolean' },
  'argo-image': { type: 'string' },
  'argo-approval': { type: 'boolean' },
} as const;

export const ARGO_HELP = `  --export-argo FILE     write the release as Argo Workflows objects (YAML) to FILE instead of running it:
                         ServiceAccount, Role, RoleBinding, a WorkflowTemplate for the set, and the Workflow
  --submit-argo          create those objects in the cluster (it must serve Argo Workflows) and follow the
                         Workflow until it ends, instead of running the release here
  --argo-image IMAGE     image of the Argo steps; it must contain bash, kubectl and jq
                         (default ${DEFAULT_KUBECTL_IMAGE})
  --argo-approval        the Workflow suspends before marking old rooms until it is resumed (argo resume)`;

export interface ArgoFlags {
  'export-argo'?: string;
  'submit-argo'?: boolean;
  'argo-image'?: string;
  'argo-approval'?: boolean;
}

/** The Argo request in the flags (undefined: none), checked; throws UsageError with one reason. */
export function argoRequest(flags: ArgoFlags): { file?: string; submit: boolean; options: ArgoOptions } | undefined {
  const file = flags['export-argo'];
  const submit = flags['submit-argo'] === true;
  const shaping = (['argo-image', 'argo-approval'] as const).filter(k => flags[k] !== undefined);
  if (file === undefined && !submit) {
    if (shaping.length)
      throw new UsageError(`--${shaping[0]} shapes an Argo export; add --export-argo FILE or --submit-argo`);
    return undefined;
  }
  if (file !== undefined && !file.trim()) throw new UsageError('--export-argo needs a file name');
  const image = flags['argo-image'];
  if (image !== undefined && (!image.trim() || /\s/.test(image) || image.length > 512))
    throw new UsageError(`--argo-image takes an image reference without spaces, got "${clip(image)}"`);
  return {
    ...(file !== undefined ? { file } : {}),
    submit,
    options: { ...(image ? { image } : {}), ...(flags['argo-approval'] ? { approval: true } : {}) },
  };
}

/**
 * Writes and/or submits the export of `plan`. Output lines go to `out`, problems to `err`. Resolves with the exit
 * code: 0 when written (and, with --submit-argo, the Workflow succeeded), 1 otherwise.
 */
export async function runArgo(
  plan: ReleasePlan,
  req: { file?: string; submit: boolean; options: ArgoOptions },
  kc: KubeConfig,
  out: (line: string) => void,
  err: (line: string) => void,
  signal?: AbortSignal,
): Promise<number> {
  if (req.file !== undefined) {
    try {
      writeFileSync(req.file, argoExportYaml(plan, req.options));
    } catch (e) {
      err(`okg: cannot write ${req.file}: ${(e as Error).message}`);
      return EXIT_FAILED;
    }
    out(
      `Argo release written to ${req.file} (ServiceAccount, Role, RoleBinding, WorkflowTemplate, Workflow)${req.submit ? '' : `; kubectl create -f ${req.file} where Argo Workflows runs, or okg release … --submit-argo; nothing was changed`}`,
    );
  }
  if (!req.submit) return EXIT_OK;
  let submitted;
  try {
    submitted = await submitArgo(kc, exportArgo(plan, req.options));
  } catch (e) {
    err(`okg: ${(e as Error).message}${e instanceof ArgoNotServed ? '' : '; the release was not submitted'}`);
    return EXIT_FAILED;
  }
  out(`${submitted.actions.join('; ')} in namespace ${submitted.namespace}`);
  try {
    const final = await followWorkflow(
      kc,
      submitted.namespace,
      submitted.workflow,
      s => {
        out(
          `Workflow ${submitted.workflow}: ${s.phase}${s.running.length ? ` (running: ${s.running.join(', ')})` : ''}${s.message ? `: ${s.message}` : ''}`,
        );
      },
      { signal },
    );
    return final.phase === 'Succeeded' ? EXIT_OK : EXIT_FAILED;
  } catch (e) {
    if (signal?.aborted) {
      err(
        `okg: stopped following Workflow ${submitted.workflow}; it goes on in the cluster (argo stop -n ${submitted.namespace} ${submitted.workflow} to stop it)`,
      );
      return EXIT_FAILED;
    }
    err(`okg: ${(e as Error).message}`);
    return EXIT_FAILED;
  }
}
