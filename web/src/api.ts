// The console's only way to the fund: the public API (same origin unless config.json names apiBase),
// with the bearer token held in memory (never a URL, never localStorage).
let bearer = '';
let base = '';

export const setToken = (t: string) => {
  bearer = t;
};
export const hasToken = () => bearer !== '';
export const setApiBase = (b: string) => {
  base = b.replace(/\/$/, '');
};

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    /** The problem document as the API sent it (detail, field errors), when there was one. */
    public problem: { title?: string; detail?: string; errors?: { path: string; message: string }[] } = {},
  ) {
    super(message);
  }
}

export async function api<T = any>(method: string, path: string, body?: unknown, accept = 'application/json'): Promise<T> {
  const headers: Record<string, string> = { accept };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['idempotency-key'] = crypto.randomUUID();
  const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) {
    let p: any = {};
    try {
      p = await res.json();
    } catch {
      /* not a problem document */
    }
    const detail = [p.title, p.detail, ...(p.errors ?? []).map((e: any) => `${e.path}: ${e.message}`)].filter(Boolean).join(' — ');
    throw new ApiError(res.status, p.code ?? String(res.status), `${p.code ?? res.status}: ${detail || res.statusText}`, p);
  }
  if (accept !== 'application/json') return (await res.blob()) as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const itemsOf = (b: any): any[] => (Array.isArray(b) ? b : (b?.items ?? []));
