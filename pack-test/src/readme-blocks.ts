/** A fenced code block of a README that the suite compiles and runs. */
export interface ReadmeBlock {
  /** 1-based index among the README's runnable blocks, for names of files and tests. */
  readonly index: number;
  /** Line of the opening fence (1-based). */
  readonly line: number;
  /** `ts` or `js`. */
  readonly language: 'ts' | 'js';
  readonly code: string;
  /** Set when the block opts out with `<!-- readme-test: skip reason="…" -->`. */
  readonly skipReason?: string;
}

const LANGUAGES: Readonly<Record<string, 'ts' | 'js'>> = {
  ts: 'ts',
  typescript: 'ts',
  mts: 'ts',
  js: 'js',
  javascript: 'js',
  mjs: 'js',
};

const MARKER = /^<!--\s*readme-test:\s*(.*?)\s*-->$/;
const SKIP = /^skip\s+reason="([^"]+)"$/;

/**
 * Every TypeScript and JavaScript block of a Markdown text (fences ```ts, ```typescript, ```mts, ```js,
 * ```javascript, ```mjs). A block opts out with the line `<!-- readme-test: skip reason="why" -->` right
 * above its fence (blank lines between are allowed); a marker without a reason, or one that names anything
 * else, throws, so a typo cannot silently skip or run a block.
 */
export function extractReadmeBlocks(markdown: string, source = 'README.md'): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  let pendingSkip: string | undefined;
  let pendingMarkerLine = 0;
  for (let i = 0; i < lines.length; i += 1) {
    const line = (lines[i] ?? '').trim();
    const marker = MARKER.exec(line);
    if (marker) {
      const skip = SKIP.exec(marker[1] ?? '');
      if (!skip?.[1]?.trim()) {
        throw new Error(
          `${source}:${i + 1}: a readme-test marker must read <!-- readme-test: skip reason="why" -->, got ${line}`,
        );
      }
      pendingSkip = skip[1].trim();
      pendingMarkerLine = i + 1;
      continue;
    }
    const fence = /^(`{3,}|~{3,})\s*([\w-]*)/.exec(line);
    if (!fence) {
      if (line !== '' && pendingSkip !== undefined) {
        throw new Error(
          `${source}:${pendingMarkerLine}: a readme-test marker must be followed by a code block`,
        );
      }
      continue;
    }
    const [, ticks = '```', info = ''] = fence;
    const end = lines.findIndex((candidate, j) => j > i && candidate.trim().startsWith(ticks));
    if (end === -1) throw new Error(`${source}:${i + 1}: code block is never closed`);
    const language = LANGUAGES[info.toLowerCase()];
    if (language !== undefined) {
      const block: ReadmeBlock = {
        index: blocks.length + 1,
        line: i + 1,
        language,
        code: `${lines.slice(i + 1, end).join('\n')}\n`,
        ...(pendingSkip === undefined ? {} : { skipReason: pendingSkip }),
      };
      blocks.push(block);
    } else if (pendingSkip !== undefined) {
      throw new Error(
        `${source}:${pendingMarkerLine}: a readme-test marker above a ${info || 'plain'} block`,
      );
    }
    pendingSkip = undefined;
    i = end;
  }
  if (pendingSkip !== undefined) {
    throw new Error(`${source}:${pendingMarkerLine}: a readme-test marker must be followed by a code block`);
  }
  return blocks;
}
