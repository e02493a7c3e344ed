/**
 * The store: atomic transactions, immer drafts, indexed lookups, and a watch of committed changes.
 *
 *   npx tsx examples/store.ts
 */
import { pathToFileURL } from 'node:url';
import { Store, VirtualClock, type StoreEvent } from 'flotilla';

export async function main(log: (line: string) => void = console.log): Promise<void> {
  const store = new Store({ clock: new VirtualClock() });
  const seen: StoreEvent[] = [];
  const sub = store.watch({ kind: 'service' }).subscribe((ev) => seen.push(ev));

  await store.update((tx) => tx.services.create({ id: 's1', spec: { name: 'web', task: { container: { image: 'nginx' } } }, specVersion: 1 }));
  await store.update((tx) => tx.services.update('s1', (s) => void (s.specVersion += 1)));
  const found = store.view((tx) => tx.services.find({ name: 'WEB' }));
  log(`found ${found.length} service named web (names are case-insensitive), specVersion ${found[0]?.specVersion}, version ${found[0]?.meta.version}`);

  // A transaction that throws changes nothing.
  await store
    .update((tx) => {
      tx.services.delete('s1');
      throw new Error('changed my mind');
    })
    .catch((e: unknown) => log(`update failed (${(e as Error).message}); still there: ${store.view((tx) => tx.services.get('s1') !== undefined)}`));

  await new Promise((r) => setImmediate(r)); // watch events are delivered after the commit
  sub.unsubscribe();
  log(`watch saw: ${seen.map((e) => e.type).join(', ')}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
