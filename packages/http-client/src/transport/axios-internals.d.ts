// axios exports these helpers (its `./unsafe/*` entry) without type declarations.
declare module 'axios/unsafe/core/buildFullPath.js' {
  export default function buildFullPath(
    baseURL: string | undefined,
    requestedURL: string | undefined,
    allowAbsoluteUrls?: boolean,
  ): string;
}
declare module 'axios/unsafe/helpers/buildURL.js' {
  export default function buildURL(url: string, params?: unknown, options?: unknown): string;
}
