import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // browser and Redis tests need Debian packages: npm run test:integration
    exclude: ['test/integration/**', 'node_modules/**'],
    testTimeout: 30000,
    hookTimeout: 60000,
  },
});
