// `npm run demo`: the sandbox cluster with the seed scenario, until Ctrl-C. The extension issue
// ("Real VS Code in a real browser") adds VS Code pointed at it; until then this starts the cluster
// and prints how to reach it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync('node_modules/@kubernetes/client-node')) {
  console.log('Installing dependencies (first run)…');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const child = spawn(process.execPath, ['bin/okg.js', 'sandbox', '--scenario', 'seed', '--kubeconfig', '.okg-demo-kubeconfig.yaml', ...process.argv.slice(2)], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', code => process.exit(code ?? 0));
