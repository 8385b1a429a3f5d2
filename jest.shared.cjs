// Jest settings shared by every project in jest.config.ts and by the unit-only config that
// Stryker runs (jest.stryker.cjs). Plain CommonJS so both a TypeScript and a .cjs config can load it.

// ESM-only dependencies that ts-jest must transpile for the CommonJS test runtime.
const esmPackages = ['hyparquet', 'hyparquet-writer', '@middy'];

/** @type {import('jest').Config} */
const shared = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true } }],
  },
  transformIgnorePatterns: [`node_modules/(?!(${esmPackages.join('|')})/)`],
  // middy 7 publishes ES modules only (`exports` has no `require`): point jest at the file.
  moduleNameMapper: { '^@middy/([^/]+)$': '<rootDir>/node_modules/@middy/$1/index.js' },
  // Stryker's sandbox copy of the project (npm run test:mutation) is not part of the suite.
  modulePathIgnorePatterns: ['<rootDir>/.stryker-tmp/'],
};

const unitProject = {
  ...shared,
  displayName: 'unit',
  testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
};

module.exports = { shared, unitProject };
