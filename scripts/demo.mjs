// `npm run demo`: the sandbox cluster with the seed scenario, and VS Code with OKG Ops pointed at it —
// a local `code` when there is one (--extensionDevelopmentPath), otherwise code-server on 127.0.0.1
// (installed on first run into ~/.cache/okg-ops). Ctrl-C stops everything it started.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { installDependencies } from './deps.mjs';

const ROOT = join(import.meta.dirname, '..');

async function portFree(port) {
  const { createServer } = await import('node:net');
  return new Promise(resolve => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}
const say = line => process.stdout.write(`[demo] ${line}\n`);

try {
  installDependencies(say);
} catch (e) {
  say(e.message);
  process.exit(1);
}
const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const kubeconfig = join(ROOT, '.okg-demo-kubeconfig.yaml');
const children = [];
let stopping = false;
async function stopAll(code = 0) {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  for (const c of children.reverse()) await c.stop().catch(() => undefined);
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

// 1. The sandbox cluster.
const sandbox = spawn(
  process.execPath,
  [join(ROOT, 'bin', 'okg.js'), 'sandbox', '--scenario', 'seed', '--kubeconfig', kubeconfig],
  { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
);
children.push({
  stop: () =>
    new Promise(r => {
      if (sandbox.exitCode !== null) r();
      else {
        sandbox.once('exit', r);
        sandbox.kill('SIGINT');
      }
    }),
});
await new Promise((resolve, reject) => {
  let out = '';
  sandbox.stdout.on('data', d => {
    out += d;
    process.stdout.write(d);
    if (out.includes('Press Ctrl-C')) resolve();
  });
  sandbox.once('exit', code => reject(new Error(`the sandbox exited (${code}) before it was ready`)));
}).catch(e => {
  say(e.message);
  process.exit(1);
});

// 2. VS Code with the extension.
const env = { KUBECONFIG: kubeconfig };
const code = spawnSync('code', ['--version'], { encoding: 'utf8' });
if (!code.error && code.status === 0 && !process.argv.includes('--code-server')) {
  say('opening VS Code with the extension (development mode)…');
  const vs = spawn('code', ['--new-window', `--extensionDevelopmentPath=${ROOT}`, '--wait'], {
    env: { ...process.env, ...env },
    stdio: 'inherit',
  });
  children.push({ stop: async () => vs.kill('SIGTERM') });
  vs.on('exit', () => void stopAll(0));
} else {
  say('no local `code` found: starting VS Code in the browser (code-server; first run installs it, a few minutes)…');
  const { startCodeServer, freePort } = await import('./vscode-server.mjs');
  const portArg = process.argv.indexOf('--port');
  const wanted = portArg > 0 ? Number(process.argv[portArg + 1]) : 8080;
  const port = (await portFree(wanted)) ? wanted : await freePort();
  try {
    const server = await startCodeServer({ env, port });
    children.push(server);
    say(`VS Code with OKG Ops: ${server.url}`);
    say(
      'open it in a browser; the "OpenKruise Game" icon in the activity bar shows the rooms. Ctrl-C stops everything.',
    );
  } catch (e) {
    say(e.message);
    await stopAll(1);
  }
}
