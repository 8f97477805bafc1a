import { MockApiError } from './mock-api-error.js';

/** Fewer replicas than asked confirmed a write in time: it is on the master and may still be lost with it. */
export class ReplicationUnconfirmedError extends MockApiError {
  readonly wanted: number;
  readonly confirmed: number;

  constructor(wanted: number, confirmed: number, waitMs: number) {
    super(
      'ERR_REPLICATION_UNCONFIRMED',
      `${confirmed} of ${wanted} replicas confirmed the write within ${waitMs} ms`,
    );
    this.name = 'ReplicationUnconfirmedError';
    this.wanted = wanted;
    this.confirmed = confirmed;
  }
}
