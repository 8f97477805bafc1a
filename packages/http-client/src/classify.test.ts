import { AxiosError } from 'axios';
import { describe, expect, it } from 'vitest';
import {
  type AttemptInfo,
  countsAsBreakerFailure,
  describeTypedFailure,
  isRetryableError,
  toHttpClientError,
} from './classify.js';
import { isNetworkError, NetworkError } from './errors/network-error.js';

const info: AttemptInfo = {
  method: 'GET',
  url: 'http://inventory:8080/items',
  attempts: 1,
  requestId: 'req-1',
  timeoutMs: 1000,
  now: 0,
};

/** What axios' http adapter rejects with when the socket fails before any response (`AxiosError.from`). */
function networkFailure(code: string, message = `connect ${code}`): AxiosError {
  const systemError = Object.assign(new Error(message), { code });
  return AxiosError.from(systemError, undefined, undefined, {});
}

describe('toHttpClientError with a network failure', () => {
  it.each([
    ['ENOTFOUND', 'a DNS name that does not resolve'],
    ['EAI_AGAIN', 'a temporary DNS failure'],
  ])('turns %s (%s) into a retryable NetworkError counted by the breaker', (code) => {
    const error = toHttpClientError(networkFailure(code, `getaddrinfo ${code} inventory`), info);
    expect(error).toBeInstanceOf(NetworkError);
    expect(isNetworkError(error) && error.systemCode).toBe(code);
    expect(isRetryableError(error)).toBe(true);
    expect(countsAsBreakerFailure(error)).toBe(true);
    expect(describeTypedFailure(error)).toMatchObject({
      retryable: true,
      countsAsFailure: true,
      breakerIgnores: false,
      reason: code,
    });
  });

  it('turns CERT_HAS_EXPIRED into a NetworkError that is not retried but is counted by the breaker', () => {
    const error = toHttpClientError(networkFailure('CERT_HAS_EXPIRED', 'certificate has expired'), info);
    expect(error).toBeInstanceOf(NetworkError);
    expect(isNetworkError(error) && error.systemCode).toBe('CERT_HAS_EXPIRED');
    expect(isRetryableError(error)).toBe(false);
    expect(countsAsBreakerFailure(error)).toBe(true);
    expect(describeTypedFailure(error)).toMatchObject({
      retryable: false,
      countsAsFailure: true,
      reason: 'CERT_HAS_EXPIRED',
    });
  });

  it('keeps the AxiosError as cause and names method and URL', () => {
    const raw = networkFailure('ENOTFOUND');
    expect(raw.code).toBe('ENOTFOUND');
    const error = toHttpClientError(raw, info);
    expect(error.cause).toBe(raw);
    expect(error.message).toContain('GET http://inventory:8080/items');
    expect(error).toMatchObject({ method: 'GET', attempts: 1, requestId: 'req-1' });
  });
});
