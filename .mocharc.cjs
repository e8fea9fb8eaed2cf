// Tests run on the compiled JS (the same code as production); `npm test` builds first (pretest).
module.exports = {
  spec: ['dist/test/**/*.test.js'],
  require: ['dist/test/setup.js'],
  timeout: 30000,
  forbidOnly: Boolean(process.env.CI),
  reporter: 'spec',
}
