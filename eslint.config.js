import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'dist/', 'web/dist/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: { ...globals.node } } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/api/**'], message: 'domain and jobs must not import the API layer' }] },
      ],
    },
  },
  {
    files: ['src/api/**', 'src/main.ts', 'src/cli/**', 'test/**', 'bench/**', 'src/**/*.test.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
