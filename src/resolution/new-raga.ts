/**
 * Checks a raga a reviewer adds (`review approve --new-raga`, the review page): a name, a melakarta
 * parent, and a scale that parses into svaras and stays inside the parent mela except for the anya
 * svaras the reviewer names. Pure: the caller looks the parent up and stores the result.
 */
import type { NewRaga } from '../shared';
import { distinct, melaScale, outside, parseScale, SVARAS, type Svara } from './scale';
import { entityIdFromName } from './entity-id';

export class NewRagaError extends Error {
  override name = 'NewRagaError';
}

/** The id of a new raga: the one given, else derived from its name. */
export function newRagaId(raga: NewRaga): string {
  return raga.id ?? ragaIdFromName(raga.name ?? '');
}

/** The id a new raga gets from its name (the same rule as every entity added by hand). */
export const ragaIdFromName = entityIdFromName;

export interface CheckedNewRaga extends NewRaga {
  id: string;
  anyaSvaras: Svara[];
  scale: { arohanam: Svara[]; avarohanam: Svara[]; notes: Svara[]; anyaSvaras: Svara[]; bhashanga: boolean };
}

/**
 * `parentMela` is the parent's melakarta number (undefined when the parent is not a melakarta).
 * Throws NewRagaError saying which field is wrong and why.
 */
export function checkNewRaga(input: NewRaga, parentMela: number | undefined): CheckedNewRaga {
  const name = input.name?.trim() ?? '';
  if (name === '') throw new NewRagaError('new raga: a name is required');
  const id = input.id ?? ragaIdFromName(name);
  if (!/^[a-z0-9][a-z0-9-]{0,79}$/.test(id)) throw new NewRagaError(`new raga: cannot use '${id}' as an id (lower-case letters, digits, '-')`);
  if (parentMela === undefined) throw new NewRagaError(`new raga: parent '${input.parent}' is not a melakarta id (for example harikambhoji)`);
  const parent = melaScale(parentMela);
  const svaras: Partial<Record<'arohanam' | 'avarohanam', Svara[]>> = {};
  for (const field of ['arohanam', 'avarohanam'] as const) {
    const text = input[field]?.trim() ?? '';
    const parsed = parseScale(text);
    if (parsed.unreadable.length > 0 || parsed.remarks.length > 0 || parsed.anyaSvaras.length > 0) {
      throw new NewRagaError(
        `new raga: ${field} '${text}' is not a list of svaras (S R1 R2 R3 G1 G2 G3 M1 M2 P D1 D2 D3 N1 N2 N3): cannot read ${[...parsed.unreadable, ...parsed.remarks].join(', ') || 'the anya svara note'}`,
      );
    }
    if (parsed.svaras.length < 3) throw new NewRagaError(`new raga: ${field} '${text}' has fewer than three svaras`);
    svaras[field] = parsed.svaras;
  }
  const anya = distinct((input.anyaSvaras ?? []).map((a) => a.trim().toUpperCase()));
  const unknown = (input.anyaSvaras ?? []).map((a) => a.trim().toUpperCase()).filter((a) => !(SVARAS as readonly string[]).includes(a));
  if (unknown.length) throw new NewRagaError(`new raga: anya svara ${unknown.join(', ')} is not a svara`);
  const notes = distinct([...(svaras.arohanam ?? []), ...(svaras.avarohanam ?? [])]);
  const out = outside(notes, parent);
  const undeclared = out.filter((n) => !anya.includes(n));
  if (undeclared.length) {
    throw new NewRagaError(
      `new raga: ${undeclared.join(', ')} ${undeclared.length === 1 ? 'lies' : 'lie'} outside the parent ${input.parent} (${parent.join(' ')}); name them as anya svaras if the raga is bhashanga`,
    );
  }
  const insideParent = anya.filter((a) => parent.includes(a));
  if (insideParent.length) throw new NewRagaError(`new raga: anya svara ${insideParent.join(', ')} is in the parent mela, so not anya`);
  return {
    id,
    name,
    parent: input.parent,
    arohanam: (svaras.arohanam ?? []).join(' '),
    avarohanam: (svaras.avarohanam ?? []).join(' '),
    anyaSvaras: anya,
    scale: { arohanam: svaras.arohanam ?? [], avarohanam: svaras.avarohanam ?? [], notes, anyaSvaras: anya, bhashanga: anya.length > 0 },
  };
}
