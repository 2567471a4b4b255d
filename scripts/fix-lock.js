// The npm registry this project installs from does not serve every platform-specific optional package
// (e.g. @swc/core-darwin-arm64). `npm install` then leaves them out of package-lock.json, and `npm ci`
// refuses the lock as "out of sync". This adds a bare optional entry for each such package: npm ci then
// accepts the lock and skips them (they are optional and not for this platform). Idempotent.
const fs = require('fs');
const file = require('path').join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
let added = 0;
for (const [path, meta] of Object.entries(lock.packages)) {
  for (const [name, range] of Object.entries(meta.optionalDependencies || {})) {
    const base = path ? `${path}/node_modules/${name}` : `node_modules/${name}`;
    const top = `node_modules/${name}`;
    if (!lock.packages[base] && !lock.packages[top]) {
      lock.packages[top] = { version: range.replace(/^[\^~=]/, ''), optional: true };
      added++;
    }
  }
}
if (added) fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
if (added) console.log(`package-lock.json: added ${added} optional platform entries the registry does not serve`);
