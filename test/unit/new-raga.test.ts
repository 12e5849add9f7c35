import { describe, expect, it } from 'vitest';
import { ReviewArgsError, reviewOverridesFromArgs } from '../../src/cli/review-args';
import { checkNewRaga, NewRagaError, ragaIdFromName } from '../../src/resolution/new-raga';

const sama = { name: 'Sāma', parent: 'harikambhoji', arohanam: 'S R2 M1 P D2 S', avarohanam: 'S D2 P M1 G3 R2 S' };

describe('a raga a reviewer adds', () => {
  it('when its scale lies inside its melakarta parent, then it is accepted with an id from its name and a parsed scale', () => {
    expect(checkNewRaga(sama, 28)).toMatchObject({
      id: 'sama',
      name: 'Sāma',
      arohanam: 'S R2 M1 P D2 S',
      scale: { notes: ['S', 'R2', 'G3', 'M1', 'P', 'D2'], anyaSvaras: [], bhashanga: false },
    });
    expect(ragaIdFromName('Nīla Veṇi')).toBe('nila-veni');
  });

  const refused: [string, Parameters<typeof checkNewRaga>[0], number | undefined, RegExp][] = [
    ['the parent is not a melakarta', sama, undefined, /parent 'harikambhoji' is not a melakarta id/],
    ['the name is empty', { ...sama, name: '  ' }, 28, /a name is required/],
    ['the arohanam is not svaras', { ...sama, arohanam: 'sa ri ma pa da sa' }, 28, /arohanam 'sa ri ma pa da sa' is not a list of svaras/],
    ['a svara has no variant number', { ...sama, arohanam: 'S R M1 P D2 S' }, 28, /cannot read R/],
    ['a svara lies outside the parent unnamed', { ...sama, avarohanam: 'S D2 P M1 G2 R2 S' }, 28, /G2 lies outside the parent harikambhoji \(S R2 G3 M1 P D2 N2\); name them as anya svaras/],
    ['an anya svara is the parent’s own', { ...sama, anyaSvaras: ['G3'] }, 28, /anya svara G3 is in the parent mela/],
    ['an anya svara is not a svara', { ...sama, anyaSvaras: ['X9'] }, 28, /anya svara X9 is not a svara/],
  ];
  it.each(refused)('when %s, then it is refused saying why', (_, input, mela, message) => {
    expect(() => checkNewRaga(input, mela)).toThrow(NewRagaError);
    expect(() => checkNewRaga(input, mela)).toThrow(message);
  });

  it('when a svara outside the parent is named as anya, then the raga is accepted as bhashanga', () => {
    expect(checkNewRaga({ ...sama, avarohanam: 'S D2 P M1 G2 R2 S', anyaSvaras: ['g2'] }, 28).scale).toMatchObject({ anyaSvaras: ['G2'], bhashanga: true });
  });
});

describe('review approve options', () => {
  it('when --new-raga comes with parent, scale and note, then the overrides carry the new raga and no raga id of their own', () => {
    expect(reviewOverridesFromArgs({ 'new-raga': 'Sama', parent: 'harikambhoji', arohanam: 'S R2 M1 P D2 S', avarohanam: 'S D2 P M1 G3 R2 S', note: 'Sambamoorthy p. 12', anya: ['N3, D1'] })).toEqual({
      newRaga: { name: 'Sama', parent: 'harikambhoji', arohanam: 'S R2 M1 P D2 S', avarohanam: 'S D2 P M1 G3 R2 S', anyaSvaras: ['N3', 'D1'] },
    });
  });

  it('when --new-raga lacks its parent or scale, then it is a usage error naming what is missing', () => {
    expect(() => reviewOverridesFromArgs({ 'new-raga': 'Sama', arohanam: 'S R2 M1 P D2 S', note: 'x' })).toThrow(/--new-raga needs --parent, --avarohanam/);
  });

  it('when --new-raga has no note, then it is a usage error: the note is its source', () => {
    expect(() => reviewOverridesFromArgs({ 'new-raga': 'Sama', parent: 'harikambhoji', arohanam: 'S R2 M1 P D2 S', avarohanam: 'S D2 P M1 G3 R2 S' })).toThrow(/needs --note/);
  });

  it('when --parent is given without --new-raga, then it is a usage error', () => {
    expect(() => reviewOverridesFromArgs({ raga: ['kalyani'], parent: 'harikambhoji' })).toThrow(ReviewArgsError);
  });

  it('when only existing ids are given, then they map to overrides as before', () => {
    expect(reviewOverridesFromArgs({ raga: ['bhairavi'], tala: 'adi' })).toEqual({ ragaIds: ['bhairavi'], talaId: 'adi' });
  });
});
