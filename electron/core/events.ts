import type { EventChannel, Events, Unsubscribe } from '../shared/contract';

/** The core's typed event bus: services emit, adapters (IPC, WebSocket, CLI) subscribe. */
export class EventBus {
  private listeners = new Map<EventChannel, Set<(payload: never) => void>>();
  private anyListeners = new Set<(channel: EventChannel, payload: unknown) => void>();

  emit<E extends EventChannel>(channel: E, payload: Events[E]): void {
    for (const l of this.listeners.get(channel) ?? []) (l as (p: Events[E]) => void)(payload);
    for (const l of this.anyListeners) l(channel, payload);
  }

  on<E extends EventChannel>(channel: E, listener: (payload: Events[E]) => void): Unsubscribe {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  /** Every event on every channel: what the transports forward. */
  onAny(listener: (channel: EventChannel, payload: unknown) => void): Unsubscribe {
    this.anyListeners.add(listener);
    return () => this.anyListeners.delete(listener);
  }
}
