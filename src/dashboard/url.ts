// The whole run config in the URL hash (`#config=<encodeURIComponent(JSON)>`), so that a link
// reproduces a run exactly. Every way a hash can be wrong becomes a ConfigError with a readable message.
import { ConfigError, configToJSON, parseConfig, type Config } from '../model/config';

const PREFIX = '#config=';

export function configHash(c: Config): string {
  return PREFIX + encodeURIComponent(JSON.stringify(configToJSON(c)));
}

/** The config in `hash`, or undefined when the hash is empty. Throws ConfigError when it is malformed. */
export function configFromHash(hash: string): Config | undefined {
  if (hash === '' || hash === '#') return undefined;
  if (!hash.startsWith(PREFIX)) throw new ConfigError('URL', `the address ends in "${hash.slice(0, 40)}", expected #config= followed by a JSON run config`);
  let text: string;
  try {
    text = decodeURIComponent(hash.slice(PREFIX.length));
  } catch {
    throw new ConfigError('URL', 'the #config= part is not valid percent-encoding');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ConfigError('URL', `the #config= part is not JSON (${(e as Error).message})`);
  }
  return parseConfig(value);
}
