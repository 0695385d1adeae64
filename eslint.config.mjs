// Lint configuration. The rules that shape the architecture: the core folders
// (cluster, release, sandbox, cli) never import `vscode`, so they run in the CLI,
// in tests and against a real cluster without an editor; src/commands (the command
// table, the handler guard, the kubectl log lines) is held to the same rule, the
// handlers that need VS Code live in src/views; the webview's browser code
// (src/webview) imports no Node builtin and no editor glue, and its pure modules
// (the contract, the progress fold) touch no DOM, so the host and the CLI share them.
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const coreFolders = ['src/cluster/**', 'src/release/**', 'src/sandbox/**', 'src/cli/**'];
const browserOnly =
  'The webview runs in a browser: no Node builtin (node:*), no process or Buffer, no vscode; the host side belongs in src/wizard.';
const pureWebview = [
  'src/webview/protocol.ts',
  'src/webview/schema.ts',
  'src/webview/progress.ts',
  'src/webview/resume.ts',
  'src/webview/form.ts',
  'src/webview/app.ts',
  'src/webview/feed.ts',
  'src/webview/runModel.ts',
];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.vscode-test/**', 'bench/results/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    files: coreFolders,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'vscode',
              message:
                'The core (cluster, release, sandbox, cli) must not depend on VS Code; put editor glue in src/views, src/wizard or src/extension.ts.',
            },
          ],
          patterns: [
            {
              group: ['**/extension', '**/views/**', '**/wizard/**', '**/webview/**'],
              message: 'The core must not import the VS Code glue.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/webview/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...builtinModules.filter(m => !m.startsWith('_')), 'vscode'].map(name => ({
            name,
            message: browserOnly,
          })),
          patterns: [
            { group: ['node:*'], message: browserOnly },
            {
              group: ['**/extension', '**/views/**', '**/wizard/**', '**/commands/**'],
              message: 'The webview must not import the VS Code glue.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...['process', 'Buffer', 'require', '__dirname', '__filename', 'global', 'setImmediate'].map(name => ({
          name,
          message: browserOnly,
        })),
      ],
    },
  },
  {
    files: pureWebview,
    rules: {
      'no-restricted-globals': [
        'error',
        ...['process', 'Buffer', 'require', 'document', 'window', 'navigator', 'acquireVsCodeApi'].map(name => ({
          name,
          message: 'A pure module (shared by the webview, the host and the CLI): no DOM and no Node globals.',
        })),
      ],
    },
  },
  {
    files: ['src/commands/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'vscode',
              message:
                'src/commands holds only the command table, the guard and kubectl lines; put handlers that need VS Code in src/views.',
            },
          ],
          patterns: [
            {
              group: ['**/extension', '**/views/**', '**/wizard/**', '**/webview/**'],
              message:
                'src/commands must not import the VS Code glue; the table reaches handlers through its interfaces.',
            },
          ],
        },
      ],
    },
  },
);
