import { open, type FileHandle } from 'node:fs/promises';
import type { Config } from '../../config';
import { askServed, readFixtureMarker } from '../../fixture-site/marker';
import { parseManifestAll } from '../../manifest/parse';
import type { SubmitResult } from '../../services/batches';
import { batchSettingsFrom } from '../../services/settings';
import { CommandError, defineCommand, JSON_OPTION, positiveInt } from '../command';
import { info, out } from '../output';
import { EVERY_OPTION, follow } from './watch';

export const submitCommand = defineCommand({
  name: 'submit',
  args: '<csv>',
  positionals: { min: 1, max: 1 },
  summary: 'submit a manifest (Krithi,Raga,Hyperlink) as a new batch; the same file again finds its batch',
  details:
    'Prints the batch: its id, records, accepted rows, invalid lines (with the field and why) and duplicates.\n' +
    'With --follow: progress until nothing more happens without a person; exit 1 when rows failed.',
  options: {
    name: { type: 'string', value: 'NAME', help: "the batch's name (default: the file name)" },
    follow: { type: 'boolean', help: 'follow the batch (a bar on a terminal, else a status line every N rows)' },
    ...EVERY_OPTION,
    ...JSON_OPTION,
  },
  async run({ config, positionals, values, json, actor, services }) {
    const file = positionals[0]!;
    const every = positiveInt('submit', 'every', values.every, 20);
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch (err) {
      throw new CommandError(`submit: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    try {
      const { batches, temporalAddress } = await services();
      const bytes = await warnIfFixtureSiteLacksPages(config, temporalAddress, handle);
      const result = await batches.submit({
        source: bytes ?? handle.createReadStream({ autoClose: false, start: 0 }),
        name: values.name ?? file.split('/').pop(),
        createdBy: actor,
        maxBytes: config.manifestMaxBytes,
        settings: batchSettingsFrom(config),
      });
      if (json) out(result);
      else out(describeSubmit(result));
      if (values.follow && result.status !== 'COMPLETED') return await follow(batches, result.batchId, every, json);
      return 0;
    } finally {
      await handle.close();
    }
  },
});

/** What a person reads after `submit`: the batch, and why accepted rows may be fewer than records. */
export function describeSubmit(r: SubmitResult): string {
  const lines = [
    `${r.existing ? 'already submitted as' : 'submitted'} batch ${r.batchId} (${r.status}): ${r.total} records, ${r.acceptedRows} accepted`,
  ];
  if (r.invalidRows.length) {
    lines.push(`  ${r.invalidRows.length} invalid (not imported):`);
    for (const i of r.invalidRows.slice(0, 10)) lines.push(`    line ${i.line}${i.field ? ` ${i.field}` : ''}: ${i.reason}`);
    if (r.invalidRows.length > 10) lines.push(`    … and ${r.invalidRows.length - 10} more (krithi-import report ${r.batchId})`);
  }
  if (r.duplicates.length) {
    lines.push(`  ${r.duplicates.length} duplicate (same page as an earlier line; imported once):`);
    for (const d of r.duplicates.slice(0, 10)) lines.push(`    line ${d.line} repeats line ${d.duplicateOfLine}`);
    if (r.duplicates.length > 10) lines.push(`    … and ${r.duplicates.length - 10} more`);
  }
  return lines.join('\n');
}

/**
 * When this machine's stack (demo, serve --fixture-site) fetches from the offline fixture site, the
 * rows whose pages that site does not have will all fail 404: say so before submitting. Returns the
 * bytes it read, to submit them without reading the file twice.
 */
async function warnIfFixtureSiteLacksPages(config: Config, temporalAddress: string, handle: FileHandle): Promise<Buffer | null> {
  const marker = readFixtureMarker(config.stateDir);
  if (!marker || marker.temporalAddress !== temporalAddress) return null;
  const bytes = await handle.readFile();
  let urls: string[];
  try {
    const { entries } = await parseManifestAll(bytes, { maxBytes: config.manifestMaxBytes });
    urls = entries.flatMap((e) => (e.kind === 'record' ? [e.normalizedUrl] : []));
  } catch {
    return bytes; // the submission itself reports what is wrong with the file
  }
  const answer = await askServed(marker, urls);
  if (answer && answer.missingCount > 0)
    info(
      `warning: the stack on ${temporalAddress} (${marker.command}) fetches pages from the offline fixture site, ` +
        `which has ${answer.served} of this manifest's ${urls.length} pages; the other ${answer.missingCount} rows will ` +
        `fail HTTP_NOT_FOUND without the real site being asked (e.g. ${answer.missing[0]}). ` +
        `Run the stack with \`krithi-import serve --dev --fixture-site\` (every manifest in data/manifests) or without a fixture site.`,
    );
  return bytes;
}
