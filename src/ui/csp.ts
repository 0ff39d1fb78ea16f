// The Content-Security-Policy of every page of this static app (injected by vite.config.ts):
// scripts, styles and data from its own origin only. uPlot and Lit set inline styles; the
// development server alone needs its hot-reload websocket.
export function contentSecurityPolicy(dev: boolean): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    dev ? "connect-src 'self' ws://localhost:* ws://127.0.0.1:*" : "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}
