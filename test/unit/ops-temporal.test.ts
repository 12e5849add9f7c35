/**
 * ops/temporal/ is the one Temporal server configuration: the native stacks and docker-compose.yml
 * both run it. These tests read the real files: the dynamic configuration every backend applies,
 * the setup script's search attributes against the code's, the server template's variables, and
 * docker-compose.yml as `docker compose config` resolves it (the Compose Specification's own
 * loader; scripts/ensure-compose-config.sh) — mounting the same directory and running the same
 * commands as src/temporal/server-node.ts.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SEARCH_ATTRIBUTES } from '../../src/shared';
import { parseDynamicConfig, readDynamicConfig, renderDynamicConfig } from '../../src/temporal/dynamic-config';
import { serverArgs } from '../../src/temporal/server-node';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OPS = `${ROOT}ops/temporal`;

describe('when the dynamic configuration is read', () => {
  const values = readDynamicConfig();

  it('then every task queue has one partition, so a site limit of R/s is R/s and not 4R', () => {
    expect(values['matching.numTaskqueueReadPartitions']).toBe(1);
    expect(values['matching.numTaskqueueWritePartitions']).toBe(1);
  });

  it('then fairness between batches is on', () => {
    expect(values['matching.enableFairness']).toBe(true);
  });

  it('then a copy written with overrides reads back as the same values', () => {
    const merged = { ...values, 'system.enableActivityEagerExecution': true, 'limit.maxIDLength': 300 };
    expect(parseDynamicConfig(renderDynamicConfig(merged))).toEqual(merged);
  });

  it('then a constrained value, a key without value or a stray line is refused with its line', () => {
    const constrained = 'a.b:\n  - value: 1\n    constraints: {}\n  - value: 2\n    constraints:\n      namespace: "x"\n';
    expect(() => parseDynamicConfig(constrained, 'f')).toThrow(/f line 4: a\.b has more than one value/);
    expect(() => parseDynamicConfig('a.b:\nc.d:\n  - value: 1\n', 'f')).toThrow(/f: a\.b has no value/);
    expect(() => parseDynamicConfig('a.b: 1\n', 'f')).toThrow(/f line 1: expected/);
    expect(() => parseDynamicConfig('a.b:\n  - value: yes\n', 'f')).toThrow(/not a number, boolean or quoted string/);
  });
});

describe('when the setup script registers search attributes', () => {
  it('then it registers exactly the ones the workflows set', () => {
    const script = readFileSync(`${OPS}/setup.sh`, 'utf8');
    const m = /^SEARCH_ATTRIBUTES="([^"]*)"$/m.exec(script);
    expect(m).not.toBeNull();
    expect(m![1]!.split(' ').sort()).toEqual(Object.values(SEARCH_ATTRIBUTES).sort());
  });
});

describe('when docker-compose.yml is resolved as `docker compose config` does', () => {
  const checker = execFileSync('bash', [`${ROOT}scripts/ensure-compose-config.sh`], { encoding: 'utf8' }).trim();
  const [cmd, ...pre] = checker === 'docker compose' ? ['docker', 'compose'] : [checker];
  const resolved = JSON.parse(
    execFileSync(cmd!, [...pre, '--env-file', `${ROOT}.env.example`, '-f', `${ROOT}docker-compose.yml`, ...(pre.length ? ['config'] : []), '--format', 'json'], {
      cwd: ROOT,
      encoding: 'utf8',
    }),
  ) as { services: Record<string, { entrypoint?: string[]; environment?: Record<string, string>; volumes?: { source: string; target: string; read_only?: boolean }[] }> };
  const s = resolved.services;

  it('then the Temporal server, its schema job and its setup job all mount ops/temporal read-only', () => {
    for (const name of ['temporal', 'temporal-schema', 'temporal-setup']) {
      const mount = s[name]!.volumes?.find((v) => v.target === '/etc/krithi-temporal');
      expect(mount, name).toBeDefined();
      expect(mount!.source.replace(/\/$/, '')).toBe(OPS);
      expect(mount!.read_only).toBe(true);
    }
  });

  it('then the server starts from the mounted config with the native stack\'s arguments and dynamic configuration', () => {
    const entry = s.temporal!.entrypoint!.join(' ');
    expect(entry).toContain(`temporal-server ${serverArgs('/etc/krithi-temporal').join(' ')}`);
    expect(s.temporal!.environment!.TEMPORAL_DYNAMIC_CONFIG).toBe('/etc/krithi-temporal/dynamicconfig.yaml');
  });

  it('then every variable it sets for the server is one the config template reads', () => {
    const template = readFileSync(`${OPS}/config/krithi.yaml`, 'utf8');
    const read = new Set([...template.matchAll(/env "([A-Z_]+)"/g)].map((m) => m[1]));
    const set = Object.keys(s.temporal!.environment!).filter((k) => k !== 'TEMPORAL_SCHEMA_DIR');
    expect(set.filter((k) => !read.has(k))).toEqual([]);
    expect(set).toEqual(expect.arrayContaining(['TEMPORAL_DB_HOST', 'TEMPORAL_DB_NAME', 'TEMPORAL_VISIBILITY_DB_NAME', 'TEMPORAL_BIND_IP']));
  });

  it('then the schema and namespace jobs run the setup script the native stacks run', () => {
    expect(s['temporal-schema']!.entrypoint).toEqual(['sh', '/etc/krithi-temporal/setup.sh', 'schema']);
    expect(s['temporal-setup']!.entrypoint).toEqual(['sh', '/etc/krithi-temporal/setup.sh', 'namespace']);
  });
});
