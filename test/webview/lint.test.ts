// The lint rules that keep the webview browser-only and its shared modules pure (eslint.config.mjs), run on
// small probes placed (virtually) in src/webview and next to it.
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

const ROOT = new URL('../../../', import.meta.url);

async function problems(filePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT.pathname });
  const [r] = await eslint.lintText(code, { filePath });
  return r.messages.map(m => `${m.ruleId}: ${m.message.replace(/\. (The|A) .*$/s, '')}`);
}

describe('lint: the webview is browser code', function () {
  this.timeout(60_000);

  it('refuses Node builtins (node:* and bare), process and Buffer, and vscode in src/webview', async () => {
    assert.deepEqual(
      await problems(
        'src/webview/probe.ts',
        "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
      ),
      ["no-restricted-imports: 'node:fs' import is restricted from being used by a pattern"],
    );
    assert.deepEqual(await problems('src/webview/probe.ts', "import { join } from 'path';\nexport const x = join;\n"), [
      "no-restricted-imports: 'path' import is restricted from being used",
    ]);
    assert.deepEqual(
      await problems('src/webview/probe.ts', "import * as vscode from 'vscode';\nexport const x = vscode;\n"),
      ["no-restricted-imports: 'vscode' import is restricted from being used"],
    );
    assert.deepEqual(
      await problems('src/webview/probe.ts', 'export const x = process.env.HOME ?? Buffer.from("");\n'),
      ["no-restricted-globals: Unexpected use of 'process'", "no-restricted-globals: Unexpected use of 'Buffer'"],
    );
    assert.deepEqual(
      await problems(
        'src/webview/probe.ts',
        "import { scopeId } from '../wizard/host.js';\nexport const x = scopeId;\n",
      ),
      ["no-restricted-imports: '../wizard/host.js' import is restricted from being used by a pattern"],
    );
  });

  it('keeps the shared modules (contract, progress fold) free of the DOM; host code may use node', async () => {
    assert.deepEqual(await problems('src/webview/progress.ts', 'export const x = document.title;\n'), [
      "no-restricted-globals: Unexpected use of 'document'",
    ]);
    assert.deepEqual(await problems('src/webview/protocol.ts', 'export const x = window.name;\n'), [
      "no-restricted-globals: Unexpected use of 'window'",
    ]);
    assert.deepEqual(
      await problems('src/webview/dom.ts', 'export const x = document.title;\n'),
      [],
      'the DOM helpers are the DOM',
    );
    assert.deepEqual(
      await problems('src/wizard/probe.ts', "import { hostname } from 'node:os';\nexport const x = hostname;\n"),
      [],
    );
  });
});
