// The run config: docs/model.md §7 in one place. Every knob is declared once here (CleanRL style):
// its type, default, allowed range, one line of help and its text syntax. The command line's flags
// and --help and the dashboard's config panel are derived from that declaration, and the command
// line, the panel, the URL hash and the tests all go through `parseConfig`.
import { z } from 'zod';

// Zod compiles fast parsers with `new Function` unless told not to; the dashboard's CSP forbids
// eval, and a config is parsed once per run, so the interpreter is plenty.
z.config({ jitless: true });

export const REWARDS = ['rlvr', 'rlif-self-certainty', 'rlif-certainty', 'rlif-entropy', 'rlif-majority'] as const;
export const ESTIMATORS = ['expected', 'reinforce', 'rloo', 'grpo'] as const;
export const SCALES = ['group', 'batch', 'none'] as const;
export const OPTIMIZERS = ['sgd', 'adam'] as const;
export const POLICIES = ['tabular', 'shared', 'tokens'] as const;
export const ANSWER_MODES = ['frozen', 'trainable'] as const;

export type Estimator = (typeof ESTIMATORS)[number];

export const MAX_STEPS = 10_000_000;
const MAX_SEED = 2 ** 32 - 1;
/** Tolerance on distributions that must sum to 1 (`init`, `sft.target`). */
export const SUM_TOLERANCE = 1e-6;

/** The token tree's bounds (docs/model.md §9): K = b^c <= 1,024, L <= 256, V <= 16; c <= 10 follows from K with b >= 2. */
export const TREE_LIMITS = { length: 256, forks: 10, patterns: 1024, vocab: 16 } as const;
/** The tree fields' values under `policy: "tokens"` when not given. */
export const TREE_DEFAULTS = { length: 40, forks: 2, branching: 4, vocab: 4, fillerDecay: 0.3 } as const;
export const TREE_FIELDS = Object.keys(TREE_DEFAULTS) as (keyof typeof TREE_DEFAULTS)[];

/** Thrown for any invalid config; `message` names the field and the allowed range. */
export class ConfigError extends Error {
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = 'ConfigError';
  }
}

// Each builder attaches one message to every way a value can fail, so the error always states the range.
const intIn = (lo: number, hi: number) => {
  const error = `must be an integer in ${lo}..${hi}`;
  return z.number({ error }).int({ error }).min(lo, { error }).max(hi, { error });
};
const unit = () => {
  const error = 'must be a number in [0, 1]';
  return z.number({ error }).min(0, { error }).max(1, { error });
};
const positive = () => {
  const error = 'must be a finite number > 0';
  return z.number({ error }).gt(0, { error });
};
const nonNegative = () => {
  const error = 'must be a finite number >= 0';
  return z.number({ error }).min(0, { error });
};
const decay = () => {
  const error = 'must be a number in (0, 1]';
  return z.number({ error }).gt(0, { error }).max(1, { error });
};
/** The tilted uniform law's lambda: e^50 keeps every draw well inside float64. */
const MAX_TILT = 50;
const tilt = () => {
  const error = `must be a finite number in [-${MAX_TILT}, ${MAX_TILT}] (lambda of the tilted uniform law)`;
  return z.number({ error }).min(-MAX_TILT, { error }).max(MAX_TILT, { error });
};
const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.map((v) => `"${v}"`).join(', ')}` });
const list = <T extends z.ZodTypeAny>(item: T, what: string) => z.array(item, { error: `must be an array of ${what}` });
const positiveOrList = () => z.union([positive(), list(positive(), 'K numbers > 0')], { error: 'must be a number > 0 or K such numbers' });

/** How a field is written as text, in a command-line flag or a dashboard input (see fields.ts). */
export type Syntax = 'number' | 'list' | 'numberOrList' | 'json' | 'choice';

/** A field of the run config: its type, and what the command line and the dashboard show of it. */
interface FieldSpec<T extends z.ZodType> {
  type: T;
  syntax: Syntax;
  /** One line: the command line's --help and the dashboard's config panel show it. */
  help: string;
  /** What an empty input stands for, for a field without a default value. */
  placeholder?: string;
}

const field = <T extends z.ZodType>(type: T, meta: Omit<FieldSpec<T>, 'type'>): FieldSpec<T> => ({ type, ...meta });

/** Every field of one run, in the order of docs/model.md §7. */
export const FIELD_SPECS = {
  /** N, the number of tasks (questions); the upper bound is the device's buffer limits. */
  tasks: field(intIn(1, 2 ** 31).default(4096), { syntax: 'number', help: 'N, tasks (questions)' }),
  /** K, reasoning patterns per task; when not given, the length of the K-vectors given (else 4). */
  patterns: field(intIn(2, 16384).default(4), { syntax: 'number', help: 'K, reasoning patterns; when not given, the length of the vectors given, else 4' }),
  /** A, answers per task; answer 0 is the correct one. */
  answers: field(intIn(2, 64).default(8), { syntax: 'number', help: 'A, answers per task; answer 0 is correct' }),
  /** G, rollouts per task per step (ignored by `estimator: "expected"`). */
  group: field(intIn(1, 256).default(8), { syntax: 'number', help: 'G, rollouts per task per step' }),
  steps: field(intIn(1, MAX_STEPS).default(1000), { syntax: 'number', help: 'RL steps' }),
  /** Same seed, config and adapter give identical metrics. */
  seed: field(intIn(0, MAX_SEED).default(1), { syntax: 'number', help: '32-bit seed' }),
  /** Default: evenly spaced from 0.8 down to 0.2. */
  successRates: field(list(unit(), 'K numbers in [0, 1]').optional(), {
    syntax: 'list',
    help: 'K success rates, shared by all tasks',
    placeholder: 'evenly spaced 0.8 … 0.2',
  }),
  /** Instead of successRates: per-task draws s[i,k] ~ Beta(alpha_k, beta_k); one number stands for every pattern. */
  successBeta: field(
    z
      .object(
        { alpha: positiveOrList(), beta: positiveOrList() },
        { error: 'must be an object { "alpha": a number > 0 or K such numbers, "beta": the same }' },
      )
      .strict()
      .optional(),
    { syntax: 'json', help: 'instead: per-task Beta draws {"alpha":x or [K],"beta":x or [K]} ({"alpha":1,"beta":1} is U[0,1])', placeholder: 'none' },
  ),
  /**
   * Instead of successRates: per-task draws from the tilted uniform law, density
   * lambda e^(lambda s) / (e^lambda - 1) on [0, 1] (0 is U[0, 1]; a small lambda > 0 favours a*: Theorem 5.6's margin reading).
   */
  successTilt: field(tilt().optional(), {
    syntax: 'number',
    help: 'instead: per-task draws from the tilted uniform law of lambda (density ∝ e^(lambda s) on [0,1]; 0 is U[0,1]), |lambda| <= 50',
    placeholder: 'none',
  }),
  /** Ratio of the geometric spread of the wrong answers: one number or K numbers in (0, 1]. */
  wrongDecay: field(z.union([decay(), list(decay(), 'K numbers in (0, 1]')], { error: 'must be a number in (0, 1] or K such numbers' }).default(0.5), {
    syntax: 'numberOrList',
    help: 'geometric ratio of the wrong answers: one number or K',
  }),
  /** Initial pattern probabilities pi0 (default uniform). */
  init: field(list(positive(), 'K numbers > 0').optional(), { syntax: 'list', help: 'initial pattern probabilities (sum to 1)', placeholder: 'uniform' }),
  /** "tabular": logits per task; "shared": one logit vector for all tasks. */
  policy: field(oneOf(POLICIES).default('tabular'), { syntax: 'choice', help: 'logits per task, one shared vector, or a token tree per task (docs/model.md §9)' }),
  // The token tree of docs/model.md §9, with `policy: "tokens"` only: undefined otherwise, filled
  // with TREE_DEFAULTS under it (parseConfig), so other policies' configs stay as they were.
  /** L, token positions of a response. */
  length: field(intIn(1, TREE_LIMITS.length).optional(), { syntax: 'number', help: `tokens: L, positions per response (1..${TREE_LIMITS.length})`, placeholder: '40' }),
  /** c, fork positions (the pattern's choices), spread evenly over the response. */
  forks: field(intIn(1, TREE_LIMITS.forks).optional(), { syntax: 'number', help: `tokens: c, fork positions (1..${TREE_LIMITS.forks}, at most L)`, placeholder: '2' }),
  /** b, choices at a fork: K = b^c patterns. */
  branching: field(intIn(2, TREE_LIMITS.patterns).optional(), { syntax: 'number', help: `tokens: b, choices per fork (K = b^c <= ${TREE_LIMITS.patterns})`, placeholder: '4' }),
  /** V, equivalent alternatives at a filler position. */
  vocab: field(intIn(1, TREE_LIMITS.vocab).optional(), { syntax: 'number', help: `tokens: V, alternatives per filler position (1..${TREE_LIMITS.vocab})`, placeholder: '4' }),
  /** Filler nodes start at pi(v) ∝ fillerDecay^v. */
  fillerDecay: field(decay().optional(), { syntax: 'number', help: 'tokens: initial filler distribution ∝ fillerDecay^v, in (0, 1]', placeholder: '0.3' }),
  /** "frozen": answer distributions fixed; "trainable": answer logits learn too. */
  answerMode: field(oneOf(ANSWER_MODES).default('frozen'), { syntax: 'choice', help: 'answer distributions frozen or trainable' }),
  /** rlif-self-certainty is the paper's RLIF reward; the other rlif-* are patternflow's extensions (docs/model.md §3.2). */
  reward: field(oneOf(REWARDS).default('rlvr'), {
    syntax: 'choice',
    help: "rlvr: the verifier; rlif-self-certainty (the paper's): log A + KL(uniform || answer distribution), >= log A; rlif-certainty: probability of its own answer; rlif-entropy: negative normalised entropy; rlif-majority: agreement with the group's majority",
  }),
  tpr: field(unit().default(1), { syntax: 'number', help: 'noisy verifier: P(reward | correct)' }),
  fpr: field(unit().default(0), { syntax: 'number', help: 'noisy verifier: P(reward | wrong)' }),
  /** "expected" is the exact gradient flow of the paper's theorems. */
  estimator: field(oneOf(ESTIMATORS).default('grpo'), { syntax: 'choice', help: 'advantage estimator; expected = exact gradient flow' }),
  /** "none" is Dr. GRPO. */
  scale: field(oneOf(SCALES).default('group'), { syntax: 'choice', help: 'GRPO std: group, batch or none' }),
  /** Adam is bias-corrected, with beta1 0.9, beta2 0.999, eps 1e-8. */
  optimizer: field(oneOf(OPTIMIZERS).default('sgd'), { syntax: 'choice', help: 'sgd or adam' }),
  lr: field(positive().default(0.1), { syntax: 'number', help: 'learning rate' }),
  /** pi_ref is the policy at the start of RL. */
  klCoef: field(nonNegative().default(0), { syntax: 'number', help: 'KL coefficient towards π_ref' }),
  entropyCoef: field(nonNegative().default(0), { syntax: 'number', help: 'entropy bonus' }),
  /** Cross-entropy steps towards `target`. */
  sft: field(
    z
      .object(
        { steps: intIn(0, MAX_STEPS), lr: positive(), target: list(nonNegative(), 'K numbers >= 0') },
        { error: 'must be an object { "steps": S, "lr": x, "target": [K] }' },
      )
      .strict()
      .optional(),
    { syntax: 'json', help: 'SFT before RL: {"steps":S,"lr":x,"target":[K]}', placeholder: 'none' },
  ),
  passK: field(
    list(intIn(1, 4096), 'integers in 1..4096').min(1, { error: 'must list 1 to 16 integers in 1..4096' }).max(16, { error: 'must list 1 to 16 integers in 1..4096' }).default([1, 8, 64]),
    { syntax: 'list', help: 'k values for pass@k' },
  ),
};

type Specs = typeof FIELD_SPECS;
const schema = z.object(Object.fromEntries(Object.entries(FIELD_SPECS).map(([f, s]) => [f, s.type])) as { [F in keyof Specs]: Specs[F]['type'] }).strict();

export type ConfigInput = z.input<typeof schema>;
export type Field = keyof ConfigInput;
type Parsed = z.output<typeof schema>;

/**
 * A validated config with every default filled in. Vectors have length `patterns`; `successBeta`
 * is kept as given (a number stands for every pattern).
 */
export interface Config extends Omit<Parsed, 'wrongDecay' | 'init' | 'successRates'> {
  successRates?: number[];
  wrongDecay: number[];
  init: number[];
}

export const FIELDS = Object.keys(FIELD_SPECS) as Field[];

/** Default success rates for K patterns: evenly spaced from 0.8 to 0.2 ([0.8, 0.6, 0.4, 0.2] for K = 4). */
export function defaultSuccessRates(k: number): number[] {
  return Array.from({ length: k }, (_, j) => round12(0.8 - (0.6 * j) / (k - 1)));
}

const round12 = (x: number) => Math.round(x * 1e12) / 1e12;

function fieldName(path: readonly PropertyKey[]): string {
  return path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${String(p)}` : String(p)), '');
}

function firstIssue(error: z.ZodError): ConfigError {
  const issue = error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const where = fieldName(issue.path);
    const allowed = where === '' ? FIELDS.join(', ') : where === 'sft' ? 'steps, lr, target' : 'alpha, beta';
    // A hostile key can be megabytes long: the message quotes at most 60 characters of it.
    const key = issue.keys[0].length > 60 ? `${issue.keys[0].slice(0, 60)}...` : issue.keys[0];
    return new ConfigError(where ? `${where}.${key}` : key, `unknown field (allowed: ${allowed})`);
  }
  return new ConfigError(fieldName(issue.path) || 'config', issue.message);
}

function checkLength(field: string, v: readonly unknown[], k: number) {
  if (v.length !== k) throw new ConfigError(field, `must have ${k} entries (one per pattern), got ${v.length}`);
}

function checkSum(field: string, v: readonly number[]) {
  const sum = v.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > SUM_TOLERANCE) throw new ConfigError(field, `must sum to 1 (within ${SUM_TOLERANCE}), got ${sum}`);
}

/** The per-pattern vectors a config gives (a single number is not one), in the order of docs/model.md §7. */
function patternVectors(c: Parsed): [string, readonly unknown[]][] {
  const vectors: [string, unknown][] = [
    ['successRates', c.successRates],
    ['successBeta.alpha', c.successBeta?.alpha],
    ['successBeta.beta', c.successBeta?.beta],
    ['wrongDecay', c.wrongDecay],
    ['init', c.init],
    ['sft.target', c.sft?.target],
  ];
  return vectors.filter((v): v is [string, readonly unknown[]] => Array.isArray(v[1]));
}

/**
 * K: `patterns` when the input gives it, else the length shared by the vectors given (the
 * default when there are none). Every vector must have K entries; messages give lengths, never
 * values, which can be 16,384 numbers long.
 */
function patternCount(c: Parsed, given: boolean): number {
  const vectors = patternVectors(c);
  if (given || vectors.length === 0) {
    for (const [field, v] of vectors) checkLength(field, v, c.patterns);
    return c.patterns;
  }
  const [first, { length: k }] = vectors[0];
  for (const [field, v] of vectors.slice(1))
    if (v.length !== k) throw new ConfigError(field, `has ${v.length} entries but ${first} has ${k}: give every per-pattern vector K entries`);
  const range = FIELD_SPECS.patterns.type.safeParse(k);
  if (!range.success) throw new ConfigError(first, `has ${k} entries, and K (patterns) ${range.error.issues[0].message}`);
  return k;
}

/** Refuses tree fields given without `policy: "tokens"`. */
function noTreeFields(c: Parsed): undefined {
  const given = TREE_FIELDS.find((f) => c[f] !== undefined);
  if (given) throw new ConfigError(given, `is a field of the token tree: give it with policy "tokens" only (policy is "${c.policy}")`);
  return undefined;
}

/**
 * The tree of `policy: "tokens"` with defaults filled, and its K = b^c, checked against `patterns`
 * when given. The features without an exact tree gradient are refused (docs/model.md §9).
 */
function treeFields(c: Parsed, input: Record<string, unknown>) {
  const fields = { ...TREE_DEFAULTS, ...Object.fromEntries(TREE_FIELDS.filter((f) => c[f] !== undefined).map((f) => [f, c[f]])) };
  if (fields.forks > fields.length) throw new ConfigError('forks', `must be an integer in 1..${Math.min(TREE_LIMITS.forks, fields.length)} (at most length, ${fields.length})`);
  const patterns = fields.branching ** fields.forks;
  if (patterns > TREE_LIMITS.patterns)
    throw new ConfigError('branching', `branching^forks = ${fields.branching}^${fields.forks} = ${patterns} patterns, above the tree's limit of ${TREE_LIMITS.patterns}`);
  if (input.patterns !== undefined && c.patterns !== patterns)
    throw new ConfigError('patterns', `must equal branching^forks = ${patterns} with policy "tokens" (or be left out), got ${c.patterns}`);
  const refused: [boolean, string, string][] = [
    [c.klCoef > 0, 'klCoef', 'must be 0 with policy "tokens" (the tree has no KL penalty)'],
    [c.entropyCoef > 0, 'entropyCoef', 'must be 0 with policy "tokens" (the tree has no entropy bonus)'],
    [c.sft !== undefined, 'sft', 'is not available with policy "tokens" (the tree starts from init)'],
    [c.answerMode !== 'frozen', 'answerMode', 'must be "frozen" with policy "tokens" (answers follow the pattern, §1)'],
  ];
  for (const [bad, field, detail] of refused) if (bad) throw new ConfigError(field, detail);
  return { fields, patterns };
}

/** Validates `input` and fills the defaults. Throws ConfigError naming the field and its allowed range. */
export function parseConfig(input: unknown): Config {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ConfigError('config', 'must be a JSON object');
  const result = schema.safeParse(input);
  if (!result.success) throw firstIssue(result.error);
  const c = result.data;
  const sources = (['successRates', 'successBeta', 'successTilt'] as const).filter((f) => c[f] !== undefined);
  if (sources.length > 1) throw new ConfigError(sources[1], `give either successRates, successBeta or successTilt, not ${sources.join(' and ')}`);
  const tree = c.policy === 'tokens' ? treeFields(c, input as Record<string, unknown>) : noTreeFields(c);
  const k = patternCount(tree ? { ...c, patterns: tree.patterns } : c, (input as Record<string, unknown>).patterns !== undefined || tree !== undefined);
  if (c.init) checkSum('init', c.init);
  if (c.sft) checkSum('sft.target', c.sft.target);
  if (c.estimator !== 'expected' && c.group < 2)
    throw new ConfigError('group', `must be an integer in 2..256 for estimator "${c.estimator}" (sampled estimators need G >= 2)`);
  return {
    ...c,
    ...tree?.fields,
    patterns: k,
    successRates: c.successBeta || c.successTilt !== undefined ? undefined : (c.successRates ?? defaultSuccessRates(k)),
    wrongDecay: Array.isArray(c.wrongDecay) ? c.wrongDecay : Array<number>(k).fill(c.wrongDecay),
    init: c.init ?? Array<number>(k).fill(1 / k),
  };
}

/** The config as a plain JSON object (undefined fields dropped), as written into outputs and URLs. */
export function configToJSON(c: Config): Record<string, unknown> {
  return JSON.parse(JSON.stringify(c)) as Record<string, unknown>;
}
