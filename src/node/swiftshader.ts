// Dawn (npm `webgpu`) needs a Vulkan loader and driver. On machines without a GPU, the Chromium
// the tests use ships both in one directory: SwiftShader, whose ICD manifest names its library
// relative to itself ("./libvk_swiftshader.so"), and libvulkan.so.1, which Dawn opens by name.
// This points Dawn at them, but only when the system has no Vulkan driver of its own (a real GPU
// always wins).
import { existsSync, readdirSync } from 'node:fs';
import { browserCandidates, findBrowser } from './browser.ts'; // with its extension, which Vite's native config loader needs

const SYSTEM_ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

function hasSystemVulkanDriver(): boolean {
  return SYSTEM_ICD_DIRS.some((d) => existsSync(d) && readdirSync(d).some((f) => f.endsWith('.json')));
}

/** Variables to add to `env` so Dawn finds SwiftShader, or {} when not needed or not available. */
export function swiftShaderEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  if (env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES || hasSystemVulkanDriver()) return {};
  const dir = findBrowser(browserCandidates(env))?.dir;
  const icd = `${dir}/vk_swiftshader_icd.json`;
  if (!dir || !existsSync(icd)) return {};
  // The manifest's relative path finds the driver (so would LD_LIBRARY_PATH, were it named without one); LD_LIBRARY_PATH finds the loader.
  return { VK_ICD_FILENAMES: icd, LD_LIBRARY_PATH: env.LD_LIBRARY_PATH ? `${dir}:${env.LD_LIBRARY_PATH}` : dir };
}
