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
  let out = '', err = '';
  p.stdout.on('data', d => { out += d; });
  p.stderr.on('data', d => { err += d; });
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
    assert.deepEqual(table(r.stdout).map(c => c.slice(0, 3)), [
      ['minecraft-0', 'Ready', 'Allocated'], ['minecraft-1', 'Ready', 'None'], ['minecraft-2', 'Ready', 'None']]);
    run.p.kill('SIGINT');
    assert.equal(await run.exited, 0);
    assert.match(run.out(), /OKG sandbox stopped\./);
  });

  it('injects the faults it is given', async () => {
    const kubeconfig = join(mkdtempSync(join(tmpdir(), 'okg-cli-')), 'kubeconfig.yaml');
    const run = okg(['sandbox', '--scenario', 'empty', '--faults', 'error-rate=1,error-codes=503', '--kubeconfig', kubeconfig]);
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

  for (const [args, reason] of [
    [['sandbox', '--scenario', 'nope'], /--scenario must be one of seed, empty, scale/],
    [['sandbox', '--port', 'http'], /--port takes a whole number/],
    [['sandbox', '--port', '70000'], /--port must be from 0 to 65535/],
    [['sandbox', '--faults', 'error-rate=2'], /error-rate must be a number from 0 to 1/],
    [['sandbox', '--faults', 'explode=1'], /unknown fault "explode"/],
    [['sandbox', '--rooms', '101', '--scenario', 'scale'], /--rooms must be from 0 to 100/],
    [['sandbox', '--bogus'], /Unknown option '--bogus'/],
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
