/** How the error handler answers a request whose body could not be read. */
export interface BodyErrorAnswer {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/** body-parser's error `type`s the consumer answers with their own code. */
const BY_TYPE: ReadonlyMap<string, BodyErrorAnswer> = new Map([
  ['entity.parse.failed', { status: 400, code: 'malformed_json', message: 'The body is not valid JSON' }],
  ['entity.too.large', { status: 413, code: 'payload_too_large', message: 'The body is too large' }],
  [
    'encoding.unsupported',
    { status: 415, code: 'unsupported_media_type', message: 'The Content-Encoding is not supported' },
  ],
  [
    'charset.unsupported',
    { status: 415, code: 'unsupported_media_type', message: 'The charset is not supported; send UTF-8' },
  ],
]);

const MALFORMED_BODY: BodyErrorAnswer = {
  status: 400,
  code: 'malformed_body',
  message: 'The body could not be decoded: it is not valid for its Content-Encoding',
};

/**
 * Codes of the decoders behind `Content-Encoding`: zlib for gzip and deflate (`Z_DATA_ERROR`, `Z_BUF_ERROR`),
 * Brotli (`ERR__ERROR_FORMAT_PADDING_1`...) and zstd where Node has it (`ZSTD_error_...`).
 */
const DECODER_ERROR_CODE = /^(?:Z_|ERR__ERROR_|ERR_BROTLI|ZSTD_)/;

/**
 * The answer to a body parser error, or `undefined` when `error` is not one (anything else is a bug: 500).
 * A body its Content-Encoding's decoder refused comes from body-parser with `status: 400` and the decoder's
 * `code` but no `type`; it is `400 malformed_body`. Other 4xx errors keep their status as `bad_request`.
 */
export function bodyErrorAnswer(error: unknown): BodyErrorAnswer | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, type, code } = error as { status?: unknown; type?: unknown; code?: unknown };
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  if (typeof type === 'string') {
    const known = BY_TYPE.get(type);
    if (known !== undefined) return known;
  } else if (status === 400 && typeof code === 'string' && DECODER_ERROR_CODE.test(code)) {
    return MALFORMED_BODY;
  }
  return { status, code: 'bad_request', message: 'Bad request' };
}
