import fs from 'node:fs';
import { extractKrithi } from './src/scraping/extract';
for (const [f, u] of [['test/fixtures/html/guru_guha_vatapi.html','https://guru-guha.blogspot.com/2007/07/x.html'],['test/fixtures/html/thyagaraja_endaro.html','https://thyagaraja-vaibhavam.blogspot.com/2007/07/x.html']] as const) {
  const e = extractKrithi(fs.readFileSync(f, 'utf8'), u);
  console.log(JSON.stringify({ ...e, sections: e.sections.map(s => `${s.type}${s.number ?? ''}: ${s.text.replace(/\n/g, ' / ')}`), variants: e.variants.map(v => `${v.script}:${v.sections.map(s => s.type + (s.number ?? '') + '=' + s.text.split('\n').length).join(',')}`) }, null, 1));
}
