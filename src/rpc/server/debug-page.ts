import { escapeHtml } from '../../util/escape-html.ts';
import type { MethodStats } from './service.ts';

export interface ServiceStats {
  name: string;
  methods: MethodStats[];
}

/** GeeRPC's /debug/geerpc page: every service, its methods and their call counts. */
export function renderDebugPage(services: ServiceStats[]): string {
  const sections = services
    .map((service) => {
      const rows = service.methods
        .map((m) => `<tr><td>${escapeHtml(m.name)}</td><td>${m.calls}</td></tr>`)
        .join('');
      return `<hr><h2>Service ${escapeHtml(service.name)}</h2><table><tr><th align="center">Method</th><th align="center">Calls</th></tr>${rows}</table>`;
    })
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>GeeRPC Services</title></head><body><h1>GeeRPC Services</h1>${sections}</body></html>`;
}
