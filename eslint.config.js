import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import ts from 'typescript-eslint';

export default ts.config(
  { ignores: ['ui/dist/', 'ui/src/lib/bindings.ts', 'ui/src/lib/paraglide/', 'target/', 'test-artifacts/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  // Layout is Prettier's (npm run format); eslint keeps to correctness.
  prettier,
  ...svelte.configs.prettier,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser } },
  },
  {
    // The UI reaches the core only through lib/backend.
    files: ['ui/src/**/*.ts', 'ui/src/**/*.svelte'],
    ignores: ['ui/src/lib/backend/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@tauri-apps/*'], message: 'Use the Backend interface (ui/src/lib/backend).' }] },
      ],
    },
  },
);
