// typescript-eslint's recommended type-checked rules over every TypeScript file of the workspace.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/', '**/node_modules/', 'eslint.config.js', '.dependency-cruiser.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      // One type program for the whole workspace (tsconfig.eslint.json: core, examples, the connectors' sources and
      // tests), not one per tsconfig project as the project service builds them: each program parsed the Node and
      // library declarations again, and the lint took 24-26 s; with one, 19-20 s. `tsc -b` still checks each project.
      parserOptions: {
        project: ['./tsconfig.eslint.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // apache-arrow's DataType subclasses each define toString() ('Float64', 'List<Float32>'), which the base class's declaration does not show.
      '@typescript-eslint/no-base-to-string': ['error', { ignoredTypeNames: ['Error', 'RegExp', 'URL', 'URLSearchParams', 'DataType'] }],
      // A caught value is `unknown` in TypeScript; passing it on (an upstream failure, a UDF's error) rethrows what was thrown.
      '@typescript-eslint/only-throw-error': ['error', { allowThrowingUnknown: true }],
      // node:test's test() returns a promise the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] },
      ],
    },
  },
  // The connectors' benchmarks are five TypeScript projects of their own: building a type program
  // for each took a fifth of the lint's time (4.5 of 25.4 s). They get the rules that need no types;
  // `tsc -b` still checks them strictly. Shipped code and tests keep every type-aware rule.
  { files: ['connectors/*/bench/**/*.ts'], ...tseslint.configs.disableTypeChecked },
  // The dashboard's page is browser code (the DOM library, no Node types): it keeps its own program.
  {
    files: ['src/observe/dashboard/client/**/*.ts'],
    languageOptions: { parserOptions: { project: ['./src/observe/dashboard/client/tsconfig.json'] } },
  },
);
