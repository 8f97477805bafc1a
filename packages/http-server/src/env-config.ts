/**
 * Reading a service's configuration from environment variables, the same way in every service: each variable
 * declared once with its description and default, every invalid one reported at once (not just the first),
 * checks across variables, and a `--help` text made from the same declarations, so it cannot drift from what
 * is read.
 */

/** One invalid variable (or several, for a check across variables): which, and what to change. */
export interface ConfigProblem {
  /** The variable to change; for a check across variables, the names joined by `, `. */
  readonly variable: string;
  readonly message: string;
}

/**
 * Thrown by {@link EnvReader.finish} when any variable is invalid. The message lists every problem, so one
 * failed start shows all that needs fixing.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'ERR_INVALID_CONFIG';
  readonly problems: readonly ConfigProblem[];

  constructor(service: string, problems: readonly ConfigProblem[]) {
    const lines = problems.map((p) => `  - ${p.variable}: ${p.message}`);
    super(
      `Invalid ${service} configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`,
    );
    this.problems = Object.freeze([...problems]);
  }
}

export function isConfigError(error: unknown): error is ConfigError {
  return error instanceof ConfigError;
}

/** What every variable declares. */
export interface VariableSpec<T> {
  /** One line for `--help`: what the variable sets. */
  readonly description: string;
  /** The value when the variable is unset or blank (also the value returned when it is invalid). */
  readonly default: T;
  /** How `--help` shows the default, when `String(default)` would not say it well (a derived default). */
  readonly defaultText?: string;
}

/** A variable as `--help` lists it. */
export interface DescribedVariable {
  readonly name: string;
  readonly description: string;
  /** The accepted form, e.g. `an integer from 0 to 65535`. */
  readonly accepted: string;
  /** The default as shown, or `(unset)`. */
  readonly defaultText: string;
}

export interface IntegerSpec extends VariableSpec<number> {
  readonly min: number;
  readonly max: number;
}

export interface StringSpec<T extends string | undefined> extends VariableSpec<T> {
  /** The whole value must match (after trimming). */
  readonly pattern?: RegExp;
  /** The accepted form in words, for the message and `--help`. @default 'any text' */
  readonly accepted?: string;
  /** Never quote the value in a message (tokens, keys). @default false */
  readonly secret?: boolean;
}

export interface OneOfSpec<T extends string> extends VariableSpec<T> {
  readonly values: readonly T[];
}

export interface CustomSpec<T> extends VariableSpec<T> {
  /** The accepted form in words, for `--help`. */
  readonly accepted: string;
  /**
   * Turns the trimmed, non-empty value into the setting; returns a {@link Refusal} (`refuse('why')`) when the
   * value is invalid.
   */
  readonly parse: (raw: string) => T | Refusal;
}

const REFUSAL = Symbol('refusal');

/** What a custom parser returns for an invalid value. */
export interface Refusal {
  readonly [REFUSAL]: true;
  readonly message: string;
}

/** A custom parser's answer for an invalid value: `message` says what is wrong and what to write instead. */
export function refuse(message: string): Refusal {
  return { [REFUSAL]: true, message };
}

function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && REFUSAL in value;
}

/**
 * Reads variables from one environment. Each method returns the variable's value, or its default when unset,
 * blank or invalid (an invalid value is recorded as a problem). {@link EnvReader.finish} throws a {@link ConfigError}
 * with every problem at once.
 */
export interface EnvReader {
  integer(name: string, spec: IntegerSpec): number;
  string<T extends string | undefined>(name: string, spec: StringSpec<T>): string | T;
  oneOf<T extends string>(name: string, spec: OneOfSpec<T>): T;
  /** `true`/`false`, also `1`/`0`, any case. */
  boolean(name: string, spec: VariableSpec<boolean>): boolean;
  custom<T>(name: string, spec: CustomSpec<T>): T;
  /** Records a problem found across variables (e.g. a timeout longer than the deadline that contains it). */
  problem(variables: readonly string[], message: string): void;
  /** Whether a variable was refused (so a check across variables can skip what is already reported). */
  refused(name: string): boolean;
  /** The variables read so far, in order, for `--help`. */
  readonly variables: readonly DescribedVariable[];
  /** Throws a {@link ConfigError} listing every problem, if there is any. */
  finish(): void;
}

const MAX_INTEGER_DIGITS = 16;

/** Creates a reader of `env` for the service named `service` (the name goes into the error message). */
export function createEnvReader(
  service: string,
  env: Readonly<Record<string, string | undefined>>,
): EnvReader {
  const problems: ConfigProblem[] = [];
  const refusedNames = new Set<string>();
  const variables: DescribedVariable[] = [];

  const describe = (name: string, spec: VariableSpec<unknown>, accepted: string): void => {
    if (variables.some((variable) => variable.name === name)) return;
    const shown =
      spec.defaultText ??
      (spec.default === undefined || spec.default === '' ? '(unset)' : String(spec.default));
    variables.push({ name, description: spec.description, accepted, defaultText: shown });
  };
  const raw = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const refuseValue = <T>(name: string, message: string, fallback: T): T => {
    problems.push({ variable: name, message });
    refusedNames.add(name);
    return fallback;
  };

  return {
    integer(name, spec) {
      const accepted = `an integer from ${spec.min} to ${spec.max}`;
      describe(name, spec, accepted);
      const value = raw(name);
      if (value === undefined) return spec.default;
      const parsed = /^\d+$/.test(value) && value.length <= MAX_INTEGER_DIGITS ? Number(value) : Number.NaN;
      if (!Number.isSafeInteger(parsed) || parsed < spec.min || parsed > spec.max) {
        return refuseValue(name, `expected ${accepted}, got ${JSON.stringify(value)}`, spec.default);
      }
      return parsed;
    },
    string(name, spec) {
      const accepted = spec.accepted ?? 'any text';
      describe(name, spec, accepted);
      const value = raw(name);
      if (value === undefined) return spec.default;
      if (spec.pattern !== undefined && !spec.pattern.test(value)) {
        const shown = spec.secret === true ? '' : `, got ${JSON.stringify(value)}`;
        return refuseValue(name, `expected ${accepted}${shown}`, spec.default);
      }
      return value;
    },
    oneOf(name, spec) {
      const accepted = `one of ${spec.values.join(', ')}`;
      describe(name, spec, accepted);
      const value = raw(name);
      if (value === undefined) return spec.default;
      const found = spec.values.find((candidate) => candidate === value.toLowerCase());
      if (found === undefined)
        return refuseValue(name, `expected ${accepted}, got ${JSON.stringify(value)}`, spec.default);
      return found;
    },
    boolean(name, spec) {
      const accepted = 'true or false (or 1 or 0)';
      describe(name, spec, accepted);
      const value = raw(name)?.toLowerCase();
      if (value === undefined) return spec.default;
      if (value === 'true' || value === '1') return true;
      if (value === 'false' || value === '0') return false;
      return refuseValue(name, `expected ${accepted}, got ${JSON.stringify(raw(name))}`, spec.default);
    },
    custom(name, spec) {
      describe(name, spec, spec.accepted);
      const value = raw(name);
      if (value === undefined) return spec.default;
      const parsed = spec.parse(value);
      if (isRefusal(parsed)) return refuseValue(name, parsed.message, spec.default);
      return parsed;
    },
    problem(names, message) {
      problems.push({ variable: names.join(', '), message });
    },
    refused(name) {
      return refusedNames.has(name);
    },
    variables,
    finish() {
      if (problems.length > 0) throw new ConfigError(service, problems);
    },
  };
}

/** The `--help` text of a service: a usage line, then every variable with its accepted form and default. */
export function formatConfigHelp(options: {
  readonly usage: string;
  readonly summary: string;
  readonly variables: readonly DescribedVariable[];
}): string {
  const width = Math.max(...options.variables.map((variable) => variable.name.length));
  const lines = options.variables.map(
    (variable) =>
      `  ${variable.name.padEnd(width)}  ${variable.description}\n  ${' '.repeat(width)}  ${variable.accepted}; default: ${variable.defaultText}`,
  );
  return `${options.usage}\n\n${options.summary}\n\nEnvironment variables (unset or empty takes the default):\n${lines.join('\n')}\n`;
}
