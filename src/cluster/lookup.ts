import type { Node, Service } from '../api/index.js';
import { NotFoundError, ValidationError } from '../errors/index.js';
import type { ReadTx } from '../store/index.js';

/**
 * Finds a service by id, name, or unique id prefix, as the Docker CLI does. @internal
 */
export function findService(tx: ReadTx, key: string): Service {
  const byId = tx.services.get(key);
  if (byId !== undefined) return byId;
  const byName = tx.services.find({ name: key });
  if (byName.length === 1) return byName[0] as Service;
  const byPrefix = key.length > 0 ? tx.services.find({ idPrefix: key }) : [];
  if (byPrefix.length === 1) return byPrefix[0] as Service;
  if (byPrefix.length > 1) throw new ValidationError([{ path: 'service', message: `${JSON.stringify(key)} matches ${byPrefix.length} services; use more of the id` }]);
  throw new NotFoundError('service', key);
}

/** Finds a node by id, hostname/name, or unique id prefix. @internal */
export function findNode(tx: ReadTx, key: string): Node {
  const byId = tx.nodes.get(key);
  if (byId !== undefined) return byId;
  const byName = tx.nodes.find({ name: key });
  if (byName.length === 1) return byName[0] as Node;
  const byHost = tx.nodes.all().filter((n) => n.description?.hostname === key);
  if (byHost.length === 1) return byHost[0] as Node;
  const byPrefix = key.length > 0 ? tx.nodes.find({ idPrefix: key }) : [];
  if (byPrefix.length === 1) return byPrefix[0] as Node;
  throw new NotFoundError('node', key);
}
