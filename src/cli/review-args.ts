/**
 * `review approve` options → the decision's overrides. `--new-raga NAME --parent MELA --arohanam …
 * --avarohanam … [--anya SVARA]… --note SOURCE` adds a raga the reference lacks and chooses it; the
 * service checks the raga, the persist step writes it with the import.
 */
import type { ReviewDecision } from '../shared';

export class ReviewArgsError extends Error {}

export interface ReviewArgValues {
  raga?: string[];
  composer?: string;
  tala?: string;
  title?: string;
  note?: string;
  'new-raga'?: string;
  'new-raga-id'?: string;
  parent?: string;
  arohanam?: string;
  avarohanam?: string;
  anya?: string[];
}

const NEW_RAGA_PARTS = ['parent', 'arohanam', 'avarohanam', 'anya', 'new-raga-id'] as const;

export function reviewOverridesFromArgs(values: ReviewArgValues): NonNullable<ReviewDecision['overrides']> {
  const overrides: NonNullable<ReviewDecision['overrides']> = {
    ...(values.raga ? { ragaIds: values.raga } : {}),
    ...(values.composer ? { composerId: values.composer } : {}),
    ...(values.tala ? { talaId: values.tala } : {}),
    ...(values.title ? { title: values.title } : {}),
  };
  const name = values['new-raga'];
  if (name === undefined) {
    const stray = NEW_RAGA_PARTS.filter((k) => values[k] !== undefined);
    if (stray.length) throw new ReviewArgsError(`review: --${stray.join(', --')} only go with --new-raga NAME`);
    return overrides;
  }
  const missing = (['parent', 'arohanam', 'avarohanam'] as const).filter((k) => !values[k]?.trim());
  if (missing.length) throw new ReviewArgsError(`review: --new-raga needs --${missing.join(', --')}`);
  if (!values.note?.trim()) throw new ReviewArgsError('review: --new-raga needs --note saying where the name and scale come from');
  const anya = (values.anya ?? []).flatMap((a) => a.split(/[\s,]+/)).filter(Boolean);
  return {
    ...overrides,
    newRaga: {
      ...(values['new-raga-id'] ? { id: values['new-raga-id'] } : {}),
      name,
      parent: values.parent as string,
      arohanam: values.arohanam as string,
      avarohanam: values.avarohanam as string,
      ...(anya.length ? { anyaSvaras: anya } : {}),
    },
  };
}
