import fs from 'node:fs';
import { parseLyricLines } from './src/scraping/sections';
const dir = '/work/shared/data/text-fixtures/';
for (const f of fs.readdirSync(dir).filter(f => f.endsWith('.txt'))) {
  const p = parseLyricLines(fs.readFileSync(dir + f, 'utf8').split('\n'));
  const exp = JSON.parse(fs.readFileSync(dir + f.replace('.txt', '.expected.json'), 'utf8'));
  console.log(f, '\n  got', p.primary.map(s => s.type + (s.number ?? '')).join(','), '|', p.variants.map(v => v.script + ':' + v.sections.map(s => s.type + (s.number ?? '')).join(',')).join(' '), '|', p.boundaries.join(','), '| rm', p.ragamalikaRagas.join(','), '\n  exp', JSON.stringify(exp));
}
