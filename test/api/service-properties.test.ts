import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { safeValidateServiceSpec, validateServiceSpec, type ServiceSpec } from '../../src/api/index.js';
import { ValidationError } from '../../src/errors/index.js';
import { isDeepFrozen } from './support/specs.js';

const name = fc.stringMatching(/^[a-z0-9]{1,20}(?:[-_][a-z0-9]{1,10}){0,3}$/);
const image = fc.constantFrom('nginx', 'nginx:1.27', 'library/redis:7-alpine', 'registry.local:5000/app/api:v1', 'ghcr.io/org/tool@sha256:' + 'f'.repeat(64));
const duration = fc.oneof(
  fc.integer({ min: 0, max: 3_600_000 }),
  fc.integer({ min: 0, max: 600 }).map((s) => `${s}s`),
  fc.integer({ min: 1, max: 59 }).map((m) => `${m}m30s`),
  fc.constantFrom('0', '500ms', '1.5s', '1h'),
);
const constraint = fc.constantFrom('node.role==worker', 'node.role != manager', 'node.labels.zone==a', 'engine.labels.disk!=hdd', 'node.ip==10.0.0.0/8', 'node.platform.arch==x86_64');

const mode = fc.oneof(
  fc.constant(undefined),
  fc.record({ replicated: fc.record({ replicas: fc.integer({ min: 0, max: 50 }) }, { requiredKeys: [] }) }),
  fc.constant({ global: {} }),
  fc.record({ replicatedJob: fc.record({ maxConcurrent: fc.integer({ min: 1, max: 10 }), totalCompletions: fc.integer({ min: 0, max: 100 }) }, { requiredKeys: [] }) }),
  fc.constant({ globalJob: {} }),
);

const updateConfig = fc.record(
  {
    parallelism: fc.integer({ min: 0, max: 10 }),
    delay: duration,
    failureAction: fc.constantFrom('pause', 'continue'),
    monitor: duration,
    maxFailureRatio: fc.double({ min: 0, max: 1, noNaN: true }),
    order: fc.constantFrom('stop-first', 'start-first'),
  },
  { requiredKeys: [] },
);

const task = fc.record(
  {
    container: fc.record(
      {
        image,
        env: fc.array(fc.stringMatching(/^[A-Z_]{1,8}(?:=[a-z0-9]{0,8})?$/), { maxLength: 4 }),
        stopGracePeriod: duration,
        labels: fc.dictionary(fc.stringMatching(/^[a-z.]{1,10}$/), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
        secrets: fc.uniqueArray(name, { maxLength: 3 }).map((names) => names.map((n) => ({ name: n }))),
      },
      { requiredKeys: ['image'] },
    ),
    resources: fc.record(
      {
        reservations: fc.record({ nanoCpus: fc.integer({ min: 1e6, max: 4e9 }), memoryBytes: fc.integer({ min: 4 * 2 ** 20, max: 2 ** 30 }) }, { requiredKeys: [] }),
      },
      { requiredKeys: [] },
    ),
    restartPolicy: fc.record(
      { condition: fc.constantFrom('none', 'on-failure', 'any'), delay: duration, maxAttempts: fc.integer({ min: 0, max: 10 }), window: duration },
      { requiredKeys: [] },
    ),
    placement: fc.record({ constraints: fc.array(constraint, { maxLength: 3 }), preferences: fc.constant([{ spread: 'node.labels.zone' }]) }, { requiredKeys: [] }),
  },
  { requiredKeys: ['container'] },
);

const ports = fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { maxLength: 3 }).map((published) => published.map((p, i) => ({ targetPort: 80 + i, publishedPort: p })));

/** Valid service specs, as a user would write them (durations as strings or numbers, defaults left out). */
const validSpec = fc
  .record({ name, mode, task, update: updateConfig, rollback: updateConfig, ports }, { requiredKeys: ['name', 'task', 'ports'] })
  .map(({ ports: p, ...rest }) => {
    const spec: Record<string, unknown> = { ...rest, endpoint: { ports: p } };
    if (spec.mode === undefined) delete spec.mode;
    const kind = Object.keys((spec.mode as object | undefined) ?? {})[0];
    if (kind === 'replicatedJob' || kind === 'globalJob') delete spec.update;
    return spec as unknown as ServiceSpec;
  });

describe('service spec validation properties', () => {
  it('is idempotent: validating a validated spec gives the same spec', () => {
    fc.assert(
      fc.property(validSpec, (spec) => {
        const once = validateServiceSpec(spec);
        const twice = validateServiceSpec(once);
        expect(twice).toStrictEqual(once);
        expect(isDeepFrozen(twice)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('leaves no duration as a string in its output', () => {
    fc.assert(
      fc.property(validSpec, (spec) => {
        const out = validateServiceSpec(spec);
        const durations = [
          out.task.container.stopGracePeriod,
          out.task.restartPolicy?.delay,
          out.task.restartPolicy?.window,
          out.update?.delay,
          out.update?.monitor,
          out.rollback?.delay,
          out.rollback?.monitor,
        ];
        for (const d of durations) expect(d === undefined || typeof d === 'number').toBe(true);
        expect(typeof out.task.container.stopGracePeriod).toBe('number');
      }),
      { numRuns: 100 },
    );
  });

  it('never crashes on arbitrary input: it returns issues instead', () => {
    const known = ['name', 'labels', 'mode', 'task', 'update', 'rollback', 'endpoint', 'networks', 'container', 'image', 'mounts', 'placement', 'resources', 'ports'];
    const chaos = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.anything(),
        fc.dictionary(fc.constantFrom(...known), tie('value'), { maxKeys: 5 }),
        fc.array(tie('value'), { maxLength: 3 }),
      ),
    })).value;
    fc.assert(
      fc.property(chaos, (input) => {
        const r = safeValidateServiceSpec(input);
        if (!r.ok) {
          expect(r.issues.length).toBeGreaterThan(0);
          for (const issue of r.issues) {
            expect(typeof issue.path).toBe('string');
            expect(issue.message.length).toBeGreaterThan(0);
          }
        }
        try {
          validateServiceSpec(input as ServiceSpec);
        } catch (err) {
          expect(err).toBeInstanceOf(ValidationError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
