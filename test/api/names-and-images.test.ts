import { describe, expect, it } from 'vitest';
import { imageReferenceProblem, isValidSecretName, isValidServiceName } from '../../src/api/index.js';

describe('isValidServiceName (SwarmKit rule)', () => {
  it.each(['a', 'web', 'Web1', 'web-1', 'web_1', 'a--b__c', 'a'.repeat(63)])('accepts %j', (name) => {
    expect(isValidServiceName(name)).toBe(true);
  });
  it.each(['', '-a', 'a-', '_a', 'a_', 'web.1', 'web 1', 'wéb', 'a'.repeat(64)])('rejects %j', (name) => {
    expect(isValidServiceName(name)).toBe(false);
  });
  it('answers quickly on a long near miss (no catastrophic backtracking)', () => {
    const start = process.hrtime.bigint();
    expect(isValidServiceName('a'.repeat(60) + '!')).toBe(false);
    expect(isValidServiceName('a-'.repeat(31) + '!')).toBe(false);
    expect(Number(process.hrtime.bigint() - start) / 1e6).toBeLessThan(200);
  });
});

describe('isValidSecretName (SwarmKit rule)', () => {
  it.each(['a', 'db_pass', 'tls.crt', 'my-secret.v2', 'a'.repeat(64)])('accepts %j', (name) => {
    expect(isValidSecretName(name)).toBe(true);
  });
  it.each(['', '.a', 'a.', '-a', 'a/b', 'a b', 'a'.repeat(65)])('rejects %j', (name) => {
    expect(isValidSecretName(name)).toBe(false);
  });
});

describe('imageReferenceProblem', () => {
  it.each([
    'nginx',
    'nginx:1.27',
    'library/nginx:latest',
    'docker.io/library/nginx',
    'localhost/app',
    'localhost:5000/team/app:v1.2.3',
    'registry.example.com/a/b/c:tag_1',
    '[::1]:5000/app',
    'my_app__v2',
    'a-b--c',
    'nginx@sha256:' + '0'.repeat(64),
    'nginx:1.27@sha256:' + 'a'.repeat(64),
    'Registry.Example.com/app',
  ])('accepts %j', (ref) => {
    expect(imageReferenceProblem(ref)).toBeUndefined();
  });

  it.each([
    ['', 'must not be empty'],
    ['nginx latest', 'must not contain whitespace'],
    ['Nginx', 'repository name must be lowercase'],
    ['library/Nginx', 'repository name must be lowercase'],
    ['nginx:', 'invalid tag (up to 128 letters, digits, "_", "." and "-", not starting with "." or "-")'],
    ['nginx:.x', 'invalid tag (up to 128 letters, digits, "_", "." and "-", not starting with "." or "-")'],
    ['nginx:' + 'a'.repeat(129), 'invalid tag (up to 128 letters, digits, "_", "." and "-", not starting with "." or "-")'],
    ['nginx@sha256:abc', 'invalid digest (expected algorithm:hex with at least 32 hex digits)'],
    [':latest', 'missing repository name'],
    ['-nginx', 'invalid repository name (lowercase letters and digits, separated by ".", "_", "__", "-" or "/")'],
    ['a//b', 'invalid repository name (lowercase letters and digits, separated by ".", "_", "__", "-" or "/")'],
    ['a___b', 'invalid repository name (lowercase letters and digits, separated by ".", "_", "__", "-" or "/")'],
    ['registry.example.com:port/app', 'malformed registry port'],
    ['-bad.example.com/app', 'malformed registry address'],
    ['a'.repeat(256), 'repository name must be at most 255 characters'],
  ])('rejects %j: %s', (ref, reason) => {
    expect(imageReferenceProblem(ref)).toBe(reason);
  });
});
