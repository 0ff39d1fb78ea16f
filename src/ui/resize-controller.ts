// Calls back whenever the host element changes size while it is connected: the reactive controller
// each explorer view holds instead of wiring its own ResizeObserver into its lifecycle.
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class ResizeController implements ReactiveController {
  private readonly observer: ResizeObserver;

  constructor(
    private readonly host: ReactiveControllerHost & Element,
    onResize: () => void,
  ) {
    this.observer = new ResizeObserver(onResize);
    host.addController(this);
  }

  hostConnected(): void {
    this.observer.observe(this.host);
  }

  hostDisconnected(): void {
    this.observer.disconnect();
  }
}
