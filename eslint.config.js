import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const awsSdk = { group: ['@aws-sdk/*', '@smithy/*'], message: 'The AWS SDK lives in src/collectors/ only (SPEC §1).' };
const actions = { group: ['@actions/*'], message: '@actions/* lives in src/action/ only.' };
const nodeIo = {
  group: ['node:fs', 'node:fs/*', 'fs', 'fs/*', 'node:net', 'node:http', 'node:https', 'node:child_process', 'node:process', 'node:os'],
  message: 'The engine is pure: no I/O (STYLE habit 2).',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test-artifacts/**', 'out/**', '.trailwarden-tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ['scripts/**/*.mjs', '*.js'], languageOptions: { globals: globals.node } },
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // The collectors are heavily async: a promise nobody awaits loses its error and its order.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/collectors/**', 'src/action/**'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [awsSdk, actions] }] },
  },
  {
    files: ['src/action/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [awsSdk] }] },
  },
  {
    files: ['src/collectors/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [actions] }] },
  },
  {
    files: ['src/engine/**/*.ts', 'src/reporters/**/*.ts', 'src/language/**/*.ts', 'src/snapshot/schema.ts', 'src/snapshot/selector-vocabulary.ts', 'src/results.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [awsSdk, actions, nodeIo] }],
      'no-restricted-globals': ['error', { name: 'process', message: 'The engine and reporters are pure: pass values in.' }, { name: 'fetch', message: 'No I/O here.' }],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'Time is an argument (now).' }],
    },
  },
);
