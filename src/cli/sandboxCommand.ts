// `okg sandbox`: starts the local Kubernetes API + OKG emulator with a scenario and runs until interrupted.
import { parseArgs } from 'node:util';
import { copyFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startSandbox } from '../sandbox/sandbox.js';
import { DEFAULT_SCALE, SCENARIOS, type ScenarioName } from '../sandbox/scenarios.js';
import { parseFaults } from '../sandbox/faults.js';
import { checkFailImages, parseFailImage } from '../sandbox/okg/failures.js';
import { EMULATED_NETWORKS, type EmulatedNetwork } from '../sandbox/okg/network.js';
import { positiveInt, UsageError } from './usage.js';

export const SANDBOX_HELP = `Usage: okg sandbox [--scenario seed|empty|scale] [--port N] [--kubeconfig FILE]
                   [--ready-after MS] [--faults SPEC] [--gss N] [--rooms N]
                   [--fail-image SUBSTRING=MODE]... [--network Kubernetes-HostPort|Kubernetes-NodePort]

Starts a local Kubernetes API server with OpenKruise Game emulated, on 127.0.0.1, and runs until
interrupted (Ctrl-C). Prints the URL and the kubeconfig to use with kubectl or VS Code.

  --scenario      seed (default: the OKG workflow's minecraft set, minecraft-0 Allocated), empty, or
                  scale (many GameServerSets of many rooms; size with --gss (default 100, up to 100) and
                  --rooms (default 100, up to 1,000), at most 10,000 rooms in all: e.g. 100 x 100, 10 x 1000)
  --port          port to listen on (default 0: any free port)
  --kubeconfig    also copy the admin kubeconfig to FILE
  --ready-after   milliseconds from pod creation to Ready (default 300)
  --faults        fault injection, e.g. latency=20-80,error-rate=0.05,error-codes=500+503+429,
                  retry-after=1,watch-cut=10,watch-delay=50,conflict-rate=0.1
  --fail-image    make every container whose image contains SUBSTRING fail as the kubelet shows it;
                  MODE: ImagePullBackOff, CrashLoopBackOff, NeverReady or SlowReady:SECONDS
                  (e.g. --fail-image -broken=ImagePullBackOff); repeatable, the first match wins
  --network       give the seed's GameServerSet this spec.network (OKG's Kubernetes plugin): rooms get
                  status.networkStatus with their addresses and ports
`;

/** Rooms per GameServerSet, and rooms in all, the scale scenario takes (the sandbox loads 10,000 in seconds). */
const MAX_ROOMS_PER_SET = 1000;
const MAX_ROOMS = 10_000;

/** `--fail-image -broken=X`: the value may start with "-", which parseArgs would call ambiguous; bind it first. */
function joinFailImageValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--fail-image' && i + 1 < argv.length) out.push(`--fail-image=${argv[++i]}`);
    else out.push(argv[i]);
  }
  return out;
}

export async function sandboxCommand(argv: string[], out: (line: string) => void): Promise<number> {
  const { values } = parseArgs({
    args: joinFailImageValues(argv),
    options: {
      scenario: { type: 'string' },
      port: { type: 'string' },
      kubeconfig: { type: 'string' },
      'ready-after': { type: 'string' },
      faults: { type: 'string' },
      gss: { type: 'string' },
      rooms: { type: 'string' },
      'fail-image': { type: 'string', multiple: true },
      network: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    out(SANDBOX_HELP);
    return 0;
  }
  const scenario = (values.scenario ?? 'seed') as ScenarioName;
  if (!SCENARIOS.includes(scenario))
    throw new UsageError(`--scenario must be one of ${SCENARIOS.join(', ')}, got "${values.scenario}"`);
  const port = positiveInt('--port', values.port, { max: 65535 });
  const readyAfterMs = positiveInt('--ready-after', values['ready-after'], { max: 3_600_000 });
  const gameServerSets = positiveInt('--gss', values.gss, { min: 1, max: 100 });
  const rooms = positiveInt('--rooms', values.rooms, { min: 0, max: MAX_ROOMS_PER_SET });
  const total = (gameServerSets ?? DEFAULT_SCALE.gameServerSets) * (rooms ?? DEFAULT_SCALE.rooms);
  if (total > MAX_ROOMS)
    throw new UsageError(
      `--gss × --rooms must be at most ${MAX_ROOMS.toLocaleString('en')} rooms, got ${total.toLocaleString('en')} (--gss defaults to ${DEFAULT_SCALE.gameServerSets}, --rooms to ${DEFAULT_SCALE.rooms})`,
    );
  let faults;
  let failImages;
  try {
    faults = values.faults ? parseFaults(values.faults) : undefined;
    failImages = checkFailImages((values['fail-image'] ?? []).map(parseFailImage));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const network = values.network as EmulatedNetwork | undefined;
  if (network !== undefined && !EMULATED_NETWORKS.includes(network))
    throw new UsageError(`--network must be one of ${EMULATED_NETWORKS.join(', ')}, got "${network}"`);
  if (network !== undefined && scenario !== 'seed')
    throw new UsageError(`--network applies to the seed scenario only, not "${scenario}"`);

  const sandbox = await startSandbox({
    scenario,
    port,
    readyAfterMs,
    scale: { gameServerSets, rooms },
    faults,
    failImages,
    network,
    // The emulator on its own thread: a big fleet is ready sooner on two cores (issue 16 §3).
    emulatorThread: true,
  });
  const kubeconfig = sandbox.kubeconfigPath('admin');
  if (values.kubeconfig) copyFileSync(kubeconfig, resolve(values.kubeconfig));
  out(`OKG sandbox (${scenario}${network ? `, ${network}` : ''}) listening on ${sandbox.url}`);
  for (const r of failImages)
    out(
      `  failing: images containing "${r.substring}" → ${r.mode}${r.seconds !== undefined ? ` after ${r.seconds} s` : ''}`,
    );
  out(`kubeconfig: ${values.kubeconfig ? resolve(values.kubeconfig) : kubeconfig}`);
  out(`  read-only user: ${sandbox.kubeconfigPath('viewer')}`);
  out(`  operator (may not change GameServerSets): ${sandbox.kubeconfigPath('operator')}`);
  out(`try: KUBECONFIG=${values.kubeconfig ? resolve(values.kubeconfig) : kubeconfig} kubectl get gs`);
  out('Press Ctrl-C to stop.');
  await new Promise<void>(resolveStop => {
    const stop = () => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await sandbox.stop();
  out('OKG sandbox stopped.');
  return 0;
}
