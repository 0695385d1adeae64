// Lint configuration. The one rule that shapes the architecture: the core folders
// (cluster, release, sandbox, cli) never import `vscode`, so they run in the CLI,
// in tests and against a real cluster without an editor.
import tseslint from 'typescript-eslint';

const coreFolders = ['src/cluster/**', 'src/release/**', 'src/sandbox/**', 'src/cli/**'];

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
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'The core (cluster, release, sandbox, cli) must not depend on VS Code; put editor glue in src/views, src/wizard or src/extension.ts.' }],
        patterns: [{ group: ['**/extension', '**/views/**', '**/wizard/**', '**/webview/**'], message: 'The core must not import the VS Code glue.' }],
      }],
    },
  },
);
