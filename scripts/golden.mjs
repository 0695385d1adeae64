// Regenerates the sandbox's golden tables (test/sandbox/golden/<table>.json) from the Go libraries kube-apiserver
// uses: runs test/controlplane/go/cmd/golden over test/sandbox/golden/corpus.json. Not part of npm test (the tables
// are committed); run it after changing the corpus or bumping Kubernetes in test/controlplane/go/go.mod, then read
// the diff (`git diff test/sandbox/golden`) and run `node scripts/test.mjs --only sandbox`.
//
//   node scripts/golden.mjs
//
// Environment: OKG_GO (the go command; default: go on PATH, else /usr/local/go/bin/go).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { GO_MODULE, ROOT, findGo } from './controlplane.mjs';

const OUT = join(ROOT, 'test', 'sandbox', 'golden');

const go = findGo();
if (!go) {
  process.stderr.write(
    'golden: Go is not installed (OKG_GO, else `go` on PATH, else /usr/local/go/bin/go); the golden tables are made by Go ≥ 1.25\n',
  );
  process.exit(1);
}
process.stderr.write(
  `golden: ${go.version}; go run ./cmd/golden in ${GO_MODULE} (the first run compiles apiextensions-apiserver: minutes)…\n`,
);
const r = spawnSync(go.go, ['run', '-trimpath', './cmd/golden', ROOT, OUT], {
  cwd: GO_MODULE,
  env: { ...process.env, GOFLAGS: '-mod=readonly', GOWORK: 'off' },
  stdio: ['ignore', 'inherit', 'inherit'],
});
if (r.status !== 0) {
  process.stderr.write(`golden: go run failed (exit ${r.status ?? r.signal}); see the output above\n`);
  process.exit(1);
}
const diff = spawnSync('git', ['diff', '--stat', '--', OUT], { cwd: ROOT, encoding: 'utf8' });
process.stdout.write(`golden tables written to ${OUT}\n${diff.stdout || '(no change against the committed tables)\n'}`);
