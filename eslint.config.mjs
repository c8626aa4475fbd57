import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.cache/**', '.vscode-test/**', 'test-results/**', '*.vsix'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // The core runs in plain Node (tests, CLI, benchmarks): it must never reach for the editor API.
    files: ['src/core/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'src/core and src/cli run outside VS Code: keep vscode in src/extension.' }],
        patterns: [{ group: ['**/extension/**'], message: 'Imports point down: core/cli must not import the extension layer.' }],
      }],
    },
  },
  {
    files: ['src/extension/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/cli/**'], message: 'The extension and the CLI are separate faces over core.' }] }],
    },
  },
  {
    files: ['**/*.mjs', 'scripts/**', 'test/**', 'bench/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly', Buffer: 'readonly', setInterval: 'readonly', clearInterval: 'readonly' } },
  },
  {
    // Callbacks passed to page.evaluate() run in the workbench page, not in Node.
    files: ['test/vscode/ui/**'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', location: 'readonly', requestAnimationFrame: 'readonly', performance: 'readonly' } },
  },
);
