// Dawn (npm `webgpu`) needs a Vulkan loader and driver. On machines without a GPU, Debian's
// chromium package ships both SwiftShader and a loader; this points Dawn at them, but only when
// the system has no Vulkan driver of its own (a real GPU always wins).
import { existsSync, readdirSync } from 'node:fs';

const CHROMIUM_DIR = '/usr/lib/chromium';
const SWIFTSHADER_ICD = `${CHROMIUM_DIR}/vk_swiftshader_icd.json`;
const SYSTEM_ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

function hasSystemVulkanDriver(): boolean {
  return SYSTEM_ICD_DIRS.some((d) => existsSync(d) && readdirSync(d).some((f) => f.endsWith('.json')));
}

/** Variables to add to `env` so Dawn finds SwiftShader, or {} when not needed or not available. */
export function swiftShaderEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  if (env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES || hasSystemVulkanDriver() || !existsSync(SWIFTSHADER_ICD)) return {};
  const ld = env.LD_LIBRARY_PATH ? `${CHROMIUM_DIR}:${env.LD_LIBRARY_PATH}` : CHROMIUM_DIR;
  return { VK_ICD_FILENAMES: SWIFTSHADER_ICD, LD_LIBRARY_PATH: ld };
}
