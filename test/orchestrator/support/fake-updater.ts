import type { Service, Task } from '../../../src/api/index.js';
import type { Updater } from '../../../src/orchestrator/index.js';

/** Records what the orchestrators hand to the update supervisor; updates nothing. */
export class FakeUpdater implements Updater {
  readonly calls: { serviceId: string; specVersion: number; slots: (readonly Task[])[] }[] = [];
  readonly cancelled: string[] = [];
  stopped = false;

  update(service: Service, slots: readonly (readonly Task[])[]): void {
    this.calls.push({ serviceId: service.id, specVersion: service.specVersion, slots: [...slots] });
  }

  cancel(serviceId: string): void {
    this.cancelled.push(serviceId);
  }

  stop(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }

  callsFor(serviceId: string): { specVersion: number; slots: (readonly Task[])[] }[] {
    return this.calls.filter((c) => c.serviceId === serviceId);
  }
}
