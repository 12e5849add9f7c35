import fs from 'node:fs';
import { extractKrithi } from './src/scraping/extract';
for (const f of process.argv.slice(2)) {
  const e = extractKrithi(fs.readFileSync(f, 'utf8'), f.includes('catb') ? 'http://syamakrishnavaibhavam.blogspot.com/x.html' : 'http://guru-guha.blogspot.com/x.html');
  console.log(f, JSON.stringify({ ...e, sections: e.sections.map(s => `${s.type}${s.number ?? ''}: ${s.text.slice(0, 60).replace(/\n/g, ' / ')}`), variants: e.variants.map(v => `${v.script}:${v.sections.map(s => s.type + (s.number ?? '')).join(',')}`) }, null, 1));
}
