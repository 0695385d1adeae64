// What redact takes out of text (and what it leaves), and the cut of echoed text.
import { strict as assert } from 'node:assert';
import { describe, it } from 'mocha';
import { clip } from '../../src/cluster/clip.js';
import { redact } from '../../src/cluster/redact.js';

describe('redact', () => {
  const cases: [string, string][] = [
    [
      'cannot reach https://admin:PASSWORD@127.0.0.1:1 (ECONNREFUSED)',
      'cannot reach https://***@127.0.0.1:1 (ECONNREFUSED)',
    ],
    ['at https://TOKEN123@host:6443/api', 'at https://***@host:6443/api'],
    ['https://u:pa/ss@w@host/p', 'https://***@host/p'],
    ['"server":"http://a:b@h:1","x":1', '"server":"http://***@h:1","x":1'],
    [
      'https://host:6443/api?access_token=abc123&watch=1#id_token=zz',
      'https://host:6443/api?access_token=***&watch=1#id_token=***',
    ],
    [
      'wss://h/x?token=abc&X-Amz-Signature=f00&password=p&client_secret=s&key=AIza',
      'wss://h/x?token=***&X-Amz-Signature=***&password=***&client_secret=***&key=***',
    ],
    [
      'Headers: {"authorization":"Bearer abc.def","set-cookie":["s=1","t=2"],"audit-id":"x"}',
      'Headers: {"authorization":"***","set-cookie":"***","audit-id":"x"}',
    ],
    [
      'Body: {"status":{"token":"abc","expirationTimestamp":"2030"}}',
      'Body: {"status":{"token":"***","expirationTimestamp":"2030"}}',
    ],
    ['Authorization: Basic dXNlcjpwYXNz, next', 'Authorization: ***, next'],
    ['rejected Bearer sk-123_x.y', 'rejected Bearer ***'],
    ['id eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln ok', 'id *** ok'],
    ['x -----BEGIN RSA PRIVATE KEY-----\nMIIabc\n-----END RSA PRIVATE KEY----- y', 'x [RSA PRIVATE KEY removed] y'],
    ['cut -----BEGIN CERTIFICATE-----\nMIIabc', 'cut [CERTIFICATE removed]'],
    ['client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo= done', 'client-key-data: *** done'],
  ];
  for (const [input, shown] of cases) {
    it(`redacts ${JSON.stringify(input.slice(0, 40))}`, () => {
      assert.equal(redact(input), shown);
      assert.equal(redact(shown), shown, 'idempotent');
    });
  }

  it('leaves ordinary messages alone', () => {
    for (const s of [
      'cannot list gameservers.game.kruise.io in namespace "default" on https://127.0.0.1:6443: HTTP 400',
      'the bearer token was rejected (401 Unauthorized); log in again',
      'labelSelector=game.kruise.io/owner-gss=minecraft,app.example.com/key=x',
      'unexpected token in JSON at position 3',
      'registry.example.com/team/game:1.2.3@sha256:' + 'a'.repeat(64),
    ])
      assert.equal(redact(s), s);
  });
});

describe('clip', () => {
  it('keeps text of at most 120 characters, and cuts longer text to 120 saying how long it was', () => {
    assert.equal(clip('a'.repeat(120)), 'a'.repeat(120));
    assert.equal(clip('a'.repeat(121)), `${'a'.repeat(120)}… (121 characters)`);
    assert.equal(clip('abcdef', 4), 'abcd… (6 characters)');
  });
});
