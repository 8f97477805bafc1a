import { STATUS_CODES } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import { createBrotliDecompress, createUnzip } from 'node:zlib';
import axios, {
  type AxiosAdapter,
  AxiosError,
  AxiosHeaders,
  type AxiosResponse,
  CanceledError,
  type InternalAxiosRequestConfig,
} from 'axios';
import buildFullPath from 'axios/unsafe/core/buildFullPath.js';
import buildURL from 'axios/unsafe/helpers/buildURL.js';
import { Agent, type Dispatcher, interceptors } from 'undici';

/** Options of {@link createUndiciAdapter}. */
export interface UndiciAdapterOptions {
  /**
   * The undici dispatcher requests go through. When given, the caller owns it (`close()` leaves it open).
   * @default an `Agent` (one keep-alive pool per origin) with redirects followed as axios does, owned by the adapter
   */
  readonly dispatcher?: Dispatcher;
}

/** An axios adapter backed by undici's connection pools, plus the means to close them. */
export interface UndiciAdapter {
  readonly adapter: AxiosAdapter;
  /** Closes the owned agent's sockets at once (in-flight requests fail). Idempotent. */
  close(): void;
}

/** The defaults of {@link createUndiciAdapter}. */
export const UNDICI_ADAPTER_DEFAULTS = Object.freeze({
  /** Idle keep-alive sockets are closed after this long (undici's own default is 4 s). */
  keepAliveTimeoutMs: 4_000,
  /** Redirects followed when a request does not set `maxRedirects` (follow-redirects' default, as axios). */
  maxRedirects: 21,
});

const USER_AGENT = `axios/${axios.VERSION}`;

/** undici's codes mapped to the codes axios' Node adapter gives the same failure (which `classify.ts` reads). */
const CODE_OF_UNDICI: Readonly<Record<string, string>> = Object.freeze({
  // The peer closed the socket before the answer was complete: axios says ECONNRESET ("socket hang up").
  UND_ERR_SOCKET: 'ECONNRESET',
  UND_ERR_CONNECT_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_HEADERS_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_BODY_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_INVALID_ARG: AxiosError.ERR_BAD_OPTION_VALUE,
  UND_ERR_NOT_SUPPORTED: AxiosError.ERR_NOT_SUPPORT,
  UND_ERR_REQ_CONTENT_LENGTH_MISMATCH: AxiosError.ERR_BAD_REQUEST,
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: AxiosError.ERR_BAD_RESPONSE,
  UND_ERR_MAX_REDIRECTIONS: 'ERR_FR_TOO_MANY_REDIRECTS',
});

function canceled(config: InternalAxiosRequestConfig): CanceledError<unknown> {
  return new CanceledError(undefined, config);
}

/** What undici (or a socket under it) threw, as the AxiosError axios' Node adapter would have thrown. */
function toAxiosError(raw: unknown, config: InternalAxiosRequestConfig): AxiosError | CanceledError<unknown> {
  if (raw instanceof AxiosError) return raw;
  if (config.signal?.aborted === true) return canceled(config);
  const error = raw instanceof Error ? raw : new Error(String(raw));
  const rawCode = Reflect.get(error, 'code');
  const ownCode = typeof rawCode === 'string' ? rawCode : undefined;
  const causeCode = systemCode(Reflect.get(error, 'cause'));
  const code = ownCode?.startsWith('UND_ERR_')
    ? (causeCode ?? CODE_OF_UNDICI[ownCode as string] ?? ownCode)
    : (ownCode ?? causeCode);
  return AxiosError.from(error, code, config, undefined, undefined);
}

function systemCode(cause: unknown): string | undefined {
  if (typeof cause !== 'object' || cause === null) return undefined;
  const code = Reflect.get(cause, 'code');
  return typeof code === 'string' && !code.startsWith('UND_ERR_') ? code : undefined;
}

type Body = string | Buffer | Uint8Array | Readable | FormData | null;

/** The request body after axios' `transformRequest`: a string, bytes, a stream, or form data. */
function bodyOf(data: unknown): Body {
  if (data === undefined || data === null) return null;
  if (typeof data === 'string' || data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (typeof FormData !== 'undefined' && data instanceof FormData) return data;
  if (typeof (data as Readable).pipe === 'function') return data as Readable;
  return String(data);
}

function headersOf(config: InternalAxiosRequestConfig): Record<string, string | string[]> {
  const source = AxiosHeaders.from(config.headers).toJSON() as Record<string, unknown>;
  const headers: Record<string, string | string[]> = {};
  let hasUserAgent = false;
  for (const name of Object.keys(source)) {
    const value = source[name];
    headers[name] = Array.isArray(value) ? value.map(String) : String(value);
    if (!hasUserAgent && name.toLowerCase() === 'user-agent') hasUserAgent = true;
  }
  if (!hasUserAgent) headers['User-Agent'] = USER_AGENT;
  const auth = config.auth;
  if (auth !== undefined) {
    const token = Buffer.from(`${auth.username ?? ''}:${auth.password ?? ''}`, 'utf8').toString('base64');
    headers.Authorization = `Basic ${token}`;
  }
  return headers;
}

/**
 * The body, decompressed as axios' Node adapter does. `pipeline` so a body that fails half way (the socket
 * reset) fails the decompressed stream too, and destroying that stream destroys the body.
 */
function decoded(
  body: Readable,
  encoding: string | string[] | undefined,
  config: InternalAxiosRequestConfig,
): Readable {
  if (config.decompress === false || typeof encoding !== 'string') return body;
  const name = encoding.trim().toLowerCase();
  const gunzip =
    name === 'gzip' ||
    name === 'x-gzip' ||
    name === 'deflate' ||
    name === 'compress' ||
    name === 'x-compress';
  if (!gunzip && name !== 'br') return body;
  const out = gunzip ? createUnzip() : createBrotliDecompress();
  pipeline(body, out, () => undefined);
  return out;
}

/** Reads a body to its end, failing once it passes `maxContentLength` (the rest is not read). */
async function readAll(body: Readable, config: InternalAxiosRequestConfig): Promise<Buffer> {
  const limit = config.maxContentLength ?? -1;
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += (chunk as Buffer).length;
    if (limit > -1 && total > limit) {
      body.destroy();
      throw new AxiosError(`maxContentLength size of ${limit} exceeded`, AxiosError.ERR_BAD_RESPONSE, config);
    }
    chunks.push(chunk as Buffer);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total);
}

function settle(response: AxiosResponse): AxiosResponse {
  const { validateStatus } = response.config;
  if (!response.status || !validateStatus || validateStatus(response.status)) return response;
  throw new AxiosError(
    `Request failed with status code ${response.status}`,
    response.status >= 400 && response.status < 500
      ? AxiosError.ERR_BAD_REQUEST
      : AxiosError.ERR_BAD_RESPONSE,
    response.config,
    response.request,
    response,
  );
}

/**
 * An axios adapter that sends requests through undici's pools instead of `node:http`. The same axios API
 * (interceptors, `transformRequest`/`transformResponse`, `validateStatus`, `params`, `baseURL`) and the same
 * error shapes as axios' Node adapter: `ERR_CANCELED` on abort, the socket's code (`ECONNREFUSED`,
 * `ECONNRESET`, ...) on network errors, `error.response` on a status that fails `validateStatus`,
 * `maxContentLength size of N exceeded` past `maxContentLength`. Proxies and `onUploadProgress` /
 * `onDownloadProgress` are not supported.
 */
export function createUndiciAdapter(options: UndiciAdapterOptions = {}): UndiciAdapter {
  const owned =
    options.dispatcher === undefined
      ? new Agent({ keepAliveTimeout: UNDICI_ADAPTER_DEFAULTS.keepAliveTimeoutMs })
      : undefined;
  const dispatcher =
    options.dispatcher ?? (owned as Agent).compose(interceptors.redirect({ maxRedirections: 0 }));
  let closed = false;

  async function send(config: InternalAxiosRequestConfig): Promise<AxiosResponse> {
    const signal = config.signal as AbortSignal | undefined;
    if (signal?.aborted === true) throw canceled(config);
    const fullPath = buildFullPath(config.baseURL, config.url, config.allowAbsoluteUrls);
    // As axios' Node adapter: the URL without params is parsed, then params go onto its path.
    const url = new URL(fullPath);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new AxiosError(`Unsupported protocol ${url.protocol}`, AxiosError.ERR_BAD_REQUEST, config);
    }
    const body = bodyOf(config.data);
    const maxBodyLength = config.maxBodyLength ?? -1;
    if (
      maxBodyLength > -1 &&
      (typeof body === 'string' ? Buffer.byteLength(body) : body instanceof Uint8Array ? body.length : 0) >
        maxBodyLength
    ) {
      throw new AxiosError(
        'Request body larger than maxBodyLength limit',
        AxiosError.ERR_BAD_REQUEST,
        config,
      );
    }
    const method = (config.method ?? 'get').toUpperCase() as Dispatcher.HttpMethod;
    const timeout = config.timeout ?? 0;
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    let requestSignal: AbortSignal | undefined = signal;
    let forward: (() => void) | undefined;
    if (timeout > 0) {
      const controller = new AbortController();
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, timeout);
      forward = () => controller.abort();
      signal?.addEventListener('abort', forward, { once: true });
      requestSignal = controller.signal;
    }
    try {
      const answer = await dispatcher.request({
        origin: url.origin,
        path: buildURL(`${url.pathname}${url.search}`, config.params, config.paramsSerializer),
        method,
        headers: headersOf(config),
        body,
        ...(requestSignal === undefined ? {} : { signal: requestSignal }),
        // The caller's signal and `timeout` bound the attempt, as with axios' own adapter.
        headersTimeout: 0,
        bodyTimeout: 0,
        // Read by the redirect interceptor of the owned agent; a caller's dispatcher may have none.
        ...(owned === undefined
          ? {}
          : { maxRedirections: config.maxRedirects ?? UNDICI_ADAPTER_DEFAULTS.maxRedirects }),
      } as Dispatcher.RequestOptions);
      const headers = new AxiosHeaders(answer.headers as Record<string, string>);
      const response: AxiosResponse = {
        data: undefined,
        status: answer.statusCode,
        statusText: STATUS_CODES[answer.statusCode] ?? '',
        headers,
        config,
        request: undefined,
      };
      const stream = decoded(answer.body, answer.headers['content-encoding'], config);
      if (config.responseType === 'stream') {
        response.data = stream;
        return settle(response);
      }
      if (method === 'HEAD') {
        answer.body.resume();
        response.data = '';
        return settle(response);
      }
      const bytes = await readAll(stream, config);
      response.data =
        config.responseType === 'arraybuffer'
          ? bytes
          : bytes.toString((config.responseEncoding as BufferEncoding | undefined) ?? 'utf8');
      return settle(response);
    } catch (error) {
      if (timedOut) {
        const clarify = config.transitional?.clarifyTimeoutError === true;
        throw new AxiosError(
          config.timeoutErrorMessage ?? `timeout of ${timeout}ms exceeded`,
          clarify ? AxiosError.ETIMEDOUT : AxiosError.ECONNABORTED,
          config,
        );
      }
      throw toAxiosError(error, config);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      if (forward !== undefined) signal?.removeEventListener('abort', forward);
    }
  }

  return {
    adapter: send,
    close() {
      if (closed || owned === undefined) return;
      closed = true;
      owned.destroy().catch(() => undefined);
    },
  };
}
