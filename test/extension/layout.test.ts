// The glue's layering, as the lint configuration enforces it: src/commands (the command table, the guard,
// the kubectl lines) never imports `vscode` or the glue, like the core; the handlers live in src/views.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

describe('extension: layering of the glue (eslint)', function () {
  this.timeout(60_000);
  const eslint = new ESLint({ cwd: ROOT });
  const problems = async (file: string, text: string) =>
    (await eslint.lintText(text, { filePath: `${ROOT}/${file}` }))[0].messages
      .filter(m => m.ruleId === 'no-restricted-imports')
      .map(m => m.message);

  it('refuses `vscode` and the glue in src/commands, as in the core', async () => {
    assert.match(
      (await problems('src/commands/example.ts', "import * as vscode from 'vscode';\nexport const v = vscode;\n"))[0] ??
        '',
      /src\/commands holds only/,
    );
    assert.match(
      (await problems('src/commands/example.ts', "export type { Explorer } from '../views/explorer.js';\n"))[0] ?? '',
      /must not import the VS Code glue/,
    );
    assert.equal(
      (await problems('src/cluster/example.ts', "import * as vscode from 'vscode';\nexport const v = vscode;\n"))
        .length,
      1,
    );
    assert.deepEqual(
      await problems('src/views/example.ts', "import * as vscode from 'vscode';\nexport const v = vscode;\n"),
      [],
      'the views are where VS Code belongs',
    );
  });

  it('src/commands as it is passes that rule', async () => {
    const files = readdirSync(`${ROOT}/src/commands`).filter(f => f.endsWith('.ts'));
    assert.deepEqual(files.sort(), ['guard.ts', 'kubectl.ts', 'table.ts']);
    const results = await eslint.lintFiles(files.map(f => `${ROOT}/src/commands/${f}`));
    assert.deepEqual(
      results.flatMap(r => r.messages.map(m => `${r.filePath}: ${m.message}`)),
      [],
    );
  });
});
