import fs from 'node:fs';
import { load } from 'cheerio';
import { readBloggerPage } from './src/scraping/blogger';
import { parseSectionHeader, parseBoundary } from './src/scraping/sections';
const p = readBloggerPage(load(fs.readFileSync(process.argv[2]!, 'utf8')));
const i = p.bodyLines.findIndex(l => l === 'Devanagari');
for (const l of p.bodyLines.slice(i - 3, i + 12)) console.log(JSON.stringify(l), JSON.stringify(parseSectionHeader(l)), JSON.stringify(parseBoundary(l)));
