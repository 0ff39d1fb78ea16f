// A view as a PNG: its canvas with a title above and the legend below (uPlot keeps its legend in
// HTML, so the picture would otherwise lose it).
import { download } from './download';

export interface LegendEntry {
  label: string;
  color: string;
  dash: number[];
}

export function savePng(filename: string, title: string, src: HTMLCanvasElement, legend: readonly LegendEntry[], px = window.devicePixelRatio || 1): void {
  const rowH = 18 * px;
  const perRow = 3;
  const legendH = Math.ceil(legend.length / perRow) * rowH + 8 * px;
  const titleH = 28 * px;
  const canvas = document.createElement('canvas');
  canvas.width = src.width;
  canvas.height = titleH + src.height + legendH;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = '#222';
  ctx.font = `600 ${14 * px}px system-ui, sans-serif`;
  ctx.fillText(title, 8 * px, 19 * px);
  ctx.drawImage(src, 0, titleH);
  ctx.font = `${12 * px}px system-ui, sans-serif`;
  const colW = canvas.width / perRow;
  legend.forEach((l, j) => {
    const x = (j % perRow) * colW + 8 * px;
    const y = titleH + src.height + Math.floor(j / perRow) * rowH + 12 * px;
    ctx.strokeStyle = l.color;
    ctx.lineWidth = 2 * px;
    ctx.setLineDash(l.dash.map((d) => d * px));
    ctx.beginPath();
    ctx.moveTo(x, y - 4 * px);
    ctx.lineTo(x + 22 * px, y - 4 * px);
    ctx.stroke();
    ctx.fillStyle = '#222';
    ctx.fillText(l.label, x + 28 * px, y);
  });
  download(filename, canvas.toDataURL('image/png'));
}
