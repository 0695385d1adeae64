// Argo Workflows' own code for the exported release: builds test/controlplane/argo (cmd/argo-validate, which is
// `argo lint --offline --strict` from github.com/argoproj/argo-workflows/v3; cmd/argo-mutex, Argo's
// synchronization manager over the export's Workflows; cmd/argo-controller, Argo's workflow-controller for tier B)
// once into ~/.cache/okg-ops/controlplane, and copies Argo's CRDs (full and minimal) and its
// workflow-controller-configmap, as that module ships them, next to them for the tests.
//
//   node scripts/argo-validate.mjs build          build (or reuse); prints the binary's path
//   node scripts/argo-validate.mjs FILE...        build (or reuse), then lint FILE... (exit 1 on any problem)
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, buildGoModule, findGo } from './controlplane.mjs';

export const ARGO_MODULE = join(ROOT, 'test', 'controlplane', 'argo');

/** The argo-workflows version test/controlplane/argo/go.mod requires. */
export function argoVersion() {
  const v = /^\s*(?:require\s+)?github\.com\/argoproj\/argo-workflows\/v3\s+(v\S+)\s*$/m.exec(
    readFileSync(join(ARGO_MODULE, 'go.mod'), 'utf8'),
  )?.[1];
  if (!v) throw new Error('test/controlplane/argo/go.mod does not require github.com/argoproj/argo-workflows/v3');
  return v;
}

/**
 * Builds (or finds) argo-validate, argo-mutex and argo-controller; returns { bin, mutex, controller,
 * controllerConfigMap, crds: { full, minimal }, version, built }.
 */
export function buildArgoValidator({ log } = {}) {
  const version = argoVersion();
  const r = buildGoModule({
    moduleDir: ARGO_MODULE,
    packages: {
      'argo-validate': './cmd/argo-validate',
      'argo-mutex': './cmd/argo-mutex',
      'argo-controller': './cmd/argo-controller',
    },
    prefix: `argo-${version}`,
    // Argo's version, as its Makefile stamps it: the controller's default executor image is argoexec:<version>.
    flags: `-s -w -X github.com/argoproj/argo-workflows/v3.version=${version}`,
    what: `argo-validate, argo-mutex and argo-controller (argo-workflows ${version})`,
    log,
  });
  const crds = join(r.binDir, 'crds');
  const configMap = join(crds, 'workflow-controller-configmap.yaml');
  if (!existsSync(configMap)) {
    const go = findGo();
    const dir = spawnSync(go.go, ['list', '-m', '-f', '{{.Dir}}', 'github.com/argoproj/argo-workflows/v3'], {
      cwd: ARGO_MODULE,
      env: { ...process.env, GOFLAGS: '-mod=readonly', GOWORK: 'off' },
      encoding: 'utf8',
    });
    if (dir.status !== 0 || !dir.stdout.trim())
      throw new Error(
        `go list -m github.com/argoproj/argo-workflows/v3 failed in test/controlplane/argo: ${dir.stderr.trim()}`,
      );
    const tmp = `${crds}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    for (const kind of ['full', 'minimal']) {
      const from = join(dir.stdout.trim(), 'manifests', 'base', 'crds', kind);
      mkdirSync(join(tmp, kind), { recursive: true });
      for (const f of readdirSync(from).filter(f => f.startsWith('argoproj.io_') && f.endsWith('.yaml')))
        copyFileSync(join(from, f), join(tmp, kind, f));
    }
    copyFileSync(
      join(dir.stdout.trim(), 'manifests', 'base', 'workflow-controller', 'workflow-controller-configmap.yaml'),
      join(tmp, 'workflow-controller-configmap.yaml'),
    );
    rmSync(crds, { recursive: true, force: true });
    renameSync(tmp, crds);
  }
  return {
    bin: join(r.binDir, 'argo-validate'),
    mutex: join(r.binDir, 'argo-mutex'),
    controller: join(r.binDir, 'argo-controller'),
    controllerConfigMap: configMap,
    crds: { full: join(crds, 'full'), minimal: join(crds, 'minimal') },
    version,
    built: r.built,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  try {
    const { bin, version } = buildArgoValidator();
    if (args[0] === 'build' || !args.length) {
      console.log(`${bin} (argo-workflows ${version})`);
    } else {
      const r = spawnSync(bin, args, { stdio: 'inherit' });
      process.exit(r.status ?? 1);
    }
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
