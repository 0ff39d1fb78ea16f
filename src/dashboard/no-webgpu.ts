// What the dashboard shows without WebGPU: why, how to enable it, and the float64 reference instead.
import { html, type TemplateResult } from 'lit';
import { REFERENCE_MAX_ROLLOUTS } from '../ui/platform';

export function renderNoWebGpu(reason: string, useReference: () => void): TemplateResult {
  return html`<section class="no-webgpu card" data-testid="no-webgpu">
    <h1>patternflow needs WebGPU, and this browser has none</h1>
    <p data-testid="no-webgpu-reason">${reason}</p>
    <h2>How to enable it</h2>
    <ul>
      <li><b>Chrome, Edge</b> (113+): WebGPU is on by default on Windows, macOS and ChromeOS. On Linux, open <code>chrome://flags/#enable-unsafe-webgpu</code>, enable it and restart, or start the browser with <code>--enable-unsafe-webgpu --enable-features=Vulkan</code>.</li>
      <li><b>Firefox</b> (141+ on Windows): on by default; elsewhere set <code>dom.webgpu.enabled</code> to true in <code>about:config</code>.</li>
      <li><b>Safari</b> (26+): on by default; on older versions enable WebGPU under Develop → Feature Flags.</li>
      <li>Check <code>chrome://gpu</code>: a blocklisted GPU or driver also switches WebGPU off. Without a GPU, Chrome can still run WebGPU on SwiftShader (its CPU Vulkan driver) with the flags above.</li>
    </ul>
    <h2>Or run on the CPU</h2>
    <p>The float64 reference (CPU) is the same model computed in JavaScript in double precision, for small configs (at most ${REFERENCE_MAX_ROLLOUTS} rollouts per step).</p>
    <button class="primary" data-testid="use-reference" @click=${useReference}>Use the float64 reference (CPU)</button>
  </section>`;
}
