import { FaultApiError } from './errors/fault-api-error.js';

/** Fault profile for mock-api's `PUT /__admin/faults` (see apps/mock-api, `FaultProfile`). */
export interface FaultProfileInput {
  readonly errorRate?: number;
  readonly errorStatus?: 500 | 502 | 503 | 504;
  readonly latencyMs?: number | { readonly min: number; readonly max: number };
  readonly latencyRate?: number;
  readonly hangRate?: number;
  readonly resetRate?: number;
  readonly down?: boolean;
  readonly failNext?: number;
  readonly when?: 'before' | 'after';
  readonly routes?: readonly string[];
  readonly seed?: number;
}

export interface FaultApi {
  set(profile: FaultProfileInput): Promise<void>;
  clear(): Promise<void>;
}

/** Client of mock-api's fault API at `baseUrl`, authorised with the admin token. */
export function createFaultApi(baseUrl: string, adminToken: string): FaultApi {
  async function call(method: 'PUT' | 'DELETE', body?: FaultProfileInput): Promise<void> {
    const response = await fetch(`${baseUrl}/__admin/faults`, {
      method,
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(5_000),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new FaultApiError(
        `${method} ${baseUrl}/__admin/faults answered ${response.status}: ${text.slice(0, 300)}`,
      );
    }
  }
  return {
    set: (profile) => call('PUT', profile),
    clear: () => call('DELETE'),
  };
}
