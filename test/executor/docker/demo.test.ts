/**
 * `npm run demo -- --executor docker`: the demo's story (replicated and global services, a
 * drain, a rolling update, a leader crash) with real containers, on the system clock. It must
 * finish, tell the same story as the simulated demo, and leave no container behind.
 */
import { it } from 'vitest';
import { main } from '../../../examples/demo.js';
import { DOCKER_LABELS } from '../../../src/executor/docker/index.js';
import { docker, dockerSuite, fileScope, SOCKET_PATH } from './support.js';

const scope = fileScope('demo');

dockerSuite('the demo on the real engine', () => {
  it('runs the whole story with real containers and removes every one of them', { timeout: 120_000 }, async ({ expect }) => {
    const lines: string[] = [];
    await main((l) => lines.push(l), { executor: 'docker', socketPath: SOCKET_PATH, scope });
    const story = lines.join('\n');
    expect(story).toMatch(/deployed web \(6 replicas\) and agent \(global\)/);
    expect(story).toMatch(/drained worker-1: its tasks moved to the other nodes/);
    expect(story).toMatch(/rolled web to VERSION=2/);
    expect(story).toMatch(/crashed the leader manager-\d/);
    expect(story).toMatch(/new leader manager-\d scaled web to 8/);
    expect(lines).toContainEqual(expect.stringMatching(/web runs 8 tasks in 8 distinct slots, none on worker-1: true$/));
    expect(lines.at(-1)).toMatch(new RegExp(`^removed \\d+ containers of ${scope}-\\*$`));
    const left = await docker.listContainers({ all: true, filters: { label: [DOCKER_LABELS.scope] } });
    expect(left.filter((c) => (c.Labels[DOCKER_LABELS.scope] ?? '').startsWith(`${scope}-`))).toEqual([]);
  });
});
