// Copy Chart.js's UMD build from node_modules (or from an unpacked `npm pack chart.js@VERSION`, given
// as the argument) into assets/vendor/chartjs/, so the nav bar dashboard loads it from the app itself
// (no CDN). VERSIONS.txt records the exact version and the file's SHA-256, so the copy can be checked
// against npm and against the admin console's copy. Upgrade: change the version in package.json,
// `npm install`, `npm run vendor:chartjs`.
import {createHash} from 'node:crypto';
import {copyFileSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = process.argv[2] ? resolve(process.argv[2]) : join(appDir, 'node_modules', 'chart.js');
const target = join(appDir, 'assets', 'vendor', 'chartjs');

const {version, license} = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8'));
mkdirSync(target, {recursive: true});
copyFileSync(join(source, 'dist', 'chart.umd.js'), join(target, 'chart.umd.js'));
copyFileSync(join(source, 'LICENSE.md'), join(target, 'LICENSE.md'));
const digest = createHash('sha256').update(readFileSync(join(target, 'chart.umd.js'))).digest('hex');
writeFileSync(join(target, 'VERSIONS.txt'),
  `chart.js ${version} (${license}), dist/chart.umd.js unchanged from the npm package\nsha256 ${digest}  chart.umd.js\n`);
console.log(`copied chart.js ${version} to ${target}`);
