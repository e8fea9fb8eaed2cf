// Tests run on the compiled JS (the same code as production); `npm test` builds first (pretest).
// Spec files named on the command line replace the default spec (mocha would otherwise run both).
const named = process.argv.slice(2).some((arg) => /\.test\.js$|\*\*/.test(arg))
module.exports = {
  ...(named ? {} : { spec: ['dist/test/**/*.test.js'] }),
  require: ['dist/test/setup.js'],
  timeout: 30000,
  forbidOnly: Boolean(process.env.CI),
  reporter: 'spec',
}
