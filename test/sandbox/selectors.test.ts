import { describe, it } from 'mocha';
import assert from 'node:assert/strict';
import {
  labelSelectorString,
  labelSelectorToString,
  matchLabels,
  parseLabelSelector,
  SelectorError,
} from '../../src/sandbox/labels.js';
import { matchFields, parseFieldSelector } from '../../src/sandbox/fields.js';

function parseFails(s: string, message: string): void {
  assert.throws(
    () => parseLabelSelector(s),
    (e: unknown) => e instanceof SelectorError && e.message === message,
    `expected ${JSON.stringify(message)} for ${JSON.stringify(s)}`,
  );
}

const QNAME_DETAIL =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_DETAIL =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe('parseLabelSelector / matchLabels', () => {
  const pod = { 'game.kruise.io/owner-gss': 'minecraft', app: 'mc', tier: 'web' };

  it('parses every operator and ANDs requirements', () => {
    const cases: [string, boolean][] = [
      ['', true],
      ['app=mc', true],
      ['app==mc', true],
      ['app!=mc', false],
      ['app!=other', true],
      ['missing!=x', true],
      ['app in (mc, other)', true],
      ['app notin (mc)', false],
      ['missing notin (mc)', true],
      ['missing in (mc)', false],
      ['app', true],
      ['!app', false],
      ['!missing', true],
      ['game.kruise.io/owner-gss=minecraft,tier=web', true],
      ['game.kruise.io/owner-gss=minecraft,tier=db', false],
      ['  app = mc ,  tier in(web)  ', true],
      ['app=', false],
    ];
    for (const [s, want] of cases) assert.equal(matchLabels(parseLabelSelector(s), pod), want, s);
    assert.equal(matchLabels(parseLabelSelector('app='), { app: '' }), true);
    assert.equal(matchLabels(parseLabelSelector('app'), undefined), false);
    assert.equal(matchLabels(parseLabelSelector('!app'), undefined), true);
  });

  it('supports gt/lt on integer label values', () => {
    assert.equal(matchLabels(parseLabelSelector('n>5'), { n: '6' }), true);
    assert.equal(matchLabels(parseLabelSelector('n>5'), { n: '5' }), false);
    assert.equal(matchLabels(parseLabelSelector('n<5'), { n: 'x' }), false);
  });

  it('sorts requirements by key and values, like selector.String()', () => {
    assert.equal(labelSelectorString(parseLabelSelector('z=1,a in (c,b,b),!m,k')), 'a in (b,c),k,!m,z=1');
    assert.equal(labelSelectorString(parseLabelSelector('x in ()')), 'x in ()');
  });

  it('rejects bad syntax with apimachinery messages', () => {
    parseFails('app=mc,', "found '', expected: identifier after ','");
    parseFails('app=mc x', "found 'x', expected: ',' or 'end of string'");
    parseFails('=mc', "found '=', expected: !, identifier, or 'end of string'");
    parseFails('app in mc', "unable to parse requirement: found 'mc' expected: '('");
    parseFails('app in (a b)', "unable to parse requirement: found 'b', expected: ',' or ')'");
    parseFails('app in', "unable to parse requirement: found '' expected: '('");
    parseFails('app (x)', "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt");
    parseFails('app=(x)', "unable to parse requirement: found '(', expected: identifier");
    parseFails('!=x', "found '!=', expected: !, identifier, or 'end of string'");
    parseFails('! =x', "unable to parse requirement: found '=', expected: identifier");
    parseFails('a in (x', "unable to parse requirement: found '', expected: ',' or ')'");
    parseFails('a=b=c', "found '=', expected: ',' or 'end of string'");
  });

  it('validates keys and values like NewRequirement', () => {
    parseFails('-app=x', `unable to parse requirement: <nil>: Invalid value: "-app": ${QNAME_DETAIL}`);
    parseFails('app=-x', `unable to parse requirement: values[0][app]: Invalid value: "-x": ${VALUE_DETAIL}`);
    parseFails(
      `app=${'a'.repeat(64)}`,
      `unable to parse requirement: values[0][app]: Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters`,
    );
    parseFails(
      'n>x',
      `unable to parse requirement: values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer`,
    );
    parseFails(
      'a/b/c=x',
      "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    );
  });

  it('matches 10,000 objects quickly', () => {
    const sel = parseLabelSelector('game.kruise.io/owner-gss=minecraft,app in (mc,x),!deleting');
    const labels = Array.from({ length: 10000 }, (_, i) => ({
      'game.kruise.io/owner-gss': i % 2 ? 'minecraft' : 'other',
      app: 'mc',
    }));
    const t = performance.now();
    let n = 0;
    for (let r = 0; r < 10; r++) for (const l of labels) if (matchLabels(sel, l)) n++;
    assert.equal(n, 50000);
    assert.ok(performance.now() - t < 500);
  });
});

describe('labelSelectorToString (metav1.FormatLabelSelector)', () => {
  it('formats matchLabels and matchExpressions sorted by key', () => {
    assert.equal(
      labelSelectorToString({
        matchLabels: { 'game.kruise.io/owner-gss': 'minecraft' },
        matchExpressions: [
          { key: 'app', operator: 'In', values: ['b', 'a'] },
          { key: 'zone', operator: 'DoesNotExist' },
          { key: 'tier', operator: 'Exists' },
        ],
      }),
      'app in (a,b),game.kruise.io/owner-gss=minecraft,tier,!zone',
    );
  });
  it('says <none> for empty or nil and <error> for invalid', () => {
    assert.equal(labelSelectorToString({}), '<none>');
    assert.equal(labelSelectorToString(undefined), '<none>');
    assert.equal(labelSelectorToString({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] }), '<error>');
    assert.equal(labelSelectorToString({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), '<error>');
  });
});

describe('parseFieldSelector / matchFields', () => {
  const fields: Record<string, string> = {
    'metadata.name': 'minecraft-0',
    'metadata.namespace': 'default',
    'status.phase': 'Running',
  };
  const get = (f: string): string | undefined => fields[f];

  it('parses =, ==, != and commas', () => {
    const reqs = parseFieldSelector('metadata.name=minecraft-0,status.phase!=Pending,metadata.namespace==default');
    assert.deepEqual(reqs, [
      { field: 'metadata.name', operator: '=', value: 'minecraft-0' },
      { field: 'metadata.namespace', operator: '=', value: 'default' },
      { field: 'status.phase', operator: '!=', value: 'Pending' },
    ]);
    assert.equal(matchFields(reqs, get), true);
    assert.equal(matchFields(parseFieldSelector('metadata.name=other'), get), false);
    assert.equal(matchFields(parseFieldSelector('spec.nodeName='), get), true);
    assert.equal(matchFields(parseFieldSelector(''), get), true);
  });

  it('unescapes \\, \\= and \\\\ in values', () => {
    assert.deepEqual(parseFieldSelector('a=x\\,y\\=z\\\\'), [{ field: 'a', operator: '=', value: 'x,y=z\\' }]);
  });

  it('rejects what pkg/fields rejects', () => {
    const fails = (s: string, msg: string): void =>
      assert.throws(
        () => parseFieldSelector(s),
        (e: unknown) => e instanceof SelectorError && e.message === msg,
        s,
      );
    fails('metadata.name', "invalid selector: 'metadata.name'; can't understand 'metadata.name'");
    fails('a=b,c', "invalid selector: 'a=b,c'; can't understand 'c'");
    fails('a=b=c', 'invalid field selector: unescaped character in value: 61');
    fails('a=b\\x', 'invalid field selector: invalid escape sequence: \\x');
    fails('a=b\\', 'invalid field selector: invalid escape sequence: \\');
  });
});
