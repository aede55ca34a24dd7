import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Compact source locations compare as the plain locations they stand for.
    setupFiles: ['test/helpers/locations-setup.ts'],
    // Human summary plus a JSON report that .ci/run turns into its closing line.
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
