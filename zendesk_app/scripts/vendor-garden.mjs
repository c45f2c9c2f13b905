// Copy Zendesk Garden's built CSS from node_modules into assets/vendor/garden/, so the app needs
// no npm install at run time. Run after `npm install` when upgrading Garden: npm run vendor:garden
import {copyFileSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(appDir, 'assets', 'vendor', 'garden');
const packages = ['bedrock', 'buttons', 'forms', 'tags', 'callouts'];

mkdirSync(target, {recursive: true});
const versions = [];
for (const name of packages) {
  const packageDir = join(appDir, 'node_modules', '@zendeskgarden', `css-${name}`);
  const {version, license} = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  copyFileSync(join(packageDir, 'dist', 'index.css'), join(target, `${name}.css`));
  versions.push(`@zendeskgarden/css-${name} ${version} (${license})`);
  if (name === packages[0]) copyFileSync(join(packageDir, 'LICENSE.md'), join(target, 'LICENSE.md'));
}
writeFileSync(join(target, 'VERSIONS.txt'), `${versions.join('\n')}\n`);
console.log(`copied ${packages.length} Garden stylesheets to ${target}`);
