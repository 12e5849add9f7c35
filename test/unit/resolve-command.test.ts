/** The `resolve` command end to end as a process: no Temporal, no database (`--no-db`). */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const run = (args: string[], input = '') =>
  spawnSync(process.execPath, ['bin/krithi-import.js', 'resolve', ...args, '--no-db'], { input, encoding: 'utf8' });

// Each case starts a Node process running tsx: seconds on a busy machine, not a speed measure.
describe('krithi-import resolve', { timeout: 30_000 }, () => {
  it('when --batch reads names on stdin, then it writes exactly one JSON line per input line, in order, case kept', () => {
    const lines = ['kalyANi', 'Shankarabharanam', '', 'qwzx', 'kOila priya'];
    const res = run(['--batch'], `${lines.join('\n')}\n`);
    expect(res.status).toBe(0);
    const out = res.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(out.map((o) => o.input)).toEqual(lines);
    expect(out[0]).toMatchObject({ kind: 'raga', best: { id: 'mechakalyani', score: 1, confidence: 'HIGH' } });
    expect(out[0].candidates[0]).toMatchObject({ id: 'mechakalyani', reason: 'alias' });
    expect(out[1].best.id).toBe('dhirasankarabharanam');
    expect(out[2].best).toBeNull();
    expect(out[4].best).toMatchObject({ id: 'kokilapriya', confidence: 'MEDIUM' });
  });

  it('when --batch --kind tala is given, then names are resolved as talas', () => {
    const res = run(['--batch', '--kind', 'tala'], 'cApu\r\nrUpakaM\r\n');
    const out = res.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(out.map((o) => [o.input, o.kind, o.best.id])).toEqual([
      ['cApu', 'tala', 'misra-chapu'],
      ['rUpakaM', 'tala', 'rupaka'],
    ]);
  });

  it('when one name is given with --composer, then one JSON object with its candidates is printed', () => {
    const res = run(['--composer', 'Guru Guha']);
    expect(res.status).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({
      input: 'Guru Guha',
      kind: 'composer',
      best: { id: 'muthuswami-dikshitar', name: 'Muthuswami Dikshitar', score: 1, confidence: 'HIGH' },
      candidates: [{ id: 'muthuswami-dikshitar', name: 'Muthuswami Dikshitar', score: 1, reason: 'alias' }],
    });
  });

  it('when a raga shares its key with another entry (kalAvati), then both candidates come with parent, scale and the confusable, and it is not HIGH', () => {
    const res = run(['--raga', 'kalAvati']);
    expect(res.status).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out.best.confidence).toBe('MEDIUM');
    const byId = Object.fromEntries(out.candidates.map((c: { id: string }) => [c.id, c]));
    expect(byId.kalavati).toMatchObject({ parent: 'chakravakam', scale: 'S R1 M1 P D2 S / S D2 P M1 G3 S R1 S', confusableWith: ['kalavathi'] });
    expect(byId.kalavathi).toMatchObject({ parent: 'yagapriya', confusableWith: ['kalavati'] });
    expect(byId.kalavathi.scale).toBe('S R3 G3 M1 P D1 N1 S / S N1 D1 P M1 G3 R3 S');
  });

  it('when two kinds are asked at once, then it is a usage error (exit 2)', () => {
    const res = run(['--raga', 'x', '--tala', 'y']);
    expect(res.status).toBe(2);
    expect(res.stdout).toBe('');
  });
});
