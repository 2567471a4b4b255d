
module.exports = {
  displayName: 'payments',
  preset: '../../jest.preset.js',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  // Generous: QR rendering and local HTTP round trips are slow when the machine is busy (not a timing assertion).
  testTimeout: 30000,
};
