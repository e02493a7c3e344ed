import { validateNodeSpecUpdate, type Node, type NodeAvailability, type NodeRole, type NodeSpec } from '../api/index.js';
import type { RaftDriver } from '../raft/index.js';
import { InvalidStateError } from '../errors/index.js';
import type { Cluster, NodeRecord } from './cluster.js';
import { findNode } from './lookup.js';

/** Filters of {@link NodesApi.list}. @public */
export interface NodeFilter {
  readonly role?: NodeRole;
  readonly availability?: NodeAvailability;
  /** Only nodes with this label (`key` or `key=value`). */
  readonly label?: string;
}

/** Options of {@link NodesApi.remove}. @public */
export interface NodeRemoveOptions {
  /** Remove the node even if it is not down (`docker node rm --force`). */
  readonly force?: boolean;
}

/**
 * `docker node` parity on a {@link Cluster}: list, inspect, update (availability, labels),
 * promote, demote, remove.
 *
 * @public
 */
export class NodesApi {
  /** @internal */
  constructor(private readonly cluster: Cluster) {}

  /** Every node, optionally filtered, managers first, then by hostname. */
  list(filter: NodeFilter = {}): readonly Node[] {
    return this.cluster
      .view((tx) => tx.nodes.all())
      .filter((n) => filter.role === undefined || n.role === filter.role)
      .filter((n) => filter.availability === undefined || n.spec.availability === filter.availability)
      .filter((n) => {
        if (filter.label === undefined) return true;
        const [k, v] = filter.label.split('=', 2) as [string, string | undefined];
        const have = n.spec.labels?.[k];
        return have !== undefined && (v === undefined || have === v);
      })
      .sort((a, b) => (a.role === b.role ? ((a.spec.name ?? '') < (b.spec.name ?? '') ? -1 : 1) : a.role === 'manager' ? -1 : 1));
  }

  /** The node with this id, hostname or unique id prefix (`NotFoundError` otherwise). */
  inspect(node: string): Node {
    return this.cluster.view((tx) => findNode(tx, node));
  }

  /**
   * Updates a node's availability (`active`, `pause`: no new tasks, `drain`: every task moves
   * away) and labels (replacing them all, as `docker node update --label-add/rm` ends up doing).
   */
  async update(node: string, update: { readonly availability?: NodeAvailability; readonly labels?: Readonly<Record<string, string>> }): Promise<Node> {
    const current = this.inspect(node);
    const valid = validateNodeSpecUpdate(update, current.spec);
    await this.cluster.write((tx) => {
      tx.nodes.update(current.id, (d) => {
        if (valid.availability !== undefined) d.spec.availability = valid.availability;
        if (valid.labels !== undefined) d.spec.labels = { ...valid.labels };
      });
    }, `update node ${current.spec.name ?? current.id}`);
    return this.inspect(current.id);
  }

  /** Makes a worker a manager: it joins the raft group, then its role changes. */
  async promote(node: string): Promise<Node> {
    const current = this.inspect(node);
    if (current.role === 'manager') return current;
    const record = this.cluster.record(current.id);
    await this.joinRaft(record);
    await this.setRole(current, 'manager');
    return this.inspect(current.id);
  }

  /**
   * Makes a manager a worker. Refused for the last manager, and when the managers left could not
   * form a quorum; a leader hands leadership over first.
   */
  async demote(node: string): Promise<Node> {
    const current = this.inspect(node);
    if (current.role === 'worker') return current;
    const record = this.cluster.record(current.id);
    const managers = this.cluster.managers;
    if (managers.length <= 1) throw new InvalidStateError(`cannot demote ${record.hostname}: it is the last manager`);
    const reachable = managers.filter((m) => m !== record.hostname && this.cluster.view((tx) => findNode(tx, m)).status.state === 'ready').length;
    if (reachable < Math.floor((managers.length - 1) / 2) + 1) {
      throw new InvalidStateError(`cannot demote ${record.hostname}: the ${reachable} reachable managers left would not form a quorum of ${managers.length - 1}`);
    }
    await this.leaveRaft(record);
    await this.setRole(current, 'worker');
    return this.inspect(current.id);
  }

  /** Removes a node from the cluster: it must be down, unless `force`. Managers must be demoted first. */
  async remove(node: string, options: NodeRemoveOptions = {}): Promise<void> {
    const current = this.inspect(node);
    if (current.role === 'manager') throw new InvalidStateError(`node ${current.spec.name ?? current.id} is a manager; demote it before removing it`);
    if (current.status.state !== 'down' && options.force !== true) {
      throw new InvalidStateError(`node ${current.spec.name ?? current.id} is not down and can't be removed (use force)`);
    }
    const record = this.cluster.record(current.id);
    await record.process.stop();
    await this.cluster.write((tx) => tx.nodes.delete(current.id), `remove node ${current.spec.name ?? current.id}`);
    this.cluster.records.delete(record.hostname);
  }

  /** Adds a node's manager to the raft group and starts it. @internal */
  async joinRaft(record: NodeRecord): Promise<void> {
    record.role = 'manager';
    if (record.manager !== undefined && !record.manager.isStopped) return;
    const leader = this.leaderDriver();
    if (leader === undefined) {
      // A single manager without raft cannot grow a raft group in place.
      throw new InvalidStateError('this cluster was created with one manager and no raft; create it with managers >= 2 to add managers');
    }
    await this.cluster.waiter.settle(leader.proposeConfChange({ type: 'addVoter', nodeId: record.hostname }), `${record.hostname} to join raft`);
    this.cluster.startManager(record, {});
  }

  private async leaveRaft(record: NodeRecord): Promise<void> {
    const manager = record.manager;
    if (manager === undefined) return;
    if (manager.isLeader && manager.driver !== undefined) {
      const to = this.cluster.managers.find((m) => m !== record.hostname && this.cluster.record(m).manager?.isStopped === false);
      if (to !== undefined) {
        manager.driver.transferLeadership(to);
        await this.cluster.waitFor(() => this.cluster.leader !== undefined && this.cluster.leader !== record.hostname, {
          waitingFor: `leadership to move off ${record.hostname}`,
        });
      }
    }
    const leader = this.leaderDriver();
    if (leader !== undefined) await this.cluster.waiter.settle(leader.proposeConfChange({ type: 'remove', nodeId: record.hostname }), `${record.hostname} to leave raft`);
    record.role = 'worker';
    record.manager = undefined;
    await manager.stop();
  }

  private leaderDriver(): RaftDriver | undefined {
    const address = this.cluster.leader;
    return address === undefined ? undefined : this.cluster.record(address).manager?.driver;
  }

  private async setRole(current: Node, role: NodeRole): Promise<void> {
    await this.cluster.write((tx) => {
      tx.nodes.update(current.id, (d) => {
        d.role = role;
        (d.spec as { role: NodeSpec['role'] }).role = role;
        if (role === 'manager') d.managerStatus = { raftId: d.spec.name ?? d.id, addr: d.spec.name ?? d.id, leader: false, reachability: 'reachable' };
        else delete d.managerStatus;
      });
    }, `set the role of ${current.spec.name ?? current.id}`);
  }
}
