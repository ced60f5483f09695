const fs = require('node:fs');
const path = require('node:path');

/**
 * @nestjs/* 12 and several of their dependencies are ES modules only, which Jest cannot require on
 * Node 20. Find every package that declares "type": "module" and let swc turn it into CommonJS;
 * everything else in node_modules is loaded as it is.
 */
function esmPackages(dir = path.join(__dirname, 'node_modules'), found = new Set()) {
  if (!fs.existsSync(dir)) return found;
  for (const entry of fs.readdirSync(dir)) {
    if (entry.startsWith('.')) continue;
    const full = path.join(dir, entry);
    const names = entry.startsWith('@') ? fs.readdirSync(full).map((name) => `${entry}/${name}`) : [entry];
    for (const name of names) {
      const root = path.join(dir, name);
      try {
        if (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).type === 'module') found.add(name);
      } catch {
        // not a package
      }
      esmPackages(path.join(root, 'node_modules'), found);
    }
  }
  return found;
}

const escape = (name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const esm = [...esmPackages()].map(escape).join('|');

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  },
];

const shared = {
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esm})/)`],
};

module.exports = {
  projects: [
    { ...shared, displayName: 'unit', rootDir: 'src', testRegex: '\\.spec\\.ts$' },
    { ...shared, displayName: 'e2e', rootDir: 'test', testRegex: '\\.e2e-spec\\.ts$' },
    // a three-node Galera cluster started by the suite itself: npm run test:galera
    { ...shared, displayName: 'galera', rootDir: 'test', testRegex: '\\.galera-spec\\.ts$' },
    // servers started from the build and made to fail (npm run test:fault); not part of npm test
    { ...shared, displayName: 'fault', rootDir: 'test/fault', testRegex: '\\.fault-spec\\.ts$' },
    // two built servers on one MariaDB database and one Redis (npm run test:instances); not part of npm test
    { ...shared, displayName: 'instances', rootDir: 'test/instances', testRegex: '\\.instances-spec\\.ts$' },
    // e2e suites that need RabbitMQ, kept out of npm test: npm run test:broker (and test:broker:mysql)
    { ...shared, displayName: 'broker', rootDir: 'test', testRegex: '\\.amqp-spec\\.ts$' },
  ],
  // e2e suites each start the app; on two cores they run best one or two at a time
  maxWorkers: 2,
  testTimeout: 60000,
};
