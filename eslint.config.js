import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const wallClock = [
  { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Use the injected Clock (src/runtime).' },
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Use the injected Clock (src/runtime).' },
  { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'Use the injected Random (src/runtime).' },
  { selector: "CallExpression[callee.name=/^set(Timeout|Interval)$/]", message: 'Use the injected Clock (src/runtime).' },
  { selector: "CallExpression[callee.object.name='globalThis'][callee.property.name=/^set(Timeout|Interval)$/]", message: 'Use the injected Clock (src/runtime).' },
  { selector: "CallExpression[callee.object.name='console']", message: 'No console output in the library: emit an event or take a logger.' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'etc/**', 'coverage/**', 'temp/**', '.prof/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', Buffer: 'readonly', setImmediate: 'readonly', globalThis: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/runtime/**'],
    rules: { 'no-restricted-syntax': ['error', ...wallClock] },
  },
);
