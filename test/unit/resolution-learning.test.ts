import { describe, expect, it } from 'vitest';
import { aliasesFromReview, type StoredResolution } from '../../src/resolution/learning';

const entity = (input: string, id: string | null, confidence: string) => ({
  match: { input },
  chosen: id ? { id } : null,
  confidence,
});
const resolution = (over: Partial<StoredResolution> = {}): StoredResolution => ({
  composer: entity('Tyagaraja', 'tyagaraja', 'HIGH'),
  ragas: [entity('qwzx rAgaM', null, 'LOW')],
  tala: entity('Adi', 'adi', 'HIGH'),
  ...over,
});

describe('aliasesFromReview', () => {
  it('when a reviewer overrides an unrecognised raga, then its spelling becomes an alias of the chosen raga', () => {
    expect(aliasesFromReview(resolution(), { ragaIds: ['mechakalyani'] })).toEqual([
      { kind: 'raga', alias: 'qwzx rAgaM', entityId: 'mechakalyani' },
    ]);
  });

  it('when a reviewer overrides a HIGH choice with another entity, then the spelling is learned for the new one', () => {
    const res = resolution({ tala: entity('cApu', 'misra-chapu', 'HIGH') });
    expect(aliasesFromReview(res, { talaId: 'khanda-chapu' })).toEqual([{ kind: 'tala', alias: 'cApu', entityId: 'khanda-chapu' }]);
  });

  it('when the override only confirms a HIGH choice, then nothing is learned', () => {
    expect(aliasesFromReview(resolution(), { composerId: 'tyagaraja', talaId: 'adi' })).toEqual([]);
  });

  it('when the override confirms a MEDIUM guess, then the spelling is learned', () => {
    const res = resolution({ ragas: [entity('kOila priya', 'kokilapriya', 'MEDIUM')] });
    expect(aliasesFromReview(res, { ragaIds: ['kokilapriya'] })).toEqual([{ kind: 'raga', alias: 'kOila priya', entityId: 'kokilapriya' }]);
  });

  it('when the reviewer gives another number of ragas than were resolved, then no raga spelling is learned', () => {
    const res = resolution({ ragas: [entity('rAga mAlikA', null, 'LOW')] });
    expect(aliasesFromReview(res, { ragaIds: ['sri', 'arabhi'] })).toEqual([]);
  });

  it('when several ragas were resolved, then they pair with the override by position', () => {
    const res = resolution({ ragas: [entity('tODi', 'hanumatodi', 'HIGH'), entity('sAma', null, 'MEDIUM')] });
    expect(aliasesFromReview(res, { ragaIds: ['hanumatodi', 'samanta'] })).toEqual([{ kind: 'raga', alias: 'sAma', entityId: 'samanta' }]);
  });

  it('when the composer came from a site host, then the host is never learned as an alias', () => {
    const res = resolution({ composer: entity('guru-guha.blogspot.com', 'muthuswami-dikshitar', 'MEDIUM') });
    expect(aliasesFromReview(res, { composerId: 'syama-sastri' })).toEqual([]);
  });

  it('when there is no override or no stored resolution, then nothing is learned', () => {
    expect(aliasesFromReview(resolution(), {})).toEqual([]);
    expect(aliasesFromReview(null, { ragaIds: ['mechakalyani'] })).toEqual([]);
  });
});
