// The audit trail and the release history from the CLI (issue 14 §4): `okg release -v` and `okg rollback -v` print
// one kubectl line per accepted write (as the sandbox's write log has them; on stderr with -o json, so stdout stays
// JSON), and `okg history GSS` lists two releases and a rollback, newest first, from the record (plain Node too).
import * as assert from 'node:assert/strict';
import { historyCommand } from '../../src/cli/historyCommand.js';
import { releaseCommand } from '../../src/cli/releaseCommand.js';
import { rollbackCommand } from '../../src/cli/rollbackCommand.js';
import { releaseHistory } from '../../src/release/history.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { GSS, gssObject, NEW, NS, OLD, startWorld } from '../release/helpers.js';
import { runVerb } from './run.js';

const THIRD = `${OLD.slice(0, OLD.lastIndexOf(':'))}:1.12.2-third`;
const tag = (i: string) => i.slice(i.lastIndexOf(':') + 1);
const kubectlLines = (lines: string[]) => lines.filter(l => l.startsWith('kubectl '));

const run = runVerb;

describe('okg release -v, okg rollback -v and okg history (CLI)', function () {
  this.timeout(90_000);
  let sb: Sandbox;
  let kc: string;
  before(async () => {
    sb = await startWorld();
    kc = sb.kubeconfigPath('admin');
  });
  after(async () => {
    await sb?.stop();
  });
  const accepted = () =>
    sb.server
      .writeLog()
      .filter(w => w.user !== 'controller' && !w.dryRun && w.code < 300)
      .map(w => `${w.resource === 'gameservers' ? 'gs' : 'gss'} ${w.name}`);
  const named = (lines: string[]) => lines.map(l => l.split(' ').slice(2, 4).join(' '));
  const flags = (image: string) => ['-n', NS, '--gss', GSS, '--image', `minecraft=${image}`, '--add', '3'];

  it('okg history before any release: says so, exit 0', async () => {
    const r = await run(historyCommand, [GSS, '-n', NS, '--kubeconfig', kc]);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.deepEqual(r.out, [`${NS}/${GSS}: no release has run on it (its record is empty)`]);
  });

  it('okg release -v prints each accepted write as a kubectl line', async () => {
    sb.server.clearWriteLog();
    const r = await run(releaseCommand, [...flags(NEW), '--reclaim', 'scale-down', '-v', '--kubeconfig', kc]);
    assert.equal(r.code, 0, r.err.join('\n'));
    const lines = kubectlLines(r.out);
    assert.ok(lines.length >= 5, r.out.join('\n'));
    assert.deepEqual(named(lines), accepted());
    for (const l of lines)
      assert.match(l, /^kubectl patch (gs|gss) \S+ -n default --context okg-sandbox --type=json -p '\[\{"op":"test",/);
    assert.ok(lines.some(l => l.startsWith('kubectl patch gs minecraft-1 ') && l.includes('WaitToBeDeleted')));
  });

  it('a second release with -o json -v: stdout is the JSON result, the kubectl lines go to stderr', async () => {
    sb.server.clearWriteLog();
    const r = await run(releaseCommand, [...flags(THIRD), '-o', 'json', '-v', '--kubeconfig', kc]);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.equal((JSON.parse(r.out.join('\n')) as { outcome: string }).outcome, 'succeeded');
    assert.deepEqual(named(kubectlLines(r.err)), accepted());
    assert.ok(kubectlLines(r.err).length >= 5);
  });

  it('okg rollback -v prints its writes too', async () => {
    sb.server.clearWriteLog();
    const r = await run(rollbackCommand, ['-n', NS, '--gss', GSS, '-v', '--kubeconfig', kc]);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.deepEqual(named(kubectlLines(r.out)), accepted());
    assert.ok(
      kubectlLines(r.out).some(l => l.includes(`"value":"${NEW}"`)),
      'the image back to the previous one',
    );
  });

  it('the history after two releases and a rollback: newest first, who, from → to, outcome, rooms', async () => {
    const rows = releaseHistory(gssObject(sb) as never);
    assert.deepEqual(
      rows.map(r => [r.kind, r.outcome, r.from?.map(c => tag(c.image)), r.to.map(c => tag(c.image))]),
      [
        ['rollback', 'succeeded', [tag(THIRD)], [tag(NEW)]],
        ['release', 'succeeded', [tag(NEW)], [tag(THIRD)]],
        ['release', 'succeeded', [tag(OLD)], [tag(NEW)]],
      ],
    );
    assert.equal(rows[1].retired, 3, 'the second release retired the first one’s 3 rooms');
    assert.equal(rows[2].retired, 2, 'the first retired minecraft-1 and minecraft-2');
    assert.equal(rows[2].reclaimed, 2, 'and reclaimed both (--reclaim scale-down)');
    assert.equal(rows[0].rollbackOf, rows[1].id);
    for (const r of rows) assert.match(r.who, /^\S+@\S+ \(pid \d+\)$/);

    const text = await run(historyCommand, [GSS, '-n', NS, '--kubeconfig', kc]);
    assert.equal(text.code, 0, text.err.join('\n'));
    assert.equal(text.out.length, 3);
    assert.match(
      text.out[0],
      new RegExp(
        `^rb-\\S+ rollback of ${rows[1].id} succeeded \\S+ → \\S+ by \\S+@\\S+ \\(pid \\d+\\): minecraft=1\\.12\\.2-third → minecraft=1\\.12\\.2-new`,
      ),
    );
    assert.match(
      text.out[2],
      /^rel-\S+ release succeeded .*: minecraft=1\.12\.2 → minecraft=1\.12\.2-new; 2 room\(s\) retired, 2 reclaimed$/,
    );
    const json = await run(historyCommand, ['-n', NS, GSS, '-o', 'json', '--kubeconfig', kc]);
    assert.deepEqual(JSON.parse(json.out.join('\n')), rows);
  });

  it('okg history: bad input is one line, exit 2; a missing set exit 1', async () => {
    for (const args of [[], ['a', 'b'], [GSS, '-o', 'yaml'], ['Bad_Name'], [GSS, '--nope']]) {
      const r = await run(historyCommand, [...args, '--kubeconfig', kc]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err.join('\n')}`);
      assert.equal(r.err.length, 1);
      assert.match(r.err[0], /^okg: /);
    }
    const missing = await run(historyCommand, ['nosuchset', '-n', NS, '--kubeconfig', kc]);
    assert.equal(missing.code, 1);
    assert.equal(missing.err.length, 1, missing.err.join('\n'));
  });
});
