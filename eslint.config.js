// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { plugin } from './eslint/import-cycles.js';
import { layerConfig } from './eslint/layers.js';

// Protocol engines and the simulator must be deterministic: time comes from an injected Clock,
// randomness from an injected Rng. Only src/runtime (the real-world runtime) and the CLI may
// touch the wall clock.
const determinism = {
  'no-restricted-globals': ['error',
    { name: 'setTimeout', message: 'Use the injected Clock (core/clock.ts).' },
    { name: 'setInterval', message: 'Use the injected Clock (core/clock.ts).' },
    { name: 'setImmediate', message: 'Use the injected Clock (core/clock.ts).' },
  ],
  'no-restricted-properties': ['error',
    { object: 'Date', property: 'now', message: 'Use the injected Clock (core/clock.ts).' },
    { object: 'Math', property: 'random', message: 'Use the injected Rng (core/rng.ts).' },
    { object: 'performance', property: 'now', message: 'Use the injected Clock (core/clock.ts).' },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'schema/**', 'web/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  { files: ['src/**/*.ts'], ignores: ['src/runtime/**', 'src/cli/**'], rules: determinism },
  // The layering (eslint/layers.js): no folder imports one above it, no cycle across folders.
  ...layerConfig(),
  {
    files: ['src/**/*.ts'],
    plugins: { vpnlab: plugin },
    rules: { 'vpnlab/no-cross-folder-cycle': ['error', { root: 'src' }] },
  },
  { files: ['bin/**/*.js', 'scripts/**/*.js'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
);
