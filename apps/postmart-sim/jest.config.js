module.exports = {
  displayName: 'postmart-sim',
  preset: '../../jest.preset.js',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  // Generous: local HTTP round trips are slow when the machine is busy (not a timing assertion).
  testTimeout: 30000,
};
