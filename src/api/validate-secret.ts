import { deepFreeze } from './deep-freeze.js';
import { checkSecretName } from './names.js';
import type { ConfigSpec, SecretSpec } from './specs.js';
import { Fields, compact, runValidation, unwrap, type Issues, type ValidationResult } from './validate-common.js';

/** A secret's data must be smaller than this many bytes (SwarmKit's 500 KiB). @public */
export const MAX_SECRET_SIZE = 500 * 1024;

/** A config's data must be smaller than this many bytes (SwarmKit's 1000 KiB). @public */
export const MAX_CONFIG_SIZE = 1000 * 1024;

function data(f: Fields, max: number, allowEmpty: boolean): Uint8Array | undefined {
  if (!f.require('data')) return undefined;
  const value = f.get('data');
  if (!(value instanceof Uint8Array)) {
    f.issues.add(f.at('data'), 'must be a Uint8Array');
    return undefined;
  }
  if (value.byteLength === 0 && !allowEmpty) {
    f.issues.add(f.at('data'), 'must not be empty');
    return undefined;
  }
  if (value.byteLength >= max) {
    f.issues.add(f.at('data'), `must be smaller than ${max / 1024} KiB (${max} bytes)`);
    return undefined;
  }
  // A private copy: the caller may reuse its buffer.
  return new Uint8Array(value);
}

function checkSecret(issues: Issues, input: unknown): SecretSpec | undefined {
  const f = Fields.of(issues, input, '', ['name', 'labels', 'data', 'driver']);
  if (f === undefined) return undefined;
  const name = checkSecretName(issues, f.get('name'), 'name');
  const labels = f.record('labels');
  const driver = f.string('driver');
  // A secret served by an external driver may carry no data of its own.
  const bytes = data(f, MAX_SECRET_SIZE, driver !== undefined);
  return name === undefined || bytes === undefined ? undefined : compact({ name, labels, data: bytes, driver });
}

function checkConfig(issues: Issues, input: unknown): ConfigSpec | undefined {
  const f = Fields.of(issues, input, '', ['name', 'labels', 'data']);
  if (f === undefined) return undefined;
  const name = checkSecretName(issues, f.get('name'), 'name');
  const labels = f.record('labels');
  const bytes = data(f, MAX_CONFIG_SIZE, false);
  return name === undefined || bytes === undefined ? undefined : compact({ name, labels, data: bytes });
}

/** Validates a secret spec without throwing (see {@link validateSecretSpec}). @public */
export function safeValidateSecretSpec(input: unknown): ValidationResult<SecretSpec> {
  return runValidation((issues) => {
    const spec = checkSecret(issues, input);
    return spec === undefined ? undefined : deepFreeze(spec);
  });
}

/**
 * Validates a secret spec and returns a new, frozen one holding a private copy of the data (the
 * byte array itself cannot be frozen). Rules (SwarmKit's): the name is 1-64 letters, digits, `-`,
 * `_` and `.`, starting and ending with a letter or digit; the data is a `Uint8Array` (a `Buffer`
 * will do) of 1 byte to just under 500 KiB; with a `driver`, the data may be empty.
 *
 * @throws ValidationError listing every issue found
 * @public
 */
export function validateSecretSpec(input: SecretSpec): SecretSpec {
  return unwrap(safeValidateSecretSpec(input));
}

/** Validates a config spec without throwing (see {@link validateConfigSpec}). @public */
export function safeValidateConfigSpec(input: unknown): ValidationResult<ConfigSpec> {
  return runValidation((issues) => {
    const spec = checkConfig(issues, input);
    return spec === undefined ? undefined : deepFreeze(spec);
  });
}

/**
 * Validates a config spec: the secret name rule, and data of 1 byte to just under 1000 KiB.
 * Returns a new, frozen spec with a private copy of the data.
 *
 * @throws ValidationError listing every issue found
 * @public
 */
export function validateConfigSpec(input: ConfigSpec): ConfigSpec {
  return unwrap(safeValidateConfigSpec(input));
}
