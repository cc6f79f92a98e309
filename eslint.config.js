// One lint setup for every workspace: typescript-eslint's recommended rules, Prettier owns format.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import i18next from 'eslint-plugin-i18next';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/.next/**',
      '**/dist/**',
      '**/.data/**',
      '**/next-env.d.ts',
      'docs/screenshots/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: [
      '**/scripts/**',
      '**/bench/**',
      '**/cli.ts',
      '**/cli/**',
      'server/src/main.ts',
      '**/*.mjs',
    ],
    rules: { 'no-console': 'off' },
  },
  {
    // Every word a person reads in the web UI comes from web/messages (web/README.md, "Adding
    // strings"): a literal in JSX text, in a user-visible attribute or in a JSX expression fails.
    files: ['web/src/**/*.tsx'],
    plugins: { i18next },
    rules: {
      'i18next/no-literal-string': [
        'error',
        {
          mode: 'jsx-only',
          'should-validate-template': true,
          // Only attributes a person reads or hears; the rest (className, href, variant, role,
          // data-testid…) hold code, not words.
          'jsx-attributes': {
            include: [
              'title',
              'label',
              'description',
              'placeholder',
              'alt',
              'aria-label',
              'aria-description',
              'aria-placeholder',
              'aria-roledescription',
              'aria-valuetext',
            ],
          },
          // Translators' functions (t, tCommon, t.rich…) and the plugin's own defaults.
          callees: {
            exclude: [
              't\\w*(\\.(rich|markup|has))?',
              'require',
              'addEventListener',
              'removeEventListener',
              'postMessage',
              'getElementById',
              'includes',
              'indexOf',
              'endsWith',
              'startsWith',
              'replaceAll',
            ],
          },
          words: {
            exclude: [
              // Text without a letter (punctuation, symbols, digits: "—", "·", "#", "≤", "◭").
              /^[\p{P}\p{S}\p{N}\s]*$/u,
              // Constant-like codes and acronyms, as the plugin's default.
              '[A-Z_-]+',
              // The product's name is the same in every language.
              'Cairn',
            ],
          },
        },
      ],
    },
  },
  prettier,
);
