// The whole run config in the URL hash (`#config=<encodeURIComponent(JSON)>`, then `&logEvery=n`
// when not every step is logged), so that a link reproduces a run exactly. Every way a hash can be
// wrong becomes a ConfigError with a readable message.
import { EVERY_STEP, logRuleFrom, type LogRule } from '../model/cadence';
import { ConfigError, configToJSON, parseConfig, type Config } from '../model/config';

const PREFIX = '#config=';
const LOG_EVERY = '&logEvery=';

/** A run as a link: its config and which steps it logs (the dashboard logs every n-th step, n >= 1). */
export interface LinkedRun {
  config: Config;
  log: LogRule;
}

export function configHash(c: Config, log: LogRule = EVERY_STEP): string {
  const every = 'every' in log && log.every > 1 ? `${LOG_EVERY}${log.every}` : '';
  return PREFIX + encodeURIComponent(JSON.stringify(configToJSON(c))) + every;
}

/** The run in `hash`, or undefined when the hash is empty. Throws ConfigError when it is malformed. */
export function configFromHash(hash: string): LinkedRun | undefined {
  if (hash === '' || hash === '#') return undefined;
  if (!hash.startsWith(PREFIX)) throw new ConfigError('URL', `the address ends in "${hash.slice(0, 40)}", expected #config= followed by a JSON run config`);
  const [configPart, everyPart] = hash.slice(PREFIX.length).split(LOG_EVERY);
  const log = everyPart === undefined ? EVERY_STEP : logRuleFrom({ logEvery: Number(everyPart) });
  let text: string;
  try {
    text = decodeURIComponent(configPart);
  } catch {
    throw new ConfigError('URL', 'the #config= part is not valid percent-encoding');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ConfigError('URL', `the #config= part is not JSON (${(e as Error).message})`);
  }
  return { config: parseConfig(value), log };
}
