// The same release as an Argo Workflow: the seed's workflow, corrected. Every write is a `kubectl patch
// --type=json` with `test` ops (image, replicas, each room's opsState and uid), the image patch waits for
// observedGeneration before the scale, the readiness check accepts at least N rooms and really retries
// (retryPolicy Always with a limit), and the optional reclaim — after the settle window, a sleep that lets
// matchmakers with an older view show their Allocated first — lowers replicas by exactly the marks the pod labels
// confirm, or sets Kill.
import yaml from 'js-yaml';
import { seconds } from './validate.js';
import { readyDefinition, readyForPlayersJq } from './readiness.js';
import type { ReleasePlan } from './types.js';

export interface ArgoOptions {
  /** Image with bash, kubectl and jq (default: the one the seed's workflow uses). */
  kubectlImage?: string;
  /** Namespace the Workflow runs in (default kruise-game-system, as in the seed). */
  workflowNamespace?: string;
  /** Service account with the rights the release needs (default: the seed's). */
  serviceAccountName?: string;
}

export const DEFAULT_KUBECTL_IMAGE = 'registry.cn-beijing.aliyuncs.com/chrisliu95/kubectl:latest';

/** A plain Argo Workflow manifest (apiVersion argoproj.io/v1alpha1, kind Workflow). */
export interface ArgoWorkflow {
  apiVersion: 'argoproj.io/v1alpha1';
  kind: 'Workflow';
  metadata: { generateName: string; namespace: string; labels: Record<string, string> };
  spec: Record<string, unknown> & { entrypoint: string; templates: Record<string, unknown>[] };
}

const json = (v: unknown): string => JSON.stringify(v);

/** Argo retries: `Always` retries exit codes ≠ 0 too (the seed's `OnError` does not), bounded. */
function retry(limit: number): Record<string, unknown> {
  return { limit: String(limit), retryPolicy: 'Always', backoff: { duration: '5s', factor: '2', maxDuration: '10m' } };
}

/** Exports the planned release as an Argo Workflow object (serialise with `argoWorkflowYaml`). */
export function exportArgoWorkflow(plan: ReleasePlan, opts: ArgoOptions = {}): ArgoWorkflow {
  const inp = plan.input;
  const ns = inp.namespace;
  const gss = inp.gameServerSet;
  const image = opts.kubectlImage ?? DEFAULT_KUBECTL_IMAGE;
  const owner = `game.kruise.io/owner-gss=${gss}`;
  const markAs = 'WaitToBeDeleted';
  const script = (name: string, source: string, extra: Record<string, unknown> = {}): Record<string, unknown> =>
    ({ name, ...extra, script: { name: 'main', image, command: ['bash'], source: `set -euo pipefail\n${source}` } });

  // Images: test the container name and the old image at its index, replace with the new one.
  const imageOps = inp.images.flatMap(c => {
    const i = Math.max(0, plan.oldImages.findIndex(o => o.container === c.container));
    const old = plan.oldImages.find(o => o.container === c.container)?.image ?? '';
    const base = `/spec/gameServerTemplate/spec/containers/${i}`;
    return [{ op: 'test', path: `${base}/name`, value: c.container }, { op: 'test', path: `${base}/image`, value: old }, { op: 'replace', path: `${base}/image`, value: c.image }];
  });
  const fixOps = plan.fixesUpdateStrategy ? [{ op: 'replace', path: '/spec/updateStrategy', value: { type: 'OnDelete' } }] : [];
  const newImageJq = inp.images.map(c => `(.spec.gameServerTemplate.spec.containers[] | select(.name == ${json(c.container)}) | .image) == ${json(c.image)}`).join(' and ');
  const podNewJq = inp.images.map(c => `((.spec.containers[] | select(.name == ${json(c.container)}) | .image) == ${json(c.image)})`).join(' and ');
  const retireJq = `(${inp.retireOpsStates.map(s => `.spec.opsState == ${json(s)}`).join(' or ')})`;

  // A DAG of sequential tasks (each depends on the previous one): the same order as `steps`, and a shape
  // Argo's generated Workflow schema validates (its ParallelSteps type is not modelled as a list).
  const templates: Record<string, unknown>[] = [];
  const tasks: { name: string; template: string; dependencies?: string[]; arguments?: unknown }[] = [];
  const add = (t: Record<string, unknown>, args?: unknown) => {
    templates.push(t);
    const prev = tasks[tasks.length - 1];
    tasks.push({ name: String(t.name), template: String(t.name), ...(prev ? { dependencies: [prev.name] } : {}), ...(args ? { arguments: args } : {}) });
  };

  add(script('patch-image', [
    `GSS=$(kubectl get gss ${gss} -n ${ns} -o json)`,
    `if echo "$GSS" | jq -e '${newImageJq}' >/dev/null; then echo "image already set"; exit 0; fi`,
    `# wait until OKG has processed the current generation, then patch only if nothing moved (test ops)`,
    `echo "$GSS" | jq -e '.status.observedGeneration == .metadata.generation' >/dev/null || { echo "OKG still reconciling"; exit 1; }`,
    `GEN=$(echo "$GSS" | jq '.metadata.generation'); REPLICAS=$(echo "$GSS" | jq '.spec.replicas')`,
    `PATCH=$(jq -nc --argjson gen "$GEN" --argjson r "$REPLICAS" '[{"op":"test","path":"/metadata/generation","value":$gen},{"op":"test","path":"/spec/replicas","value":$r}] + ${json([...imageOps, ...fixOps])}')`,
    `kubectl patch gss ${gss} -n ${ns} --type=json -p "$PATCH"`,
  ].join('\n'), { retryStrategy: retry(5) }));

  add(script('wait-generation', [
    `# never scale before the new template reached the workload (API.md §8 pitfall 2)`,
    `kubectl get gss ${gss} -n ${ns} -o json | jq -e '.status.observedGeneration == .metadata.generation and (${newImageJq})'`,
  ].join('\n'), { retryStrategy: retry(20) }));

  add(script('scale', [
    `GSS=$(kubectl get gss ${gss} -n ${ns} -o json)`,
    `REPLICAS=$(echo "$GSS" | jq '.spec.replicas')`,
    `if [ "$REPLICAS" -ge ${plan.toReplicas} ]; then echo "already $REPLICAS replicas"; exit 0; fi`,
    `echo "$GSS" | jq -e '${newImageJq}' >/dev/null || { echo "template lost the new image; not scaling"; exit 2; }`,
    `PATCH=$(jq -nc --argjson r "$REPLICAS" '[{"op":"test","path":"/spec/replicas","value":$r},{"op":"replace","path":"/spec/replicas","value":${plan.toReplicas}}]')`,
    `kubectl patch gss ${gss} -n ${ns} --type=json -p "$PATCH"`,
  ].join('\n'), { retryStrategy: retry(5) }));

  add(script('check-ready', [
    `# at least ${plan.ready} new-version rooms ready for players: ${readyDefinition(plan)} (the seed required exactly N and failed when more were Ready)`,
    `PODS=$(kubectl get pods -n ${ns} -l ${owner} -o json)`,
    `GS=$(kubectl get gs -n ${ns} -l ${owner} -o json)`,
    `NEW=$(echo "$PODS" | jq -r '.items[] | select(.metadata.deletionTimestamp == null) | select(${podNewJq}) | .metadata.name')`,
    `COUNT=0`,
    `for n in $NEW; do`,
    `  if echo "$GS" | jq -e --arg n "$n" '[.items[] | select(.metadata.name == $n) | ${readyForPlayersJq(plan)}] | any' >/dev/null; then COUNT=$((COUNT+1)); fi`,
    `done`,
    `echo "new-version rooms ready for players: $COUNT (need ${plan.ready})"`,
    `[ "$COUNT" -ge ${plan.ready} ]`,
  ].join('\n'), { retryStrategy: retry(30) }));

  add(script('mark', [
    `# idle old rooms → ${markAs}, each conditional on its opsState and uid (a room Allocated meanwhile is skipped, never overwritten)`,
    `PODS=$(kubectl get pods -n ${ns} -l ${owner} -o json)`,
    `: > /tmp/marked`,
    `kubectl get gs -n ${ns} -l ${owner} -o json | jq -c '.items[] | select(.metadata.deletionTimestamp == null) | select(${retireJq} or .spec.opsState == "${markAs}") | {name: .metadata.name, uid: .metadata.uid, ops: .spec.opsState}' | while read -r row; do`,
    `  n=$(echo "$row" | jq -r .name); uid=$(echo "$row" | jq -r .uid); ops=$(echo "$row" | jq -r .ops)`,
    `  if echo "$PODS" | jq -e --arg n "$n" '.items[] | select(.metadata.name == $n) | ${podNewJq}' >/dev/null; then continue; fi`,
    `  if [ "$ops" = "${markAs}" ]; then continue; fi`,
    `  PATCH=$(jq -nc --arg uid "$uid" --arg ops "$ops" '[{"op":"test","path":"/metadata/uid","value":$uid},{"op":"test","path":"/spec/opsState","value":$ops},{"op":"replace","path":"/spec/opsState","value":"${markAs}"}]')`,
    `  if kubectl patch gs "$n" -n ${ns} --type=json -p "$PATCH"; then`,
    `    echo "$n" >> /tmp/marked`,
    `  else echo "skipped $n: it changed since it was read"; fi`,
    `done`,
    `echo "marked: $(tr '\\n' ' ' < /tmp/marked)"`,
  ].join('\n'), { outputs: { parameters: [{ name: 'marked', valueFrom: { path: '/tmp/marked', default: '' } }] } }));

  const markedArg = { parameters: [{ name: 'marked', value: '{{tasks.mark.outputs.parameters.marked}}' }] };
  const inputs = { parameters: [{ name: 'marked' }] };
  if (inp.reclaim !== 'none' && inp.settleMs > 0) {
    add(script('settle', [
      `# settle window (${seconds(inp.settleMs)}): a matchmaker whose view of the rooms is at most this old has written its`,
      `# Allocated by now, so the reclaim's re-read sees it and leaves the room alone`,
      `sleep ${inp.settleMs / 1000}`,
    ].join('\n')));
  }
  if (inp.reclaim === 'scale-down') {
    add(script('reclaim-scale-down', [
      `# lower replicas by exactly the marks the POD LABELS show (OKG scales down by labels, which lag: §8.5)`,
      `MARKED="{{inputs.parameters.marked}}"`,
      `GS=$(kubectl get gs -n ${ns} -l ${owner} -o json); PODS=$(kubectl get pods -n ${ns} -l ${owner} -o json)`,
      `N=0`,
      `for n in $MARKED; do`,
      `  spec=$(echo "$GS" | jq -r --arg n "$n" '.items[] | select(.metadata.name == $n) | .spec.opsState')`,
      `  label=$(echo "$PODS" | jq -r --arg n "$n" '.items[] | select(.metadata.name == $n and .metadata.deletionTimestamp == null) | .metadata.labels["game.kruise.io/gs-opsState"]')`,
      `  if [ -n "$label" ] && [ "$spec" != "$label" ]; then echo "$n: pod label $label not yet $spec; retrying"; exit 1; fi`,
      `  if [ "$spec" = "${markAs}" ] && [ "$label" = "${markAs}" ]; then N=$((N+1)); fi`,
      `done`,
      `[ "$N" -gt 0 ] || { echo "nothing to reclaim"; exit 0; }`,
      `REPLICAS=$(kubectl get gss ${gss} -n ${ns} -o jsonpath='{.spec.replicas}')`,
      `echo "lowering replicas $REPLICAS → $((REPLICAS-N))"`,
      `PATCH=$(jq -nc --argjson r "$REPLICAS" --argjson to "$((REPLICAS-N))" '[{"op":"test","path":"/spec/replicas","value":$r},{"op":"replace","path":"/spec/replicas","value":$to}]')`,
      `kubectl patch gss ${gss} -n ${ns} --type=json -p "$PATCH"`,
    ].join('\n'), { inputs, retryStrategy: retry(30) }), markedArg);
  } else if (inp.reclaim === 'kill') {
    add(script('reclaim-kill', [
      `# marked rooms still ${markAs} → Kill (OKG lowers replicas itself), conditional per room`,
      `for n in {{inputs.parameters.marked}}; do`,
      `  kubectl patch gs "$n" -n ${ns} --type=json -p '[{"op":"test","path":"/spec/opsState","value":"${markAs}"},{"op":"replace","path":"/spec/opsState","value":"Kill"}]' || echo "skipped $n: it changed since it was marked"`,
      `done`,
    ].join('\n'), { inputs }), markedArg);
  }

  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { generateName: `release-${gss}-`.slice(0, 50), namespace: opts.workflowNamespace ?? 'kruise-game-system', labels: { 'okg-ops/release-of': gss.slice(0, 63) } },
    spec: {
      serviceAccountName: opts.serviceAccountName ?? 'kruise-game-controller-manager',
      entrypoint: 'main',
      templates: [{ name: 'main', dag: { tasks } }, ...templates],
    },
  };
}

/** The workflow as YAML, ready for `kubectl create -f`. */
export function argoWorkflowYaml(plan: ReleasePlan, opts: ArgoOptions = {}): string {
  return yaml.dump(exportArgoWorkflow(plan, opts), { lineWidth: -1, noRefs: true });
}
