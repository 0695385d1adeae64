import { describe, it } from 'mocha';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import type { JSONSchemaProps } from '../../src/sandbox/schema/props.js';
import { formatInvalidMessage, validateObject } from '../../src/sandbox/schema/validation.js';
import { pruneObject, pruneObjectReportingUnknown } from '../../src/sandbox/schema/pruning.js';
import { applyDefaults } from '../../src/sandbox/schema/defaulting.js';

interface Crd {
  spec: { versions: { schema: { openAPIV3Schema: JSONSchemaProps } }[] };
}

function loadSchema(file: string): JSONSchemaProps {
  // Compiled to out/test/sandbox/; the CRDs live in data/crds/ at the repo root.
  const text = readFileSync(new URL(`../../../data/crds/${file}`, import.meta.url), 'utf8');
  return (yaml.load(text) as Crd).spec.versions[0].schema.openAPIV3Schema;
}

const gssSchema = loadSchema('game.kruise.io_gameserversets.yaml');
const gsSchema = loadSchema('game.kruise.io_gameservers.yaml');

function seedGss(spec: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'game.kruise.io/v1alpha1',
    kind: 'GameServerSet',
    metadata: { name: 'minecraft', namespace: 'default', labels: { app: 'mc' } },
    spec: {
      replicas: 3,
      updateStrategy: { type: 'OnDelete' },
      gameServerTemplate: {
        spec: {
          containers: [{ name: 'minecraft', image: 'registry.cn-hangzhou.aliyuncs.com/acs/minecraft-demo:1.12.2' }],
        },
      },
      ...spec,
    },
  };
}

describe('validateObject against the real OKG CRDs', () => {
  it('accepts the seed GameServerSet', () => {
    assert.deepEqual(validateObject(seedGss(), gssSchema), []);
  });

  it('accepts a GameServer with int-or-string priorities', () => {
    const gs = {
      apiVersion: 'game.kruise.io/v1alpha1',
      kind: 'GameServer',
      metadata: { name: 'minecraft-0' },
      spec: { opsState: 'Maintaining', deletionPriority: 10, updatePriority: '5' },
      status: { currentState: 'Ready', deletionPriority: '1' },
    };
    assert.deepEqual(validateObject(gs, gsSchema), []);
  });

  it('replicas -1 → minimum', () => {
    assert.deepEqual(validateObject(seedGss({ replicas: -1 }), gssSchema), [
      {
        reason: 'FieldValueInvalid',
        field: 'spec.replicas',
        message: 'Invalid value: -1: spec.replicas in body should be greater than or equal to 0',
      },
    ]);
  });

  it('replicas "3" → type', () => {
    assert.deepEqual(validateObject(seedGss({ replicas: '3' }), gssSchema), [
      {
        reason: 'FieldValueTypeInvalid',
        field: 'spec.replicas',
        message: 'Invalid value: "string": spec.replicas in body must be of type integer: "string"',
      },
    ]);
  });

  it('replicas 1.5 → type number', () => {
    assert.deepEqual(validateObject(seedGss({ replicas: 1.5 }), gssSchema), [
      {
        reason: 'FieldValueTypeInvalid',
        field: 'spec.replicas',
        message: 'Invalid value: "number": spec.replicas in body must be of type integer: "number"',
      },
    ]);
  });

  it('missing replicas → Required value', () => {
    const gss = seedGss();
    delete (gss.spec as Record<string, unknown>).replicas;
    assert.deepEqual(validateObject(gss, gssSchema), [
      { reason: 'FieldValueRequired', field: 'spec.replicas', message: 'Required value' },
    ]);
  });

  it('int-or-string with a boolean → type, anyOf and first branch', () => {
    const gs = {
      apiVersion: 'game.kruise.io/v1alpha1',
      kind: 'GameServer',
      metadata: { name: 'x' },
      spec: { deletionPriority: true },
    };
    assert.deepEqual(validateObject(gs, gsSchema), [
      {
        reason: 'FieldValueTypeInvalid',
        field: 'spec.deletionPriority',
        message: 'Invalid value: "boolean": spec.deletionPriority in body must be of type integer,string: "boolean"',
      },
      {
        reason: 'FieldValueInvalid',
        field: '<nil>',
        message: 'Invalid value: "": "spec.deletionPriority" must validate at least one schema (anyOf)',
      },
      {
        reason: 'FieldValueTypeInvalid',
        field: 'spec.deletionPriority',
        message: 'Invalid value: "boolean": spec.deletionPriority in body must be of type integer: "boolean"',
      },
    ]);
  });

  it('validates 2,000 GameServerSets fast', () => {
    const objs = Array.from({ length: 2000 }, (_, i) => seedGss({ replicas: i }));
    const t = performance.now();
    for (const o of objs) assert.equal(validateObject(o, gssSchema).length, 0);
    assert.ok(performance.now() - t < 1000, `took ${performance.now() - t} ms`);
  });
});

describe('validateObject keywords', () => {
  const schema: JSONSchemaProps = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          opsState: { type: 'string', enum: ['None', 'Kill'] },
          short: { type: 'string', maxLength: 3 },
          long: { type: 'string', minLength: 2 },
          lower: { type: 'string', pattern: '^[a-z]+$' },
          few: { type: 'array', maxItems: 1, items: { type: 'integer' } },
          many: { type: 'array', minItems: 2 },
          below10: { type: 'integer', maximum: 10, exclusiveMaximum: true },
          ratio: { type: 'number', minimum: 1 },
          maybe: { type: 'integer', nullable: true },
          count: { type: 'integer' },
          flag: { type: 'boolean' },
          strings: { type: 'object', additionalProperties: { type: 'string' } },
          closed: { type: 'object', additionalProperties: false, properties: { a: { type: 'string' } } },
          template: {
            type: 'object',
            'x-kubernetes-embedded-resource': true,
            'x-kubernetes-preserve-unknown-fields': true,
          },
          uid: { type: 'string', format: 'uuid' },
          size: { type: 'integer', format: 'int32' },
        },
      },
    },
  };
  const check = (spec: Record<string, unknown>): { reason: string; field: string; message: string }[] =>
    validateObject({ apiVersion: 'v1', kind: 'X', metadata: {}, spec }, schema);

  it('enum → Unsupported value', () => {
    assert.deepEqual(check({ opsState: 'X' }), [
      {
        reason: 'FieldValueNotSupported',
        field: 'spec.opsState',
        message: 'Unsupported value: "X": supported values: "None", "Kill"',
      },
    ]);
  });
  it('string lengths and pattern', () => {
    assert.deepEqual(check({ short: 'abcd', long: 'a', lower: 'A1' }), [
      { reason: 'FieldValueTooLong', field: 'spec.short', message: 'Too long: may not be more than 3 bytes' },
      {
        reason: 'FieldValueInvalid',
        field: 'spec.long',
        message: 'Invalid value: "a": spec.long in body should be at least 2 chars long',
      },
      {
        reason: 'FieldValueInvalid',
        field: 'spec.lower',
        message: `Invalid value: "A1": spec.lower in body should match '^[a-z]+$'`,
      },
    ]);
    assert.deepEqual(check({ short: 'äöü' }), [], 'lengths count runes');
  });
  it('array sizes and items', () => {
    assert.deepEqual(check({ few: [1, 'x'], many: [1] }), [
      {
        reason: 'FieldValueTypeInvalid',
        field: 'spec.few[1]',
        message: 'Invalid value: "string": spec.few[1] in body must be of type integer: "string"',
      },
      { reason: 'FieldValueTooMany', field: 'spec.few', message: 'Too many: 2: must have at most 1 items' },
      {
        reason: 'FieldValueInvalid',
        field: 'spec.many',
        message: 'Invalid value: 1: spec.many in body should have at least 2 items',
      },
    ]);
  });
  it('numeric bounds, exclusive and float', () => {
    assert.deepEqual(check({ below10: 10, ratio: 0.5 }), [
      {
        reason: 'FieldValueInvalid',
        field: 'spec.below10',
        message: 'Invalid value: 10: spec.below10 in body should be less than 10',
      },
      {
        reason: 'FieldValueInvalid',
        field: 'spec.ratio',
        message: 'Invalid value: 0.5: spec.ratio in body should be greater than or equal to 1',
      },
    ]);
    assert.deepEqual(check({ below10: 9, ratio: 1, count: 2 }), []);
  });
  it('null: allowed when nullable, a type error otherwise', () => {
    assert.deepEqual(check({ maybe: null }), []);
    assert.deepEqual(check({ count: null, flag: 'yes' }), [
      {
        reason: 'FieldValueTypeInvalid',
        field: 'spec.count',
        message: 'Invalid value: "null": spec.count in body must be of type integer: "null"',
      },
      {
        reason: 'FieldValueTypeInvalid',
        field: 'spec.flag',
        message: 'Invalid value: "string": spec.flag in body must be of type boolean: "string"',
      },
    ]);
  });
  it('additionalProperties schema and false', () => {
    assert.deepEqual(check({ strings: { a: 'x', b: 1 }, closed: { a: 'x', z: 1 } }), [
      {
        reason: 'FieldValueTypeInvalid',
        field: 'spec.strings.b',
        message: 'Invalid value: "integer": spec.strings.b in body must be of type string: "integer"',
      },
      {
        reason: 'FieldValueInvalid',
        field: 'spec.closed',
        message: 'Invalid value: "z": spec.closed.z in body is a forbidden property',
      },
    ]);
  });
  it('embedded resources need apiVersion and kind', () => {
    assert.deepEqual(check({ template: { spec: {} } }), [
      { reason: 'FieldValueRequired', field: 'spec.template.apiVersion', message: 'Required value' },
      { reason: 'FieldValueRequired', field: 'spec.template.kind', message: 'Required value' },
    ]);
    assert.deepEqual(check({ template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } } }), []);
  });
  it('string formats are checked, int32 is not range-checked (kube strips it)', () => {
    assert.deepEqual(check({ uid: 'nope' }), [
      {
        reason: 'FieldValueTypeInvalid',
        field: 'spec.uid',
        message: 'Invalid value: "nope": spec.uid in body must be of type uuid: "nope"',
      },
    ]);
    assert.deepEqual(check({ uid: '123e4567-e89b-12d3-a456-426614174000', size: 2 ** 40 }), []);
  });
  it('a root of the wrong type is reported on <nil>', () => {
    assert.deepEqual(validateObject('x', schema), [
      {
        reason: 'FieldValueTypeInvalid',
        field: '<nil>',
        message: 'Invalid value: "string":  in body must be of type object: "string"',
      },
    ]);
  });
});

describe('formatInvalidMessage', () => {
  it('formats one cause like errors.NewInvalid', () => {
    const causes = validateObject(seedGss({ replicas: -1 }), gssSchema);
    assert.equal(
      formatInvalidMessage('GameServerSet', 'game.kruise.io', 'minecraft', causes),
      'GameServerSet.game.kruise.io "minecraft" is invalid: spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0',
    );
  });
  it('joins several causes in brackets and handles the core group', () => {
    const causes = [
      { reason: 'FieldValueRequired', field: 'spec.a', message: 'Required value' },
      { reason: 'FieldValueRequired', field: 'spec.b', message: 'Required value' },
      { reason: 'FieldValueRequired', field: 'spec.a', message: 'Required value' },
    ];
    assert.equal(
      formatInvalidMessage('Pod', '', 'p', causes),
      'Pod "p" is invalid: [spec.a: Required value, spec.b: Required value]',
    );
    assert.equal(formatInvalidMessage('Pod', '', 'p', []), 'Pod "p" is invalid');
  });
});

describe('pruneObject', () => {
  it('drops unknown fields, keeps meta, preserve-unknown-fields subtrees and reports paths', () => {
    const gss = seedGss({ bogus: 1, updateStrategy: { type: 'OnDelete', extra: true } });
    (gss.metadata as Record<string, unknown>).whatever = 'kept';
    gss.topLevel = 'x';
    const { object, unknownFields } = pruneObjectReportingUnknown(gss, gssSchema);
    const want = seedGss();
    (want.metadata as Record<string, unknown>).whatever = 'kept';
    assert.deepEqual(object, want);
    assert.deepEqual(unknownFields, ['spec.bogus', 'spec.updateStrategy.extra', 'topLevel']);
    assert.equal((gss.spec as Record<string, unknown>).bogus, 1, 'input not mutated');
  });
  it('drops nulls of non-nullable fields without default', () => {
    const out = pruneObject(seedGss({ serviceName: null }), gssSchema) as { spec: Record<string, unknown> };
    assert.equal('serviceName' in out.spec, false);
  });
  it('prunes inside arrays using items', () => {
    const gs = { apiVersion: 'a/v1', kind: 'GameServer', metadata: {}, spec: { containers: [{ name: 'a', junk: 1 }] } };
    assert.deepEqual(pruneObjectReportingUnknown(gs, gsSchema).unknownFields, ['spec.containers[0].junk']);
  });
});

describe('applyDefaults', () => {
  const schema: JSONSchemaProps = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        default: {},
        properties: {
          opsState: { type: 'string', default: 'None' },
          ports: {
            type: 'array',
            items: { type: 'object', properties: { protocol: { type: 'string', default: 'TCP' } } },
          },
          n: { type: 'integer', nullable: true, default: 1 },
        },
      },
    },
  };
  it('fills absent fields, recursing into new defaults and arrays', () => {
    assert.deepEqual(applyDefaults({}, schema), { spec: { opsState: 'None', n: 1 } });
    assert.deepEqual(applyDefaults({ spec: { opsState: 'Kill', ports: [{}, { protocol: 'UDP' }] } }, schema), {
      spec: { opsState: 'Kill', ports: [{ protocol: 'TCP' }, { protocol: 'UDP' }], n: 1 },
    });
  });
  it('replaces non-nullable nulls, keeps nullable nulls, never mutates input', () => {
    const input = { spec: { opsState: null, n: null } };
    assert.deepEqual(applyDefaults(input, schema), { spec: { opsState: 'None', n: null } });
    assert.deepEqual(input, { spec: { opsState: null, n: null } });
  });
});
