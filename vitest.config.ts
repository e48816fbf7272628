import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // browser and Redis tests need Debian packages: npm run test:integration
    exclude: ['test/integration/**', 'node_modules/**'],
    // the JSON report lets .ci/run print a plain "N passed, N failed" line
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest/results.json' },
    testTimeout: 30000,
    hookTimeout: 60000,
  },
});
