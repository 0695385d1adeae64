// Worlds where a release fails: rules that make every container whose image contains a substring fail as the
// kubelet (1.34) shows it — ErrImagePull/ImagePullBackOff, CrashLoopBackOff, running but never Ready, or Ready
// only after a delay — with the kubelet's own texts (pkg/kubelet/images, kuberuntime, prober).
// Parsing of `--fail-image SUBSTRING=MODE` lives here too, so the CLI and startSandbox refuse the same inputs.

export const FAIL_MODES = ['ImagePullBackOff', 'CrashLoopBackOff', 'NeverReady', 'SlowReady'] as const;
export type FailMode = (typeof FAIL_MODES)[number];

/** Containers whose image contains `substring` fail with `mode` (`seconds`: SlowReady's time to Ready). */
export interface FailImage {
  substring: string;
  mode: FailMode;
  seconds?: number;
}

const MODES_TEXT = 'ImagePullBackOff, CrashLoopBackOff, NeverReady or SlowReady:SECONDS';
export const MAX_SLOW_READY_SECONDS = 3600;

/** Parses one `SUBSTRING=MODE` (MODE: ImagePullBackOff, CrashLoopBackOff, NeverReady, SlowReady:SECONDS). */
export function parseFailImage(spec: string): FailImage {
  const eq = spec.indexOf('=');
  if (eq < 0) throw new Error(`--fail-image takes SUBSTRING=MODE (MODE: ${MODES_TEXT}), got "${spec}"`);
  const substring = spec.slice(0, eq);
  const modeText = spec.slice(eq + 1);
  const colon = modeText.indexOf(':');
  const mode = colon < 0 ? modeText : modeText.slice(0, colon);
  const arg = colon < 0 ? undefined : modeText.slice(colon + 1);
  if (!(FAIL_MODES as readonly string[]).includes(mode)) {
    throw new Error(`--fail-image: unknown mode "${mode}" in "${spec}"; use ${MODES_TEXT}`);
  }
  if (mode === 'SlowReady') {
    if (arg === undefined)
      throw new Error(
        `--fail-image: SlowReady needs the seconds until Ready, e.g. "${substring || '-slow'}=SlowReady:30", got "${spec}"`,
      );
    return checkFailImage({ substring, mode, seconds: slowSeconds(arg, spec) });
  }
  if (arg !== undefined)
    throw new Error(`--fail-image: ${mode} takes no ":${arg}" (only SlowReady:SECONDS does), got "${spec}"`);
  return checkFailImage({ substring, mode: mode as FailMode });
}

function slowSeconds(text: string, spec: string): number {
  const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(n >= 0 && n <= MAX_SLOW_READY_SECONDS)) {
    throw new Error(
      `--fail-image: SlowReady seconds must be a number from 0 to ${MAX_SLOW_READY_SECONDS}, got "${text}" in "${spec}"`,
    );
  }
  return n;
}

function checkFailImage(rule: FailImage): FailImage {
  const s = rule.substring;
  if (s === '')
    throw new Error(
      `--fail-image: the image substring before "=" is empty in "=${rule.mode}${rule.seconds !== undefined ? `:${rule.seconds}` : ''}"`,
    );
  if (/\s/.test(s))
    throw new Error(`--fail-image: the image substring "${s}" contains white space; image names never do`);
  return rule;
}

/**
 * Checks rules given as an option (startSandbox, the emulator): the same reasons as the flag. Returns a copy.
 * @throws Error with one line naming the bad rule.
 */
export function checkFailImages(rules: readonly FailImage[] | undefined): FailImage[] {
  const out: FailImage[] = [];
  const seen = new Set<string>();
  for (const r of rules ?? []) {
    if (!r || typeof r.substring !== 'string') throw new Error('failImages: each rule needs a substring and a mode');
    if (!(FAIL_MODES as readonly string[]).includes(r.mode))
      throw new Error(`--fail-image: unknown mode "${String(r.mode)}" for "${r.substring}"; use ${MODES_TEXT}`);
    if (r.mode === 'SlowReady') {
      if (typeof r.seconds !== 'number' || !(r.seconds >= 0 && r.seconds <= MAX_SLOW_READY_SECONDS)) {
        throw new Error(
          `--fail-image: SlowReady seconds must be a number from 0 to ${MAX_SLOW_READY_SECONDS}, got ${String(r.seconds)} for "${r.substring}"`,
        );
      }
    } else if (r.seconds !== undefined) {
      throw new Error(
        `--fail-image: ${r.mode} takes no seconds (only SlowReady does), got ${r.seconds} for "${r.substring}"`,
      );
    }
    checkFailImage(r);
    if (seen.has(r.substring))
      throw new Error(`--fail-image: "${r.substring}" is given twice; give each substring one mode`);
    seen.add(r.substring);
    out.push(
      r.mode === 'SlowReady'
        ? { substring: r.substring, mode: r.mode, seconds: r.seconds }
        : { substring: r.substring, mode: r.mode },
    );
  }
  return out;
}

/** The first rule whose substring the image contains. */
export function failRuleFor(image: string, rules: readonly FailImage[]): FailImage | undefined {
  return rules.find(r => image.includes(r.substring));
}

// ---------------------------------------------------------------------------------------------------------------
// The kubelet's texts.

/** The fully qualified reference containerd resolves (docker's normalisation): `nginx:x` → `docker.io/library/nginx:x`. */
export function normalizedImageRef(image: string): string {
  let domain = 'docker.io';
  let rest = image;
  const slash = image.indexOf('/');
  if (slash >= 0) {
    const first = image.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()) {
      domain = first === 'index.docker.io' ? 'docker.io' : first;
      rest = image.slice(slash + 1);
    }
  }
  if (domain === 'docker.io' && !rest.includes('/')) rest = `library/${rest}`;
  const last = rest.slice(rest.lastIndexOf('/') + 1);
  if (!rest.includes('@') && !last.includes(':')) rest += ':latest';
  return `${domain}/${rest}`;
}

/** containerd's answer for an image that does not exist, as the kubelet passes it on (gRPC NotFound). */
export function pullErrorText(image: string): string {
  const ref = normalizedImageRef(image);
  return `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`;
}

export const kubeletText = {
  pulling: (image: string) => `Pulling image "${image}"`,
  pulled: (image: string) =>
    `Successfully pulled image "${image}" in 512ms (512ms including waiting). Image size: 104857600 bytes.`,
  /** `state.waiting.message` with ErrImagePull: the runtime's error itself. */
  pullErrorWaiting: (image: string) => pullErrorText(image),
  failedToPull: (image: string) => `Failed to pull image "${image}": ${pullErrorText(image)}`,
  errImagePull: 'Error: ErrImagePull',
  backOffPulling: (image: string) => `Back-off pulling image "${image}"`,
  /** `state.waiting.message` during ImagePullBackOff: the back-off text wrapping the last pull error (kubelet ≥ 1.31). */
  backOffPullingWaiting: (image: string) => `Back-off pulling image "${image}": ErrImagePull: ${pullErrorText(image)}`,
  errImagePullBackOff: 'Error: ImagePullBackOff',
  created: (container: string) => `Created container: ${container}`,
  started: (container: string) => `Started container ${container}`,
  /** `format.Pod`: name_namespace(uid). */
  podDesc: (name: string, namespace: string, uid: string) => `${name}_${namespace}(${uid})`,
  backOffRestarting: (container: string, pod: string) =>
    `Back-off restarting failed container ${container} in pod ${pod}`,
  crashLoopWaiting: (backoffSeconds: number, container: string, pod: string) =>
    `back-off ${goDuration(backoffSeconds)} restarting failed container=${container} pod=${pod}`,
  readinessFailed: (output: string) => `Readiness probe failed: ${output}`,
};

/** Go's time.Duration String() for whole seconds: 10s, 1m20s, 5m0s. */
export function goDuration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  if (m < 60) return `${m}m${s}s`;
  return `${Math.floor(m / 60)}h${m % 60}m${s}s`;
}

/** The kubelet's image-pull and container-restart back-off: 10 s, doubling, at most 300 s (kubelet.go). */
export function kubeletBackoffSeconds(nth: number): number {
  return Math.min(10 * 2 ** Math.max(0, nth - 1), 300);
}

interface Probe {
  httpGet?: { port?: unknown; path?: string };
  tcpSocket?: { port?: unknown };
  exec?: unknown;
  grpc?: unknown;
}
interface ContainerLike {
  name?: string;
  readinessProbe?: unknown;
  ports?: { name?: string; containerPort?: number }[];
}

/**
 * What a failing readiness probe of this container reports (prober output after "Readiness probe failed: ").
 * A container without a readinessProbe is shown as if it had an HTTP one answering 503.
 */
export function readinessProbeOutput(container: ContainerLike, podIP: string): string {
  const p = container.readinessProbe as Probe | undefined;
  const port = (v: unknown): string => {
    if (typeof v === 'number') return String(v);
    const named = container.ports?.find(x => x.name === v)?.containerPort;
    return named !== undefined ? String(named) : String(v ?? '');
  };
  if (p?.tcpSocket) return `dial tcp ${podIP}:${port(p.tcpSocket.port)}: connect: connection refused`;
  if (p?.grpc) return 'service unhealthy (responded with "NOT_SERVING")';
  if (p?.exec) return '';
  return 'HTTP probe failed with statuscode: 503';
}
