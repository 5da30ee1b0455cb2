import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'coverage/',
      '.tmp/',
      'artifacts/',
      'node_modules/',
      'libs/chain/src/generated/',
      'jest.config.js',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': [
        'error',
        ...[
          "MemberExpression[object.name='process'][property.name='env']",
          "MemberExpression[object.name='process'][property.value='env']",
          "VariableDeclarator[init.name='process'] > ObjectPattern > Property[key.name='env']",
        ].map((selector) => ({
          selector,
          message:
            'Read settings through @gpu/config (AppConfig); only the config library and entry points touch process.env.',
        })),
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // Inside a library, relative imports never contain /src/; one that does reaches into another library.
              group: ['**/libs/*/src/**', '@gpu/*/src/**', '../**/src/**'],
              message: 'Import another library through its @gpu/<lib> alias.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['libs/config/src/**', 'migrations/data-source.ts', 'scripts/**', 'test/**', 'bench/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['test/**', 'scripts/**', 'bench/**'],
    rules: { 'no-restricted-imports': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
);
