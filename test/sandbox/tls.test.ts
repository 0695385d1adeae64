// The sandbox's self-signed certificate must be valid DER every time (a non-minimal INTEGER, e.g. a random
// serial starting with a zero byte, makes OpenSSL refuse it with "illegal padding").
import { strict as assert } from 'node:assert';
import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { describe, it } from 'mocha';
import { integer, servingCertificate } from '../../src/sandbox/tls.js';

describe('sandbox TLS certificate', () => {
  it('encodes INTEGERs minimally and positively (DER)', () => {
    assert.deepEqual([...integer(Buffer.from([0x00, 0x12, 0x34]))], [0x02, 0x02, 0x12, 0x34]);
    assert.deepEqual([...integer(Buffer.from([0x00, 0x00, 0x80]))], [0x02, 0x02, 0x00, 0x80]);
    assert.deepEqual([...integer(Buffer.from([0x80, 0x01]))], [0x02, 0x03, 0x00, 0x80, 0x01]);
    assert.deepEqual([...integer(Buffer.from([0x00]))], [0x02, 0x01, 0x00]);
  });

  it('is a CA for 127.0.0.1, ::1 and localhost that signs itself and loads into a TLS context', () => {
    const c = servingCertificate();
    const x = new X509Certificate(c.certPem);
    assert.equal(x.ca, true);
    assert.equal(x.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(x.checkHost('localhost'), 'localhost');
    assert.ok(x.verify(x.publicKey));
    createSecureContext({ cert: c.certPem, key: c.keyPem });
  });
});
