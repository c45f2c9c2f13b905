// Copy translations/*.json to assets/translations/ for local serving (zcli apps:server serves
// assets/ only). package.py does the same inside the zip; the copies here are git-ignored.
import {copyFileSync, mkdirSync, readdirSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(appDir, 'assets', 'translations');
mkdirSync(target, {recursive: true});
for (const name of readdirSync(join(appDir, 'translations')).filter((file) => file.endsWith('.json'))) {
  copyFileSync(join(appDir, 'translations', name), join(target, name));
}
