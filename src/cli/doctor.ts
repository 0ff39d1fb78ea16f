// `patternflow doctor`: which WebGPU adapters this machine has for the command line, which one
// a command would use, and why the others are skipped. Also the --adapter option of the commands
// that open a device (bin/patternflow.js reads it before they start: see src/node/adapter-choice.ts).
import { Command, Option } from 'commander';
import { adapterLine } from '../engine/adapter';
import { ADAPTER_ENV, ADAPTER_KINDS, ADAPTER_REQUESTS, chooseAdapter, requestedAdapter, type Choice } from '../node/adapter-choice';

export const adapterOption = () =>
  new Option('--adapter <kind>', `WebGPU adapter: ${ADAPTER_KINDS.join(', ')}, or auto, the first of them available (default: ${ADAPTER_ENV} or auto; patternflow doctor lists them)`).choices(
    ADAPTER_REQUESTS,
  );

export function doctorText(choice: Choice): string {
  const width = Math.max(...ADAPTER_KINDS.map((k) => k.length));
  const lines = [
    `WebGPU adapters for Dawn, best first (${ADAPTER_ENV} or --adapter picks one):`,
    ...choice.probes.map((p) => `  ${p.kind.padEnd(width)}  ${p.adapter ? `available: ${adapterLine(p.adapter)}` : `skipped: ${p.skipped}`}`),
  ];
  if (choice.chosen) {
    const why = choice.requested === 'auto' ? 'the first available' : `asked for by ${choice.source}`;
    lines.push(`would use: ${choice.chosen.kind} (${why})`);
  } else lines.push(`would use: none: ${choice.error}`);
  return `${lines.join('\n')}\n`;
}

export function doctorCommand(): Command {
  return new Command('doctor')
    .description('list the WebGPU adapters (a GPU, lavapipe, SwiftShader), which one the commands would use, and why the others are skipped')
    .addOption(adapterOption())
    .action(() => {
      const req = requestedAdapter(process.argv, process.env);
      if (req.error) throw new Error(req.error);
      const choice = chooseAdapter(req.requested, process.env, { source: req.source, survey: true });
      process.stdout.write(doctorText(choice));
      if (!choice.chosen) process.exitCode = 1;
    });
}
