import { Injectable } from '@nestjs/common';

/** Set once SIGTERM arrives: readiness fails first so the load balancer drains this task before it stops. */
@Injectable()
export class ShutdownState {
  private draining = false;

  begin(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }
}
