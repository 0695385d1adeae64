import { strict as assert } from 'node:assert';
import { describe, it } from 'mocha';
import { imageTag, normalizeImage, parseImage, sameImage } from '../../src/cluster/images.js';

describe('image references', () => {
  it('parses registry, repository, tag and digest, with Docker Hub defaults', () => {
    assert.deepEqual(parseImage('registry.cn-hangzhou.aliyuncs.com/acs/minecraft-demo:1.12.2-new'), {
      registry: 'registry.cn-hangzhou.aliyuncs.com',
      repository: 'acs/minecraft-demo',
      tag: '1.12.2-new',
      digest: undefined,
    });
    assert.equal(normalizeImage('nginx'), 'docker.io/library/nginx:latest');
    assert.equal(normalizeImage('team/game:2'), 'docker.io/team/game:2');
    assert.equal(normalizeImage('localhost:5000/game:1'), 'localhost:5000/game:1');
  });

  for (const bad of [
    '',
    'UPPER/case:1',
    'repo:tag with space',
    'repo::1',
    'repo@sha256:short',
    'https://registry/x:1',
    'a'.repeat(300),
  ]) {
    it(`rejects ${JSON.stringify(bad.slice(0, 30))} with a reason`, () => {
      const r = parseImage(bad);
      assert.equal(typeof r, 'string');
    });
  }

  it('echoes a long bad reference cut, so the reason stays on one short line', () => {
    const r = parseImage(`${'a'.repeat(3000)} b`);
    assert.equal(typeof r, 'string');
    assert.ok((r as string).length < 200, `${(r as string).length} characters`);
    assert.match(r as string, /^"a{120}… \(3002 characters\)" contains white space$/);
  });

  it('compares normalised references; a runtime digest does not hide the tag', () => {
    assert.ok(sameImage('nginx:1.2', 'docker.io/library/nginx:1.2'));
    assert.ok(sameImage('r.io/a/b:1@sha256:' + 'a'.repeat(64), 'r.io/a/b:1'));
    assert.ok(!sameImage('r.io/a/b:1', 'r.io/a/b:2'));
    assert.ok(!sameImage('r.io/a/b:1', 'r.io/a/c:1'));
    assert.ok(
      !sameImage('r.io/a/b@sha256:' + 'a'.repeat(64), 'r.io/a/b:1'),
      'digest-only vs tag cannot be decided: different',
    );
  });

  it('shows the tag compactly', () => {
    assert.equal(imageTag('registry.cn-hangzhou.aliyuncs.com/acs/minecraft-demo:1.12.2-new'), '1.12.2-new');
    assert.equal(imageTag('nginx'), 'latest');
  });
});
