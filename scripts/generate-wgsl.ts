// Writes shaders/generated/ from the TypeScript that states the facts WGSL shares (src/engine/generated-wgsl.ts).
import { writeFileSync } from 'node:fs';
import { generatedWgsl } from '../src/engine/generated-wgsl.ts';

for (const [name, text] of Object.entries(generatedWgsl())) writeFileSync(new URL(`../shaders/generated/${name}`, import.meta.url), text);
