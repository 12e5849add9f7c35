/** A small SVG of a run: rows completed and rows in flight over time (dead time shows as flat). */
export interface Sample {
  t: number;
  done: number;
  inFlight: number;
  /** The largest worker process's RSS at this moment (not drawn; kept in the samples CSV). */
  workerRssMb?: number;
  /** The Temporal server's RSS, summed over its nodes (not drawn; kept in the samples CSV). */
  serverRssMb?: number;
  /** The API process's RSS (not drawn; kept in the samples CSV). */
  apiRssMb?: number;
  /** The dev server's SQLite database with its WAL (not drawn; kept in the samples CSV). */
  serverDbMb?: number;
}

export function renderSvg(samples: Sample[], opts: { title: string; boundSeconds: number | null }): string {
  const W = 720;
  const H = 360;
  const pad = { l: 60, r: 60, t: 40, b: 40 };
  const tMax = Math.max(1, ...samples.map((s) => s.t), opts.boundSeconds ?? 0);
  const doneMax = Math.max(1, ...samples.map((s) => s.done));
  const flightMax = Math.max(1, ...samples.map((s) => s.inFlight));
  const x = (t: number) => pad.l + (t / tMax) * (W - pad.l - pad.r);
  const yDone = (v: number) => H - pad.b - (v / doneMax) * (H - pad.t - pad.b);
  const yFlight = (v: number) => H - pad.b - (v / flightMax) * (H - pad.t - pad.b);
  const line = (pts: [number, number][]) => pts.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ');
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const bound =
    opts.boundSeconds !== null
      ? `<line x1="${x(opts.boundSeconds)}" y1="${pad.t}" x2="${x(opts.boundSeconds)}" y2="${H - pad.b}" stroke="#999" stroke-dasharray="4 4"/>
  <text x="${x(opts.boundSeconds) + 4}" y="${pad.t + 12}" font-size="11" fill="#666">rate-limit bound</text>`
      : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">
  <rect width="100%" height="100%" fill="white"/>
  <text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(opts.title)}</text>
  <line x1="${pad.l}" y1="${H - pad.b}" x2="${W - pad.r}" y2="${H - pad.b}" stroke="black"/>
  <line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${H - pad.b}" stroke="black"/>
  <line x1="${W - pad.r}" y1="${pad.t}" x2="${W - pad.r}" y2="${H - pad.b}" stroke="black"/>
  <text x="${W / 2}" y="${H - 8}" text-anchor="middle" font-size="12">seconds since submission (max ${tMax.toFixed(0)})</text>
  <text x="14" y="${H / 2}" font-size="12" fill="#1f77b4" transform="rotate(-90 14 ${H / 2})" text-anchor="middle">rows completed (max ${doneMax})</text>
  <text x="${W - 14}" y="${H / 2}" font-size="12" fill="#d62728" transform="rotate(90 ${W - 14} ${H / 2})" text-anchor="middle">rows in flight (max ${flightMax})</text>
  ${bound}
  <polyline fill="none" stroke="#1f77b4" stroke-width="2" points="${line(samples.map((s) => [x(s.t), yDone(s.done)]))}"/>
  <polyline fill="none" stroke="#d62728" stroke-width="1" points="${line(samples.map((s) => [x(s.t), yFlight(s.inFlight)]))}"/>
</svg>
`;
}
