// `okg sandbox` as a process: prints where it is, serves kubectl, stops cleanly on Ctrl-C, and refuses bad flags.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'mocha';
import { eventually, kubectl, table } from '../helpers/kubectl.js';

function okg(args: string[]) {
  const p = spawn(process.execPath, ['bin/okg.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '',
    err = '';
  p.stdout.on('data', d => {
    out += d;
  });
  p.stderr.on('data', d => {
    err += d;
  });
  const exited = new Promise<number>(resolve => p.on('close', code => resolve(code ?? -1)));
  return { p, out: () => out, err: () => err, exited };
}

describe('okg sandbox (CLI)', function () {
  this.timeout(60_000);

  it('starts the seed scenario, serves kubectl, and stops on SIGINT', async () => {
    const kubeconfig = join(mkdtempSync(join(tmpdir(), 'okg-cli-')), 'kubeconfig.yaml');
    const run = okg(['sandbox', '--scenario', 'seed', '--ready-after', '50', '--kubeconfig', kubeconfig]);
    await eventually(() => run.out().includes('Press Ctrl-C'), 30_000, 'the sandbox to start');
    assert.match(run.out(), /OKG sandbox \(seed\) listening on https:\/\/127\.0\.0\.1:\d+/);
    assert.ok(run.out().includes(`kubeconfig: ${kubeconfig}`));
    const r = await kubectl(kubeconfig, ['get', 'gs', '--no-headers']);
    assert.deepEqual(
      table(r.stdout).map(c => c.slice(0, 3)),
      [
        ['minecraft-0', 'Ready', 'Allocated'],
        ['minecraft-1', 'Ready', 'None'],
        ['minecraft-2', 'Ready', 'None'],
      ],
    );
    run.p.kill('SIGINT');
    assert.equal(await run.exited, 0);
    assert.match(run.out(), /OKG sandbox stopped\./);
  });

  it('starts the scale scenario with more than 100 rooms in a set', async () => {
    const kubeconfig = join(mkdtempSync(join(tmpdir(), 'okg-cli-')), 'kubeconfig.yaml');
    const run = okg(['sandbox', '--scenario', 'scale', '--gss', '1', '--rooms', '150', '--kubeconfig', kubeconfig]);
    try {
      await eventually(() => run.out().includes('Press Ctrl-C') || run.err() !== '', 50_000, 'the sandbox to start');
      assert.equal(run.err(), '');
      const r = await kubectl(kubeconfig, ['get', 'gs', '-A', '--no-headers']);
      const rows = table(r.stdout);
      assert.equal(rows.length, 150);
      assert.ok(
        rows.every(c => c[2] === 'Ready'),
        r.stdout,
      );
    } finally {
      run.p.kill('SIGINT');
      await run.exited;
    }
  });

  it('injects the faults it is given', async () => {
    const kubeconfig = join(mkdtempSync(join(tmpdir(), 'okg-cli-')), 'kubeconfig.yaml');
    const run = okg([
      'sandbox',
      '--scenario',
      'empty',
      '--faults',
      'error-rate=1,error-codes=503',
      '--kubeconfig',
      kubeconfig,
    ]);
    try {
      await eventually(() => run.out().includes('Press Ctrl-C'), 30_000, 'the sandbox to start');
      const r = await kubectl(kubeconfig, ['get', 'ns', '--request-timeout=5s']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /ServiceUnavailable|currently unable to handle the request/);
    } finally {
      run.p.kill('SIGINT');
      await run.exited;
    }
  });

  it('takes fail rules and a network: says what fails, and the rooms get their networkStatus', async () => {
    const kubeconfig = join(mkdtempSync(join(tmpdir(), 'okg-cli-')), 'kubeconfig.yaml');
    const run = okg([
      'sandbox',
      '--ready-after',
      '50',
      '--kubeconfig',
      kubeconfig,
      '--network',
      'Kubernetes-HostPort',
      '--fail-image',
      '-broken=ImagePullBackOff',
      '--fail-image',
      '-slow=SlowReady:1.5',
    ]);
    try {
      await eventually(() => run.out().includes('Press Ctrl-C'), 30_000, 'the sandbox to start');
      assert.match(run.out(), /OKG sandbox \(seed, Kubernetes-HostPort\) listening on https:/);
      assert.match(run.out(), /failing: images containing "-broken" → ImagePullBackOff\n/);
      assert.match(run.out(), /failing: images containing "-slow" → SlowReady after 1\.5 s\n/);
      await eventually(
        async () =>
          (
            await kubectl(kubeconfig, [
              'get',
              'gs',
              'minecraft-0',
              '-o',
              'jsonpath={.status.networkStatus.currentNetworkState}',
            ])
          ).stdout === 'Ready',
        30_000,
        'the network to be Ready',
      );
    } finally {
      run.p.kill('SIGINT');
      await run.exited;
    }
  });

  for (const [args, reason] of [
    [['sandbox', '--scenario', 'nope'], /--scenario must be one of seed, empty, scale/],
    [['sandbox', '--port', 'http'], /--port takes a whole number/],
    [['sandbox', '--port', '70000'], /--port must be from 0 to 65535/],
    [['sandbox', '--faults', 'error-rate=2'], /error-rate must be a number from 0 to 1/],
    [['sandbox', '--faults', 'explode=1'], /unknown fault "explode"/],
    [['sandbox', '--rooms', '1001', '--gss', '1', '--scenario', 'scale'], /--rooms must be from 0 to 1000, got 1001/],
    [
      ['sandbox', '--rooms', '1000', '--gss', '11', '--scenario', 'scale'],
      /--gss × --rooms must be at most 10,000 rooms, got 11,000/,
    ],
    [['sandbox', '--rooms', '200', '--scenario', 'scale'], /at most 10,000 rooms, got 20,000 \(--gss defaults to 100/],
    [['sandbox', '--bogus'], /Unknown option '--bogus'/],
    [
      ['sandbox', '--fail-image', '-broken'],
      /--fail-image takes SUBSTRING=MODE \(MODE: ImagePullBackOff, CrashLoopBackOff, NeverReady or SlowReady:SECONDS\), got "-broken"/,
    ],
    [['sandbox', '--fail-image', '-broken=Broken'], /--fail-image: unknown mode "Broken"/],
    [['sandbox', '--fail-image', '-slow=SlowReady'], /--fail-image: SlowReady needs the seconds until Ready/],
    [
      ['sandbox', '--fail-image', '-slow=SlowReady:x'],
      /--fail-image: SlowReady seconds must be a number from 0 to 3600, got "x"/,
    ],
    [
      ['sandbox', '--fail-image', 'a=NeverReady', '--fail-image', 'a=CrashLoopBackOff'],
      /--fail-image: "a" is given twice/,
    ],
    [
      ['sandbox', '--network', 'Kubernetes-Ingress'],
      /--network must be one of Kubernetes-HostPort, Kubernetes-NodePort, got "Kubernetes-Ingress"/,
    ],
    [
      ['sandbox', '--network', 'Kubernetes-NodePort', '--scenario', 'empty'],
      /--network applies to the seed scenario only, not "empty"/,
    ],
    [['frobnicate'], /unknown command "frobnicate"/],
  ] as const) {
    it(`exits 2 with one line for: okg ${args.join(' ')}`, async () => {
      const run = okg([...args]);
      assert.equal(await run.exited, 2);
      const lines = run.err().trim().split('\n');
      assert.equal(lines.length, 1, run.err());
      assert.match(lines[0], reason);
    });
  }
});
