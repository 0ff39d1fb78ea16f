// The sweep spec in the page's address (`sweep.html#spec=<encodeURIComponent(JSON)>`), so a link
// reruns the sweep exactly. Every way a hash can be wrong becomes a ConfigError with a readable message.
import { ConfigError } from '../model/config';
import type { SpecInput } from '../sweep/spec';

const PREFIX = '#spec=';

export const specHash = (spec: SpecInput | unknown): string => PREFIX + encodeURIComponent(JSON.stringify(spec));

/** The spec in `hash` as JSON (not yet validated), or undefined when the hash is empty. Throws ConfigError when it is malformed. */
export function specFromHash(hash: string): unknown {
  if (hash === '' || hash === '#') return undefined;
  if (!hash.startsWith(PREFIX)) throw new ConfigError('URL', `the address ends in "${hash.slice(0, 40)}", expected #spec= followed by a JSON sweep spec`);
  let text: string;
  try {
    text = decodeURIComponent(hash.slice(PREFIX.length));
  } catch {
    throw new ConfigError('URL', 'the #spec= part is not valid percent-encoding');
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError('URL', `the #spec= part is not JSON (${(e as Error).message})`);
  }
}
