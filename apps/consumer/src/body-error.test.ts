import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bodyErrorAnswer } from './body-error.js';

/** What body-parser hands on for a body that is not gzip: the zlib error with `status: 400` added. */
function gunzipError(): Error {
  try {
    gunzipSync(Buffer.from('{"itemId":"1"}'));
  } catch (error) {
    return Object.assign(error as Error, { status: 400 });
  }
  throw new Error('gunzip accepted a body that is not gzip');
}

describe('bodyErrorAnswer', () => {
  it('answers a body its Content-Encoding cannot decode with 400 malformed_body', () => {
    expect(bodyErrorAnswer(gunzipError())).toEqual({
      status: 400,
      code: 'malformed_body',
      message: 'The body could not be decoded: it is not valid for its Content-Encoding',
    });
  });

  it.each([
    ['entity.parse.failed', 400, 400, 'malformed_json'],
    ['entity.too.large', 413, 413, 'payload_too_large'],
    ['encoding.unsupported', 415, 415, 'unsupported_media_type'],
    ['charset.unsupported', 415, 415, 'unsupported_media_type'],
    ['request.aborted', 400, 400, 'bad_request'],
    ['constructor', 400, 400, 'bad_request'],
  ])('answers type %s (status %i) with %i %s', (type, status, answered, code) => {
    expect(bodyErrorAnswer({ type, status })).toMatchObject({ status: answered, code });
  });

  it('leaves errors without a 4xx status to the 500 path', () => {
    expect(bodyErrorAnswer(new Error('bug'))).toBeUndefined();
    expect(bodyErrorAnswer({ status: 500, code: 'Z_DATA_ERROR' })).toBeUndefined();
    expect(bodyErrorAnswer(null)).toBeUndefined();
  });
});
