/** Rewrites data/reference/CHANGELOG.md from the corrections and additions files. */
import { writeFileSync } from 'node:fs';
import { REFERENCE_DIR } from '../src/resolution/reference';
import { renderChangelog } from '../src/resolution/reference-changelog';

writeFileSync(`${REFERENCE_DIR}CHANGELOG.md`, renderChangelog(REFERENCE_DIR));
console.log(`written ${REFERENCE_DIR}CHANGELOG.md`);
