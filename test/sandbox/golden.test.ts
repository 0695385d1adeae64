// The sandbox against the Go libraries kube-apiserver uses: test/sandbox/golden/corpus.json run through
// evanphx/json-patch, apimachinery's selectors, client-go's JSONPath (the CRD printer columns) and
// apiextensions' structural schema code by test/controlplane/go/cmd/golden (`node scripts/golden.mjs`), whose
// answers are committed as test/sandbox/golden/<table>.json. Where the sandbox is known to differ, the case is
// listed in KNOWN_DIFFERENCES (and docs/sandbox-fidelity.md) and the test checks that it still differs.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'mocha';
import yaml from 'js-yaml';
import { applyJsonPatch, JsonPatchError } from '../../src/sandbox/jsonpatch.js';
import { applyMergePatch, mergePatchDecodeError } from '../../src/sandbox/mergepatch.js';
import {
  labelSelectorString,
  labelSelectorToString,
  matchLabels,
  parseLabelSelector,
  SelectorError,
  type LabelSelectorObject,
} from '../../src/sandbox/labels.js';
import { matchFields, parseFieldSelector } from '../../src/sandbox/fields.js';
import { printerColumnCell } from '../../src/sandbox/tables.js';
import type { KubeObject } from '../../src/sandbox/types.js';
import type { JSONSchemaProps } from '../../src/sandbox/schema/props.js';
import { pruneObjectReportingUnknown } from '../../src/sandbox/schema/pruning.js';
import { applyDefaults } from '../../src/sandbox/schema/defaulting.js';
import { validateObject } from '../../src/sandbox/schema/validation.js';

// Compiled to out/test/sandbox/: the golden files stay in the source tree.
const read = (path: string): unknown => {
  const text = readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');
  return path.endsWith('.yaml') ? yaml.load(text) : JSON.parse(text);
};

interface Corpus {
  jsonPatch: { name: string; doc: unknown; patch: unknown }[];
  mergePatch: { name: string; doc: unknown; patch: unknown }[];
  labelSelectors: { selector: string; labels: Record<string, string>[] }[];
  labelSelectorObjects: { name: string; selector: LabelSelectorObject | null }[];
  fieldSelectors: { selector: string; fields: Record<string, string>[] }[];
  printerColumns: { name: string; jsonPath: string; type: string; object: KubeObject }[];
  schemas: Record<string, { crd?: string; schema?: JSONSchemaProps }>;
  schemaObjects: { name: string; schema: string; object: unknown }[];
}

const corpus = read('test/sandbox/golden/corpus.json') as Corpus;

/** One golden table's cases by name (selector tables are keyed by their selector). */
function table<T>(name: string): Map<string, T> {
  const t = read(`test/sandbox/golden/${name}.json`) as { cases: (T & { name?: string; selector?: string })[] };
  return new Map(t.cases.map(c => [c.name ?? `s:${c.selector}`, c]));
}

/**
 * Cases where the sandbox is known to differ from Go, table → case → why (docs/sandbox-fidelity.md says the same).
 * The test asserts they still differ, so a fix (or a Kubernetes bump) that removes the difference shows up here.
 */
const UNSUPPORTED_JSONPATH =
  'valid kube JSONPath the sandbox does not evaluate (the OKG CRDs use none): it refuses the column';
const KNOWN_DIFFERENCES: Record<string, Record<string, string>> = {
  jsonPatch: {
    'test compares numbers as written':
      'Go compares scalars as compacted JSON text (1 is not 1.0); the sandbox compares parsed values',
  },
  mergePatch: {},
  labels: {},
  fields: {},
  printerColumns: {
    'string of a wildcard': UNSUPPORTED_JSONPATH,
    'string of recursive descent': UNSUPPORTED_JSONPATH,
    'string of a slice': UNSUPPORTED_JSONPATH,
    'string of a filter': UNSUPPORTED_JSONPATH,
    'string without leading dot': UNSUPPORTED_JSONPATH,
    'double dot inside': UNSUPPORTED_JSONPATH,
    'string of a union': UNSUPPORTED_JSONPATH,
    'string of a field wildcard': UNSUPPORTED_JSONPATH,
  },
  schema: {},
};

/**
 * Runs `check` (which asserts the sandbox agrees with Go) for each case, or asserts a known difference persists;
 * reports every failing case at once, so a Kubernetes bump shows the whole diff.
 */
function each<T>(what: keyof typeof KNOWN_DIFFERENCES, cases: T[], key: (c: T) => string, check: (c: T) => void): void {
  const known = KNOWN_DIFFERENCES[what];
  const failures: string[] = [];
  for (const name of Object.keys(known))
    if (!cases.some(c => key(c) === name)) failures.push(`known difference "${name}" is not in the corpus`);
  for (const c of cases) {
    const name = key(c);
    try {
      check(c);
      if (known[name] !== undefined)
        failures.push(`"${name}" now agrees with Go: remove it from KNOWN_DIFFERENCES (${known[name]})`);
    } catch (e) {
      if (!(e instanceof assert.AssertionError)) throw e;
      if (known[name] === undefined) failures.push(`"${name}": ${e.message}`);
    }
  }
  assert.equal(
    failures.length,
    0,
    `${what}: ${failures.length} of ${cases.length} cases differ from Go:\n${failures.join('\n')}`,
  );
}

function outcome<T>(fn: () => T): { value: T } | { error: unknown } {
  try {
    return { value: fn() };
  } catch (error) {
    return { error };
  }
}

interface PatchResult {
  name: string;
  result?: unknown;
  status?: number;
  message?: string;
  panic?: boolean;
}

describe('golden tables: the sandbox against the Go libraries', () => {
  it('JSON Patch is applied like gopkg.in/evanphx/json-patch.v4 behind kube-apiserver', () => {
    const golden = table<PatchResult>('jsonpatch');
    each(
      'jsonPatch',
      corpus.jsonPatch,
      c => c.name,
      c => {
        const want = golden.get(c.name);
        assert.ok(want, `no golden answer for "${c.name}": run node scripts/golden.mjs`);
        const got = outcome(() => applyJsonPatch(c.doc, c.patch));
        if (want.result !== undefined) {
          assert.ok(
            'value' in got,
            `${c.name}: the sandbox failed (${String((got as { error: unknown }).error)}) where Go gave ${JSON.stringify(want.result)}`,
          );
          assert.deepEqual(got.value, want.result, c.name);
          return;
        }
        assert.ok(
          'error' in got && got.error instanceof JsonPatchError,
          `${c.name}: Go refused it (${want.status}: ${want.message}); the sandbox gave ${JSON.stringify((got as { value?: unknown }).value)}`,
        );
        const kind = want.panic ? 'panic' : want.status === 400 ? 'malformed' : 'failed';
        assert.deepEqual({ kind: got.error.kind, message: got.error.message }, { kind, message: want.message }, c.name);
      },
    );
  });

  it('JSON merge patch is applied like json-patch.v4 MergePatch behind kube-apiserver', () => {
    const golden = table<PatchResult>('mergepatch');
    each(
      'mergePatch',
      corpus.mergePatch,
      c => c.name,
      c => {
        const want = golden.get(c.name);
        assert.ok(want, `no golden answer for "${c.name}": run node scripts/golden.mjs`);
        const refused = mergePatchDecodeError(c.patch);
        if (want.result !== undefined) {
          assert.equal(refused, undefined, `${c.name}: the sandbox refused a patch Go applies`);
          assert.deepEqual(applyMergePatch(c.doc, c.patch), want.result, c.name);
        } else {
          assert.deepEqual({ status: 400, message: refused }, { status: want.status, message: want.message }, c.name);
        }
      },
    );
  });

  interface SelectorResult {
    selector: string;
    error?: string;
    string?: string;
    requirements?: { key: string; operator: string; values: string[] }[];
    matches?: boolean[];
  }

  it('label selectors parse, print and match like k8s.io/apimachinery/pkg/labels', () => {
    const golden = table<SelectorResult>('labels');
    each(
      'labels',
      corpus.labelSelectors,
      c => c.selector,
      c => {
        const want = golden.get(`s:${c.selector}`);
        assert.ok(want, `no golden answer for ${JSON.stringify(c.selector)}: run node scripts/golden.mjs`);
        const got = outcome(() => parseLabelSelector(c.selector));
        if (want.error !== undefined) {
          assert.ok(
            'error' in got && got.error instanceof SelectorError,
            `${JSON.stringify(c.selector)}: Go refused it (${want.error})`,
          );
          assert.equal(got.error.message, want.error, JSON.stringify(c.selector));
          return;
        }
        assert.ok(
          'value' in got,
          `${JSON.stringify(c.selector)}: the sandbox refused it (${String((got as { error: unknown }).error)})`,
        );
        assert.deepEqual(got.value.requirements, want.requirements, JSON.stringify(c.selector));
        assert.equal(labelSelectorString(got.value), want.string, JSON.stringify(c.selector));
        assert.deepEqual(
          c.labels.map(l => matchLabels(got.value, l)),
          want.matches,
          JSON.stringify(c.selector),
        );
      },
    );
  });

  it('metav1.LabelSelector objects print like metav1.FormatLabelSelector', () => {
    const golden = table<{ name: string; string: string }>('labelobjects');
    for (const c of corpus.labelSelectorObjects) {
      assert.equal(labelSelectorToString(c.selector), golden.get(c.name)?.string, c.name);
    }
  });

  it('field selectors parse and match like k8s.io/apimachinery/pkg/fields', () => {
    const golden = table<SelectorResult>('fields');
    each(
      'fields',
      corpus.fieldSelectors,
      c => c.selector,
      c => {
        const want = golden.get(`s:${c.selector}`);
        assert.ok(want, `no golden answer for ${JSON.stringify(c.selector)}: run node scripts/golden.mjs`);
        const got = outcome(() => parseFieldSelector(c.selector));
        if (want.error !== undefined) {
          assert.ok(
            'error' in got && got.error instanceof SelectorError,
            `${JSON.stringify(c.selector)}: Go refused it (${want.error})`,
          );
          assert.equal(got.error.message, want.error, JSON.stringify(c.selector));
          return;
        }
        assert.ok(
          'value' in got,
          `${JSON.stringify(c.selector)}: the sandbox refused it (${String((got as { error: unknown }).error)})`,
        );
        assert.deepEqual(
          got.value.map(r => ({ key: r.field, operator: r.operator, values: [r.value] })),
          want.requirements,
          JSON.stringify(c.selector),
        );
        assert.deepEqual(
          c.fields.map(f => matchFields(got.value, k => f[k])),
          want.matches,
          JSON.stringify(c.selector),
        );
      },
    );
  });

  it('CRD printer columns print like apiextensions-apiserver (client-go JSONPath)', () => {
    const golden = table<{ name: string; error?: string; cell?: unknown }>('printercolumns');
    each(
      'printerColumns',
      corpus.printerColumns,
      c => c.name,
      c => {
        const want = golden.get(c.name);
        assert.ok(want, `no golden answer for "${c.name}": run node scripts/golden.mjs`);
        const got = outcome(() =>
          printerColumnCell({ name: 'C', type: c.type, jsonPath: c.jsonPath }, c.object, Date.now()),
        );
        if (want.error !== undefined) {
          assert.ok(
            'error' in got,
            `${c.name}: Go refused the column (${want.error}); the sandbox printed ${JSON.stringify((got as { value: unknown }).value)}`,
          );
          return;
        }
        assert.ok('value' in got, `${c.name}: the sandbox failed (${String((got as { error: unknown }).error)})`);
        assert.deepEqual(got.value, want.cell ?? null, c.name);
      },
    );
  });

  it('custom resources are pruned, defaulted and validated like apiextensions-apiserver', () => {
    const golden = table<{
      name: string;
      pruned: unknown;
      unknownFields: string[];
      defaulted: unknown;
      causes: { reason: string; field: string; message: string }[];
    }>('schema');
    const schemas = new Map(
      Object.entries(corpus.schemas).map(([name, ref]) => {
        if (ref.schema) return [name, ref.schema];
        const crd = read(`data/crds/${ref.crd}`) as {
          spec: { versions: { schema: { openAPIV3Schema: JSONSchemaProps } }[] };
        };
        return [name, crd.spec.versions[0].schema.openAPIV3Schema];
      }),
    );
    each(
      'schema',
      corpus.schemaObjects,
      c => c.name,
      c => {
        const want = golden.get(c.name);
        assert.ok(want, `no golden answer for "${c.name}": run node scripts/golden.mjs`);
        const schema = schemas.get(c.schema);
        assert.ok(schema, `${c.name}: no schema ${c.schema}`);
        const pruned = pruneObjectReportingUnknown(c.object, schema);
        assert.deepEqual(
          { pruned: pruned.object, unknownFields: pruned.unknownFields },
          { pruned: want.pruned, unknownFields: want.unknownFields },
          `${c.name}: pruning`,
        );
        const defaulted = applyDefaults(pruned.object, schema);
        assert.deepEqual(defaulted, want.defaulted, `${c.name}: defaulting`);
        const causes = validateObject(defaulted, schema)
          .map(x => ({ reason: x.reason, field: x.field, message: x.message }))
          .sort((a, b) =>
            a.field !== b.field
              ? a.field < b.field
                ? -1
                : 1
              : a.message < b.message
                ? -1
                : a.message > b.message
                  ? 1
                  : 0,
          );
        assert.deepEqual(causes, want.causes, `${c.name}: validation`);
      },
    );
  });
});
