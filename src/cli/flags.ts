// Config fields as command-line flags (`--tasks 1000000 --init 0.97,0.01,0.01,0.01`): each
// flag's text is turned into the JSON value the schema expects; the schema does the checking.
import { ConfigError, FIELDS, type ConfigInput } from '../model/config';

type Kind = 'number' | 'list' | 'numberOrList' | 'json' | 'string';

const KINDS: Record<keyof ConfigInput, Kind> = {
  tasks: 'number',
  patterns: 'number',
  answers: 'number',
  group: 'number',
  steps: 'number',
  seed: 'number',
  successRates: 'list',
  successBeta: 'json',
  wrongDecay: 'numberOrList',
  init: 'list',
  policy: 'string',
  answerMode: 'string',
  reward: 'string',
  tpr: 'number',
  fpr: 'number',
  estimator: 'string',
  scale: 'string',
  optimizer: 'string',
  lr: 'number',
  klCoef: 'number',
  entropyCoef: 'number',
  sft: 'json',
  passK: 'list',
};

export const FLAG_HELP: Record<Kind, string> = {
  number: '<n>',
  list: '<a,b,...>',
  numberOrList: '<x|a,b,...>',
  json: '<json>',
  string: '<name>',
};

export const fieldKind = (field: keyof ConfigInput): Kind => KINDS[field];

// A number flag keeps its text when it is not a number, so the schema's message names the field.
const num = (text: string): unknown => (text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text);

export function flagValue(field: keyof ConfigInput, text: string): unknown {
  switch (KINDS[field]) {
    case 'number':
      return num(text);
    case 'list':
      return text.split(',').map(num);
    case 'numberOrList':
      return text.includes(',') ? text.split(',').map(num) : num(text);
    case 'json':
      try {
        return JSON.parse(text);
      } catch {
        throw new ConfigError(field, `must be JSON, e.g. ${field === 'sft' ? '\'{"steps":100,"lr":0.5,"target":[1,0,0,0]}\'' : '\'{"alpha":[2,2,2,2],"beta":[2,2,2,2]}\''}`);
      }
    case 'string':
      return text;
  }
}

export { FIELDS };
