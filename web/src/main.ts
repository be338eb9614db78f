// HPF console (住房公积金业务控制台): a client of the public API, pages by the token's role.
import { h, render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { api, ApiError, itemsOf, setApiBase, setToken } from './api.ts';
import { addDays, businessDate, periodOf } from '../../shared/clock.ts';
import { authorizeUrl, challengeOf, decodeClaims, newVerifier, tokenRequestBody } from './pkce.ts';

const html = htm.bind(h);

interface Config {
  mode?: 'local' | 'oidc';
  issuer?: string;
  clientId?: string;
  apiBase?: string;
  /** The access token's audience (the API's `aud`), sent with the authorization request. */
  audience?: string;
  scope?: string;
}
interface Session {
  claims: Record<string, any>;
}

const ROLE_NAMES: Record<string, string> = { member: '缴存职工 member', unit: '单位经办人 unit agent', staff: '中心柜员 staff', auditor: '稽核审计 auditor', admin: '管理员 admin' };
const STATUS: Record<string, string> = { PENDING_REVIEW: '待审核', APPROVED: '已批准', REJECTED: '已驳回', PAID: '已支付', ORDERED: '已下单', OPEN: '待处理', RESOLVED: '已处理', RUNNING: '进行中', COMPLETED: '已完成', DONE: '已完成', POSTED: '已入账', PENDING: '待处理', QUEUED: '排队中', FAILED: '失败', NORMAL: '正常', FROZEN: '已冻结', SEALED: '封存', CLOSED: '已销户',
  INCOMPLETE: '未完成', SETTLED: '已结算', PAYMENT_FAILED: '支付失败', AWAITING_FUNDS: '待到账', POSTING: '入账中', APPLIED: '已申请', ACTIVE: '还款中', DUE: '待还', OVERDUE: '逾期', DEFERRED: '缓期' };
const st = (s: unknown) => (typeof s === 'string' ? `${STATUS[s] ?? ''} ${s}`.trim() : '');
/** A loan's status: CLOSED is 已结清 (paid off), not an account's 已销户. */
const loanSt = (s: unknown) => (s === 'CLOSED' ? '已结清 CLOSED' : st(s));
const REASONS: Record<string, string> = { RENT: '租房', PURCHASE: '购房', BUILD_REPAIR: '建造翻建大修', RETIREMENT: '离退休', INCAPACITY: '丧失劳动能力', EMIGRATION: '出境定居', HPF_LOAN_REPAYMENT: '偿还公积金贷款', COMMERCIAL_LOAN_REPAYMENT: '偿还商业贷款', DEATH: '死亡', ELEVATOR_RETROFIT: '加装电梯', OFFSITE_PURCHASE: '异地购房' };

// ---------- small building blocks ----------
function useLoad<T>(fn: () => Promise<T>, deps: unknown[]) {
  const [state, set] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [n, reload] = useState(0);
  useEffect(() => {
    let live = true;
    set((s) => ({ ...s, loading: true }));
    fn().then(
      (data) => live && set({ data, loading: false }),
      (e) => live && set({ error: (e as Error).message, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, n]);
  return { ...state, reload: () => reload((x) => x + 1) };
}

const Err = ({ msg }: { msg?: string }) => (msg ? html`<p class="error" role="alert">${msg}</p>` : null);
const Loading = ({ on }: { on: boolean }) => (on ? html`<p class="muted" aria-live="polite">加载中… Loading…</p>` : null);

function Table({ rows, cols, caption }: { rows: any[]; cols: [string, string, ((r: any) => any)?][]; caption: string }) {
  if (!rows.length) return html`<p class="muted">暂无记录 (no records) — ${caption}</p>`;
  return html`<div class="scroll" tabindex="0" role="region" aria-label=${caption}><table><caption class="muted">${caption}</caption>
    <thead><tr>${cols.map(([, label]) => html`<th scope="col">${label}</th>`)}</tr></thead>
    <tbody>${rows.map((r) => html`<tr>${cols.map(([k, , f]) => html`<td>${f ? f(r) : fmt(r[k])}</td>`)}</tr>`)}</tbody></table></div>`;
}

const fmt = (v: unknown): string => (v === undefined || v === null ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));

function KV({ obj }: { obj: Record<string, unknown> }) {
  return html`<dl class="kv">${Object.entries(obj ?? {}).map(([k, v]) => html`<dt>${k}</dt><dd>${fmt(v)}</dd>`)}</dl>`;
}

function Field({ label, name, value, onInput, type = 'text', required = false, pattern, options }: any) {
  const id = `f-${name}`;
  return html`<label for=${id}>${label}
    ${options
      ? html`<select id=${id} name=${name} value=${value} onChange=${(e: any) => onInput(e.currentTarget.value)}>${options.map(([v, t]: [string, string]) => html`<option value=${v}>${t}</option>`)}</select>`
      : html`<input id=${id} name=${name} type=${type} value=${value} required=${required} pattern=${pattern} onInput=${(e: any) => onInput(e.currentTarget.value)} />`}
  </label>`;
}

const CODE_ZH: Record<string, string> = {
  VALIDATION_FAILED: '输入有误', IDEMPOTENCY_KEY_MISSING: '缺少幂等键', UNAUTHENTICATED: '未登录或登录已过期', SIGNATURE_INVALID: '签名无效', FORBIDDEN: '无权操作',
  NOT_FOUND: '记录不存在', INVALID_STATE: '当前状态不允许此操作', CONFLICT: '与已有记录冲突', INSUFFICIENT_BALANCE: '余额不足', IDEMPOTENCY_KEY_REUSED: '幂等键已用于其他请求',
  POLICY_VIOLATION: '不符合政策规定', NOT_ELIGIBLE: '不符合条件', RATE_LIMITED: '请求过于频繁', INTERNAL: '系统内部错误',
};
interface Problem { code: string; status: number; detail?: string; errors: { path: string; message: string }[]; message: string }
const problemOf = (e: unknown): Problem =>
  e instanceof ApiError
    ? { code: e.code, status: e.status, detail: e.problem.detail ?? e.problem.title, errors: e.problem.errors ?? [], message: e.message }
    : { code: 'ERROR', status: 0, errors: [], message: (e as Error)?.message ?? String(e) };

/** The API's problem response, in Chinese first: what went wrong, the detail, each field's error. */
function ProblemView({ p }: { p?: Problem }) {
  if (!p) return null;
  return html`<div class="error problem" role="alert" data-code=${p.code}>
    <p>操作未成功：${CODE_ZH[p.code] ?? '请求失败'}（${p.code}${p.status ? ` · HTTP ${p.status}` : ''}）</p>
    ${p.detail ? html`<p>说明 detail：${p.detail}</p>` : p.status ? null : html`<p>${p.message}</p>`}
    ${p.errors.length ? html`<ul>${p.errors.map((f) => html`<li>字段 <code>${f.path || '(请求体)'}</code>：${f.message}</li>`)}</ul>` : null}
  </div>`;
}

/** A form's submit with a busy state, an error (the API's problem) and a success message. */
function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [problem, setProblem] = useState<Problem>();
  const [done, setDone] = useState<string>();
  const run = async (f: () => Promise<string | void>) => {
    setBusy(true);
    setError(undefined);
    setProblem(undefined);
    setDone(undefined);
    try {
      setDone((await f()) ?? '完成 Done');
    } catch (e) {
      setError((e as Error).message);
      setProblem(problemOf(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, problem, done, run };
}
const Outcome = ({ a }: { a: ReturnType<typeof useAction> }) => html`<${Err} msg=${a.error} />${a.done ? html`<p class="ok" role="status">${a.done}</p>` : null}`;
/** Like Outcome, with the problem's detail and field errors laid out. */
const Result = ({ a }: { a: ReturnType<typeof useAction> }) => html`<${ProblemView} p=${a.problem} />${a.done ? html`<p class="ok" role="status">${a.done}</p>` : null}`;

const RUNNING_STATES = ['RUNNING', 'PENDING', 'QUEUED', 'STARTED', 'IN_PROGRESS', 'POSTING'];

/** How far a run is, from what its API answers: an audit run's segments, else a `progress` pair. */
function progressOf(run: any): { done: number; total: number } | undefined {
  if (typeof run.chunks === 'number' && typeof run.postedChunks === 'number') return { done: run.postedChunks, total: run.chunks }; // a remittance's posting
  const p = run.segments ?? run.progress;
  return p && typeof p.total === 'number' && typeof p.done === 'number' ? { done: p.done, total: p.total } : undefined;
}

/** Polls a run (GET `path`) once a second while it is running; shows its status and how far it is. */
function RunProgress({ path }: { path: string }) {
  const [run, setRun] = useState<any>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    let t: any;
    setRun(undefined);
    setError(undefined);
    const tick = async () => {
      try {
        const r = await api('GET', path);
        if (!live) return;
        setRun(r);
        if (RUNNING_STATES.includes(r.status)) t = setTimeout(tick, 1000);
      } catch (e) {
        if (live) setError((e as Error).message);
      }
    };
    tick();
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [path]);
  if (error) return html`<${Err} msg=${error} />`;
  if (!run) return html`<p class="muted">查询进度… </p>`;
  const progress = progressOf(run);
  const running = RUNNING_STATES.includes(run.status);
  return html`<div class="card wide" aria-live="polite" data-testid="run" data-run-id=${run.runId ?? run.remittanceId}>
    <p>状态 status: <strong data-run-status=${run.status}>${st(run.status)}</strong>${running ? '（每秒刷新 polling）' : ''}</p>
    ${progress
      ? html`<label>进度 progress <span data-testid="run-progress">${progress.done}/${progress.total}</span><progress max=${progress.total || 1} value=${progress.total ? progress.done : running ? 0 : 1}></progress></label>`
      : running
        ? html`<progress aria-label="进度 progress"></progress>`
        : null}
    ${typeof run.accounts === 'number' ? html`<p>已稽核账户 accounts：${run.accounts} · 发现 findings：${fmt(run.findings)}${run.completedAt ? ` · 完成于 ${run.completedAt}` : ''}</p>` : null}
    ${Array.isArray(run.accounts)
      ? html`<p>对账日 ${fmt(run.date)} · 差异发现 findings：${fmt(run.findingsTotal)}${run.finishedAt ? ` · 完成于 ${run.finishedAt}` : ''}</p>
        <${Table} caption="对账账户" rows=${run.accounts} cols=${[['bankCode', '银行 bankCode'], ['accountNo', '专户 accountNo'], ['lines', '流水 lines'], ['matched', '已勾对 matched'], ['differences', '差异 differences'], ['error', '未对账原因 error']]} />`
      : null}
    <details><summary>详情 details</summary><pre class="scroll" tabindex="0">${JSON.stringify(run, null, 2)}</pre></details>
  </div>`;
}

// ---------- staff ----------
function ReviewQueue({ open }: { open: (id: string) => void }) {
  const q = useLoad(() => api('GET', '/v1/withdrawals?status=PENDING_REVIEW&limit=100'), []);
  const rows = itemsOf(q.data);
  return html`<section><h2>提取审核队列 Review queue</h2>
    <p class="muted">待审核 (PENDING_REVIEW) 的提取申请，最早的在前；审核期限 reviewDueOn。</p>
    <button class="secondary" onClick=${q.reload}>刷新 Refresh</button>
    <${Loading} on=${q.loading} /><${Err} msg=${q.error} />
    <${Table} caption="待审核提取" rows=${rows} cols=${[
      ['withdrawalId', '业务号 withdrawalId'],
      ['accountNo', '账号 accountNo'],
      ['amount', '金额(元) amount'],
      ['reason', '提取原因 reason'],
      ['reviewDueOn', '审核期限 reviewDueOn'],
      ['', '操作', (r: any) => html`<button class="primary" onClick=${() => open(r.withdrawalId)} aria-label=${`审核 ${r.withdrawalId}`}>审核</button>`],
    ]} />
  </section>`;
}

/** The archive's records as a reviewer reads them (a withdrawal's, a loan's). */
const ARCHIVE_COLS = [['at', '时间 at'], ['action', '动作 action'], ['actor', '经办 actor', (r: any) => `${r.actor?.role ?? ''} ${r.actor?.sub ?? ''}`], ['decision', '决定 decision'], ['submittedSha256', '提交内容 SHA-256', (r: any) => html`<code title=${r.submittedSha256}>${fmt(r.submittedSha256).slice(0, 16)}…</code>`]];

/**
 * A reviewed subject (`path`: /v1/withdrawals, /v1/loans) and its archive record, with approve /
 * reject and the reviewer's note (a reject without one says 驳回); `done` words the outcome.
 */
function useReview(path: string, subject: string, id: string, done: (verb: 'approve' | 'reject', r: any) => string) {
  const item = useLoad(() => api('GET', `${path}/${encodeURIComponent(id)}`), [id]);
  const arch = useLoad(() => api('GET', `/v1/archive/${subject}/${encodeURIComponent(id)}`), [id]);
  const [note, setNote] = useState('');
  const a = useAction();
  const decide = (verb: 'approve' | 'reject') =>
    a.run(async () => {
      const r = await api('POST', `${path}/${encodeURIComponent(id)}/${verb}`, note ? { note } : verb === 'reject' ? { note: '驳回' } : {});
      item.reload();
      arch.reload();
      return done(verb, r);
    });
  return { item, arch, note, setNote, a, decide };
}

/** The reviewer's note and the two decisions. */
function DecisionForm({ r, noteId, label }: { r: ReturnType<typeof useReview>; noteId: string; label: string }) {
  return html`<form onSubmit=${(e: Event) => e.preventDefault()}>
    <label for=${noteId}>${label}<textarea id=${noteId} value=${r.note} onInput=${(e: any) => r.setNote(e.currentTarget.value)} rows="2"></textarea></label>
    <div class="row"><button type="button" class="primary" disabled=${r.a.busy} onClick=${() => r.decide('approve')}>批准 Approve</button>
    <button type="button" class="danger" disabled=${r.a.busy} onClick=${() => r.decide('reject')}>驳回 Reject</button></div></form>`;
}

function WithdrawalDetail({ id, back }: { id: string; back: () => void }) {
  const r = useReview('/v1/withdrawals', 'WITHDRAWAL', id, (verb, out) => `${verb === 'approve' ? '已批准' : '已驳回'}: ${st(out?.status)}`);
  const { item: w, arch, a } = r;
  const d = w.data ?? {};
  return html`<section><h2>提取申请 ${id}</h2>
    <button class="secondary" onClick=${back}>← 返回队列 Back</button>
    <${Loading} on=${w.loading} /><${Err} msg=${w.error} />
    ${w.data ? html`<h3>申请 Withdrawal</h3><${KV} obj=${Object.fromEntries(Object.entries(d).filter(([k]) => k !== 'evidence' && k !== 'archive'))} />
      <h3>材料 Evidence</h3><${KV} obj=${d.evidence ?? {}} />` : null}
    <h3>电子档案 Archive</h3><${Err} msg=${arch.error} />
    <${Table} caption="电子档案" rows=${arch.data?.records ?? []} cols=${ARCHIVE_COLS} />
    ${d.status === 'PENDING_REVIEW' ? html`<${DecisionForm} r=${r} noteId="review-note" label="审核意见 note" />` : null}
    <${Outcome} a=${a} />
  </section>`;
}

const METHODS: Record<string, string> = { EQUAL_INSTALLMENT: '等额本息', EQUAL_PRINCIPAL: '等额本金' };

/** The loan queues (GET /v1/loans): APPLIED to review (oldest application first, with the review's due day), APPROVED to disburse. */
function LoanQueue() {
  const [status, setStatus] = useState('APPLIED');
  const [open, setOpen] = useState<string>();
  const q = useLoad(() => api('GET', `/v1/loans?status=${status}&limit=100`), [status]);
  if (open) return html`<${LoanReview} id=${open} back=${() => { setOpen(undefined); q.reload(); }} />`;
  const applied = status === 'APPLIED';
  return html`<section><h2>贷款审批队列 Loan review queue</h2>
    <p class="muted">待审批 (APPLIED) 的贷款申请，最早的在前；审批期限 reviewDueOn。待放款 (APPROVED) 为已批准、尚未发放的贷款。</p>
    <form class="row" onSubmit=${(e: Event) => e.preventDefault()}><${Field} label="队列 status" name="loan-queue-status" value=${status} onInput=${setStatus} options=${[['APPLIED', '待审批 APPLIED'], ['APPROVED', '待放款 APPROVED']]} /></form>
    <button class="secondary" onClick=${q.reload}>刷新 Refresh</button>
    <${Loading} on=${q.loading} /><${Err} msg=${q.error} />
    <${Table} caption=${applied ? '待审批贷款' : '待放款贷款'} rows=${itemsOf(q.data)} cols=${[
      ['loanId', '贷款号 loanId'],
      ['accountNo', '借款人账号 accountNo'],
      ['principal', '申请金额(元) principal'],
      ['termMonths', '期限(月) termMonths'],
      ['repaymentMethod', '还款方式', (r: any) => `${METHODS[r.repaymentMethod] ?? ''} ${r.repaymentMethod}`.trim()],
      ['appliedOn', '申请日 appliedOn'],
      ['reviewDueOn', '审批期限 reviewDueOn', (r: any) => html`${r.reviewDueOn}${r.overdueForReview ? html` <strong class="error">已超期</strong>` : null}`],
      ['', '操作', (r: any) => (applied ? html`<button class="primary" onClick=${() => setOpen(r.loanId)} aria-label=${`审批 ${r.loanId}`}>审批</button>` : loanSt(r.status))],
    ]} />
  </section>`;
}

/** An archived submission for reading: integer fen amounts (`…Fen`) as yuan strings (integer arithmetic only). */
const inYuan = (o: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(o).map(([k, v]) =>
      k.endsWith('Fen') && Number.isSafeInteger(v) ? [`${k.slice(0, -3)}（元）`, `${(v as number) < 0 ? '-' : ''}${Math.floor(Math.abs(v as number) / 100)}.${String(Math.abs(v as number) % 100).padStart(2, '0')}`] : [k, v],
    ),
  );

/** A loan application: what was applied for, its archive, approve / reject with a note. */
function LoanReview({ id, back }: { id: string; back: () => void }) {
  const r = useReview('/v1/loans', 'LOAN', id, (verb, out) => `${verb === 'approve' ? '已批准' : '已驳回'} ${id}：${loanSt(out?.status)}`);
  const { item: l, arch, a } = r;
  const d = l.data ?? {};
  const applied = arch.data?.records?.[0]?.submitted;
  return html`<section><h2>贷款申请 ${id}</h2>
    <button class="secondary" onClick=${back}>← 返回队列 Back</button>
    <${Loading} on=${l.loading} /><${Err} msg=${l.error} />
    ${l.data ? html`<p>状态 status：<strong data-testid="loan-review-status" data-status=${d.status}>${loanSt(d.status)}</strong></p>
      <h3>贷款 Loan</h3><${KV} obj=${Object.fromEntries(Object.entries(d).filter(([, v]) => v !== null))} />` : null}
    ${applied && typeof applied === 'object' ? html`<h3>申请内容 Application</h3><${KV} obj=${inYuan(applied)} />` : null}
    <h3>电子档案 Archive</h3><${Err} msg=${arch.error} />
    <${Table} caption="贷款电子档案" rows=${arch.data?.records ?? []} cols=${ARCHIVE_COLS} />
    ${d.status === 'APPLIED' ? html`<${DecisionForm} r=${r} noteId="loan-review-note" label="审批意见 note" />` : null}
    <${Result} a=${a} />
  </section>`;
}

function Suspense() {
  const q = useLoad(() => api('GET', '/v1/bank/suspense?limit=100'), []);
  return html`<section><h2>待查款项 Suspense items</h2><${Loading} on=${q.loading} /><${Err} msg=${q.error} />
    <${Table} caption="待查款项" rows=${itemsOf(q.data)} cols=${[['itemId', 'itemId'], ['bankCode', '银行 bankCode'], ['amount', '金额 amount'], ['payerName', '付款人 payerName'], ['receivedOn', '到账日 receivedOn'], ['status', '状态', (r: any) => st(r.status)]]} /></section>`;
}

function AccountLookup() {
  const [no, setNo] = useState('');
  const [acct, setAcct] = useState<any>();
  const a = useAction();
  return html`<section><h2>账户查询 Account lookup</h2>
    <form onSubmit=${(e: Event) => { e.preventDefault(); a.run(async () => { setAcct(undefined); setAcct(await api('GET', `/v1/accounts/${encodeURIComponent(no)}`)); return ''; }); }}>
      <${Field} label="个人账号 accountNo" name="lookup-account" value=${no} onInput=${setNo} required />
      <button class="primary" disabled=${a.busy}>查询 Look up</button></form>
    <${ProblemView} p=${a.problem} />
    ${acct ? html`<p>账户状态 status：<strong data-testid="account-status" data-status=${acct.status}>${st(acct.status)}</strong></p>
      <${KV} obj=${acct} /><${FreezePanel} acct=${acct} onChange=${setAcct} />` : null}</section>`;
}

/** 司法冻结 / 解冻 of the looked-up account (POST /v1/accounts/{accountNo}/freeze | unfreeze). */
function FreezePanel({ acct, onChange }: { acct: any; onChange: (a: any) => void }) {
  const [f, setF] = useState({ reason: '', authority: '', documentNo: '' });
  const [note, setNote] = useState('');
  const a = useAction();
  const set = (k: string) => (v: string) => setF({ ...f, [k]: v });
  const path = (verb: string) => `/v1/accounts/${encodeURIComponent(acct.accountNo)}/${verb}`;
  if (acct.status === 'FROZEN')
    return html`<form aria-labelledby="unfreeze-h" onSubmit=${(e: Event) => { e.preventDefault(); a.run(async () => { const r = await api('POST', path('unfreeze'), { note }); onChange(r); setNote(''); return `已解冻 Unfrozen：账户状态 ${st(r.status)}`; }); }}>
      <h3 id="unfreeze-h">解除冻结 Unfreeze</h3>
      ${acct.freeze ? html`<p class="muted">冻结机关 ${fmt(acct.freeze.authority)} · 文书号 ${fmt(acct.freeze.documentNo)} · 原因 ${fmt(acct.freeze.reason)}</p>` : null}
      <label for="unfreeze-note">解冻说明 note<textarea id="unfreeze-note" value=${note} required rows="2" onInput=${(e: any) => setNote(e.currentTarget.value)}></textarea></label>
      <button class="primary" disabled=${a.busy}>解冻 Unfreeze</button><${Result} a=${a} /></form>`;
  return html`<form aria-labelledby="freeze-h" onSubmit=${(e: Event) => { e.preventDefault(); a.run(async () => { const r = await api('POST', path('freeze'), f); onChange(r); setF({ reason: '', authority: '', documentNo: '' }); return `已冻结 Frozen：账户状态 ${st(r.status)}`; }); }}>
      <h3 id="freeze-h">司法冻结 Freeze</h3>
      <p class="muted">冻结后入账照常，支取、转移等支出被拒，直至解冻。</p>
      <${Field} label="冻结原因 reason" name="freeze-reason" value=${f.reason} onInput=${set('reason')} required />
      <${Field} label="冻结机关 authority" name="freeze-authority" value=${f.authority} onInput=${set('authority')} required />
      <${Field} label="法律文书号 documentNo" name="freeze-document" value=${f.documentNo} onInput=${set('documentNo')} required />
      <button class="danger" disabled=${a.busy}>冻结 Freeze</button><${Result} a=${a} /></form>`;
}

/** A deferral form: 单位缓缴 (units) or 缓期还贷 (loans) — same body { fromPeriod, toPeriod, reason }. */
function DeferralForm({ kind }: { kind: 'unit' | 'loan' }) {
  const [f, setF] = useState({ id: '', fromPeriod: '', toPeriod: '', reason: '' });
  const a = useAction();
  const set = (k: string) => (v: string) => setF({ ...f, [k]: v });
  const unit = kind === 'unit';
  return html`<form aria-labelledby=${`${kind}-deferral-h`} onSubmit=${(e: Event) => { e.preventDefault(); a.run(async () => {
      const r = await api('POST', `/v1/${unit ? 'units' : 'loans'}/${encodeURIComponent(f.id)}/deferrals`, { fromPeriod: f.fromPeriod, toPeriod: f.toPeriod, reason: f.reason });
      const moved = Array.isArray(r?.installments) ? ` · 缓期期次 installments ${r.installments.join('、')}${r.maturityDate ? ` · 新到期日 maturityDate ${r.maturityDate}` : ''}` : '';
      return `${unit ? '已批准缓缴' : '已批准缓期还贷'} ${f.id}：${r?.fromPeriod ?? f.fromPeriod}–${r?.toPeriod ?? f.toPeriod}${r?.status ? ` · ${st(r.status)}` : ''}${moved}`;
    }); }}>
    <h3 id=${`${kind}-deferral-h`}>${unit ? '单位缓缴 Unit deferral' : '缓期还贷 Loan hardship deferral'}</h3>
    <${Field} label=${unit ? '单位编号 unitId' : '贷款号 loanId'} name=${`${kind}-deferral-id`} value=${f.id} onInput=${set('id')} required />
    <${Field} label="起始期间 fromPeriod（YYYY-MM）" name=${`${kind}-deferral-from`} value=${f.fromPeriod} onInput=${set('fromPeriod')} required pattern="[0-9]{4}-[0-9]{2}" />
    <${Field} label="结束期间 toPeriod（YYYY-MM）" name=${`${kind}-deferral-to`} value=${f.toPeriod} onInput=${set('toPeriod')} required pattern="[0-9]{4}-[0-9]{2}" />
    <${Field} label=${unit ? '缓缴原因 reason' : '困难原因 reason'} name=${`${kind}-deferral-reason`} value=${f.reason} onInput=${set('reason')} required />
    <button class="primary" disabled=${a.busy}>批准 Approve</button><${Result} a=${a} />
    </form>`;
}

function Deferrals() {
  return html`<section><h2>缓缴与缓期还贷 Deferrals</h2><${DeferralForm} kind="unit" /><${DeferralForm} kind="loan" /></section>`;
}

// ---------- auditor ----------
const num = (v: unknown) => (v === null || v === undefined || v === '' ? null : Number(v));

function RatioChart({ snapshots, warning = 85, alert = 95 }: { snapshots: any[]; warning?: number; alert?: number }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const pts = snapshots.filter((s) => s.date).sort((a, b) => (a.date < b.date ? -1 : 1));
    const xs = pts.map((s) => Date.parse(`${s.date}T00:00:00Z`) / 1000); // business dates: whole days
    const ys = pts.map((s) => num(s.personalLoanRatio));
    const top = Math.max(100, ...ys.filter((y): y is number => y !== null).map((y) => y + 5));
    const opts: uPlot.Options = {
      width: Math.max(280, el.current.clientWidth || 600),
      height: 280,
      padding: [8, 44, 0, 0],
      title: '个贷率 Personal loan ratio (%)',
      scales: { y: { range: [0, top] } },
      series: [
        { label: '日期', value: (_u, v) => (v == null ? '--' : new Date(v * 1000).toISOString().slice(0, 10)) },
        { label: '个贷率 %', stroke: '#0b5394', width: 2, points: { show: true } },
        { label: `预警线 ${warning}%`, stroke: '#b35900', dash: [6, 4], width: 1.5, points: { show: false } },
        { label: `告警线 ${alert}%`, stroke: '#a30000', dash: [2, 3], width: 1.5, points: { show: false } },
      ],
      axes: [{ incrs: [86400, 7 * 86400, 30 * 86400, 365 * 86400], space: 70, values: (_u, vals) => vals.map((v) => new Date(v * 1000).toISOString().slice(0, 10)) }, { values: (_u, vals) => vals.map((v) => `${v}%`) }],
    };
    const data: uPlot.AlignedData = [xs, ys, xs.map(() => warning), xs.map(() => alert)];
    const u = new uPlot(opts, data, el.current);
    return () => u.destroy();
  }, [snapshots, warning, alert]);
  return html`<figure><div class="chart" ref=${el} data-testid="ratio-chart" role="img" aria-label=${`个贷率趋势图，预警线 ${warning}%，告警线 ${alert}%`}></div>
    <figcaption class="muted">个贷率（贷款余额/缴存余额），虚线：${warning}% 预警线、${alert}% 告警线；共 ${snapshots.length} 个日快照。</figcaption></figure>`;
}

function Dashboard({ onReady }: { onReady?: () => void }) {
  const [branch, setBranch] = useState('');
  const q = useLoad(() => api('GET', `/v1/supervision/indicators${branch ? `?branch=${encodeURIComponent(branch)}` : ''}`), [branch]);
  // the center's business dates (Asia/Shanghai), not the browser's UTC date: before 08:00 in Shanghai they differ
  const to = businessDate();
  const from = addDays(to, -90);
  const hist = useLoad(async () => {
    const all: any[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 5; i++) {
      const b = await api('GET', `/v1/supervision/indicators/history?from=${from}&to=${to}&limit=100${branch ? `&branch=${encodeURIComponent(branch)}` : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      all.push(...itemsOf(b));
      cursor = b?.nextCursor;
      if (!cursor) break;
    }
    return all;
  }, [branch]);
  const d = q.data ?? {};
  const warn = (d.warnings ?? []).find((w: any) => w.indicator === 'personalLoanRatio');
  useEffect(() => {
    if (q.data && hist.data) onReady?.();
  }, [q.data, hist.data]);
  const tiles: [string, unknown][] = [
    ['个贷率 personalLoanRatio', d.personalLoanRatio != null ? `${d.personalLoanRatio}%` : '—'],
    ['缴存余额 depositBalance', d.depositBalance],
    ['贷款余额 loanBalance', d.loanBalance],
    ['结余资金 surplusFunds', d.surplusFunds],
    [`资金净流量 netFlow ${d.netFlow?.period ?? ''}`, d.netFlow?.net],
    ['逾期率 overdueRate', d.overdueRate != null ? `${d.overdueRate}%` : '—'],
    ['缴存人数 contributors', d.contributors],
    ['缴存单位 units', d.units],
  ];
  return html`<section><h2>基金运行看板 Fund dashboard</h2>
    <form class="row" onSubmit=${(e: Event) => e.preventDefault()}><${Field} label="网点 branch（空=全市）" name="dash-branch" value=${branch} onInput=${setBranch} /></form>
    <${Loading} on=${q.loading} /><${Err} msg=${q.error} />
    ${q.data ? html`<div class="tiles" data-testid="indicators">${tiles.map(([k, v]) => html`<div class="tile"><div class="muted">${k}</div><div class="v">${fmt(v)}</div></div>`)}</div>
      ${warn ? html`<p class="error" role="alert">个贷率${warn.level === 'ALERT' ? '告警' : '预警'}：达到 ${warn.threshold}%</p>` : null}` : null}
    <${Err} msg=${hist.error} />
    ${hist.data ? html`<${RatioChart} snapshots=${hist.data} />
      <h3>日快照 Daily snapshots</h3>
      <${Table} caption="指标日快照" rows=${[...hist.data].reverse().slice(0, 31)} cols=${[['date', '日期 date'], ['personalLoanRatio', '个贷率 %'], ['surplusFunds', '结余资金'], ['netFlow', '净流量', (r: any) => fmt(r.netFlow?.net)], ['overdueRate', '逾期率 %'], ['contributors', '缴存人数']]} />` : null}
  </section>`;
}

function Findings() {
  const [status, setStatus] = useState('OPEN');
  const [rule, setRule] = useState('');
  const [subject, setSubject] = useState('');
  const q = useLoad(async () => {
    const all: any[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 20; i++) {
      const b = await api('GET', `/v1/supervision/findings?limit=100${status ? `&status=${status}` : ''}${rule ? `&rule=${encodeURIComponent(rule)}` : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      all.push(...itemsOf(b));
      cursor = b?.nextCursor;
      if (!cursor) break;
    }
    return all;
  }, [status, rule]);
  const [resolving, setResolving] = useState<string>();
  const [note, setNote] = useState('');
  const a = useAction();
  const rows = (q.data ?? []).filter((f: any) => !subject || String(f.subject ?? '').includes(subject));
  return html`<section><h2>稽核发现 Findings</h2>
    <form class="row" onSubmit=${(e: Event) => e.preventDefault()}>
      <${Field} label="状态 status" name="finding-status" value=${status} onInput=${setStatus} options=${[['OPEN', '待处理 OPEN'], ['RESOLVED', '已处理 RESOLVED']]} />
      <${Field} label="规则 rule" name="finding-rule" value=${rule} onInput=${setRule} />
      <${Field} label="对象 subject" name="finding-subject" value=${subject} onInput=${setSubject} />
    </form>
    <${Loading} on=${q.loading} /><${Err} msg=${q.error} />
    <p class="muted" aria-live="polite">共 ${rows.length} 条 (findings)</p>
    <${Table} caption="稽核发现" rows=${rows.slice(0, 200)} cols=${[
      ['findingId', 'findingId'], ['rule', '规则 rule'], ['severity', '级别 severity'], ['subject', '对象 subject'], ['lastSeenAt', '最近发现', (r: any) => fmt(r.lastSeenAt ?? r.firstSeenAt ?? r.createdAt)], ['status', '状态', (r: any) => st(r.status)],
      ['', '操作', (r: any) => (r.status === 'OPEN' ? html`<button class="secondary" onClick=${() => setResolving(r.findingId)} aria-label=${`处理 ${r.subject ?? r.findingId}`}>处理</button>` : fmt(r.resolution?.note ?? r.note))],
    ]} />
    ${resolving ? html`<form onSubmit=${(e: Event) => { e.preventDefault(); a.run(async () => { await api('POST', `/v1/supervision/findings/${encodeURIComponent(resolving)}/resolve`, { note }); setResolving(undefined); setNote(''); q.reload(); return `已处理 ${resolving}`; }); }}>
      <label for="resolve-note">处理说明 note（${resolving}）<textarea id="resolve-note" required value=${note} onInput=${(e: any) => setNote(e.currentTarget.value)}></textarea></label>
      <button class="primary" disabled=${a.busy}>确认处理 Resolve</button></form>` : null}
    <${Outcome} a=${a} />
  </section>`;
}

function Runs() {
  const [audit, setAudit] = useState<string>();
  const [recon, setRecon] = useState<string>();
  const [date, setDate] = useState(addDays(businessDate(), -1));
  const a = useAction();
  const b = useAction();
  const [auditId, setAuditId] = useState('');
  return html`<section><h2>稽核运行与银行对账 Audit runs & reconciliations</h2>
    <section class="card wide" aria-labelledby="audit-run-h"><h3 id="audit-run-h">电子稽核 Audit run</h3>
      <div class="row"><button class="primary" disabled=${a.busy} onClick=${() => a.run(async () => { const r = await api('POST', '/v1/supervision/audit-runs', {}); setAudit(r.runId); return `已启动 ${r.runId}`; })}>立即稽核 Run now</button></div>
      <form class="row" onSubmit=${(e: Event) => { e.preventDefault(); setAudit(auditId); }}><${Field} label="查看运行 runId" name="audit-run-id" value=${auditId} onInput=${setAuditId} /><button class="secondary">查看</button></form>
      <${Result} a=${a} />${audit ? html`<${RunProgress} path=${`/v1/supervision/audit-runs/${encodeURIComponent(audit)}`} />` : null}</section>
    <section class="card wide" aria-labelledby="recon-h"><h3 id="recon-h">银行对账 Bank reconciliation</h3>
      <form onSubmit=${(e: Event) => { e.preventDefault(); b.run(async () => { const r = await api('POST', '/v1/bank/reconciliations', { date }); setRecon(r.runId); return `已启动 ${r.runId}`; }); }}>
        <${Field} label="对账日 date" name="recon-date" type="date" value=${date} onInput=${setDate} required />
        <button class="primary" disabled=${b.busy}>对账 Reconcile</button></form>
      <${Result} a=${b} />${recon ? html`<${RunProgress} path=${`/v1/bank/reconciliations/${encodeURIComponent(recon)}`} />` : null}</section>
  </section>`;
}

// ---------- unit agent ----------
function Employees({ unitId }: { unitId: string }) {
  const q = useLoad(() => api('GET', `/v1/units/${encodeURIComponent(unitId)}/employees?limit=100`), [unitId]);
  const [f, setF] = useState({ name: '', idNumber: '', monthlyBase: '' });
  const a = useAction();
  const seal = useAction();
  return html`<section><h2>职工 Employees（单位 ${unitId}）</h2>
    <form onSubmit=${(e: Event) => { e.preventDefault(); a.run(async () => { const r = await api('POST', `/v1/units/${encodeURIComponent(unitId)}/employees`, f); q.reload(); return `已开户 ${r.accountNo ?? ''}`; }); }}>
      <h3>新增职工 Hire</h3>
      <${Field} label="姓名 name" name="hire-name" value=${f.name} onInput=${(v: string) => setF({ ...f, name: v })} required />
      <${Field} label="身份证号 idNumber" name="hire-id" value=${f.idNumber} onInput=${(v: string) => setF({ ...f, idNumber: v })} required />
      <${Field} label="月缴存基数(元) monthlyBase" name="hire-base" value=${f.monthlyBase} onInput=${(v: string) => setF({ ...f, monthlyBase: v })} required />
      <button class="primary" disabled=${a.busy}>开户 Hire</button><${Outcome} a=${a} /></form>
    <${Loading} on=${q.loading} /><${Err} msg=${q.error} />
    <${Table} caption="本单位职工" rows=${itemsOf(q.data)} cols=${[['accountNo', '账号 accountNo'], ['name', '姓名 name'], ['monthlyBase', '基数 monthlyBase'], ['status', '状态 status'],
      ['', '操作', (r: any) => (r.status === 'NORMAL' ? html`<button class="secondary" disabled=${seal.busy} onClick=${() => seal.run(async () => { await api('POST', `/v1/units/${encodeURIComponent(unitId)}/employees/${r.accountNo}/seal`, {}); q.reload(); return `已封存 ${r.accountNo}`; })}>封存 Seal</button>` : '')]]} />
    <${Outcome} a=${seal} /></section>`;
}

/** 年度缴存基数调整: one line per employee, "accountNo monthlyBase". */
function BaseAdjustment({ unitId }: { unitId: string }) {
  const [year, setYear] = useState(businessDate().slice(0, 4));
  const [lines, setLines] = useState('');
  const a = useAction();
  const items = () =>
    lines.split(/\n/).map((l) => l.trim()).filter(Boolean).map((l) => {
      const [accountNo = '', monthlyBase = ''] = l.split(/[\s,，]+/);
      return { accountNo, monthlyBase };
    });
  return html`<section><h2>缴存基数调整 Base adjustment（单位 ${unitId}）</h2>
    <form onSubmit=${(e: Event) => { e.preventDefault(); a.run(async () => { const its = items(); const r = await api('POST', `/v1/units/${encodeURIComponent(unitId)}/base-adjustments`, { year: Number(year), items: its }); return `已调整 ${year} 年度基数 ${r?.adjustmentId ?? ''}：${r?.count ?? its.length} 人，自 ${r?.fromPeriod ?? '—'} 起`; }); }}>
      <${Field} label="年度 year" name="base-year" type="number" value=${year} onInput=${setYear} required />
      <label for="base-lines">职工与新基数 items（每行：个人账号 月缴存基数(元)，如 330100000125 8000）<textarea id="base-lines" rows="5" value=${lines} required onInput=${(e: any) => setLines(e.currentTarget.value)}></textarea></label>
      <button class="primary" disabled=${a.busy}>提交调整 Submit</button><${Result} a=${a} /></form></section>`;
}

const KINDS: Record<string, string> = { REGULAR: '正常汇缴', BACKPAY: '补缴' };

/** The unit's remittance lists (GET /v1/units/{unitId}/remittances, newest period first): what was due, paid and credited; a new one. */
function Remittances({ unitId }: { unitId: string }) {
  const [period, setPeriod] = useState(periodOf(businessDate()));
  const [shown, setShown] = useState<{ id: string; n: number }>();
  const list = useLoad(() => api('GET', `/v1/units/${encodeURIComponent(unitId)}/remittances?limit=24`), [unitId]);
  const a = useAction();
  const show = (id: string) => setShown({ id, n: (shown?.n ?? 0) + 1 });
  return html`<section><h2>汇缴 Remittances（单位 ${unitId}）</h2>
    <form onSubmit=${(e: Event) => { e.preventDefault(); a.run(async () => { const r = await api('POST', `/v1/units/${encodeURIComponent(unitId)}/remittances`, { period }); list.reload(); show(r.remittanceId); return `已生成汇缴单 ${r.remittanceId}`; }); }}>
      <h3>生成汇缴单 Create</h3>
      <${Field} label="所属月份 period (YYYY-MM)" name="remit-period" value=${period} onInput=${setPeriod} required pattern="[0-9]{4}-[0-9]{2}" />
      <button class="primary" disabled=${a.busy}>生成 Create</button><${Result} a=${a} /></form>
    <h3>汇缴清单 Remittance lists</h3>
    <p class="muted">按所属月份倒序：应缴、银行到账、已入账（记入职工账户）与未入账（账户已销户等）。</p>
    <button class="secondary" onClick=${list.reload}>刷新 Refresh</button>
    <${Loading} on=${list.loading} /><${Err} msg=${list.error} />
    <${Table} caption="本单位汇缴单" rows=${itemsOf(list.data)} cols=${[
      ['remittanceId', 'remittanceId'],
      ['period', '月份 period'],
      ['kind', '类型 kind', (r: any) => `${KINDS[r.kind] ?? ''} ${r.kind}`.trim()],
      ['status', '状态 status', (r: any) => html`<span data-status=${r.status}>${st(r.status)}</span>`],
      ['totalAmount', '应缴(元) totalAmount', (r: any) => `${r.headcount ?? '—'} 人 · ${fmt(r.totalAmount)}`],
      ['settlement', '到账 settlement', (r: any) => (r.settlement ? `${r.settlement.amount}（${r.settlement.settledOn}）` : '—')],
      ['postedAmount', '已入账 credited', (r: any) => html`<span data-testid="credited">${r.postedCount ?? 0} 人 · ${fmt(r.postedAmount)}</span>`],
      ['skippedAmount', '未入账 skipped', (r: any) => `${r.skippedCount ?? 0} 人 · ${fmt(r.skippedAmount)}`],
      ['', '', (r: any) => html`<button class="secondary" onClick=${() => show(r.remittanceId)} aria-label=${`状态 Status ${r.remittanceId}`}>状态 Status</button>`],
    ]} />
    ${shown ? html`<h3>汇缴单 ${shown.id}</h3><${RunProgress} key=${`${shown.id}-${shown.n}`} path=${`/v1/remittances/${encodeURIComponent(shown.id)}`} />` : null}
  </section>`;
}

// ---------- member ----------
function MyAccount({ accountNo }: { accountNo: string }) {
  const acct = useLoad(() => api('GET', `/v1/accounts/${accountNo}`), [accountNo]);
  const entries = useLoad(() => api('GET', `/v1/accounts/${accountNo}/entries?limit=50`), [accountNo]);
  return html`<section><h2>我的账户 My account ${accountNo}</h2><${Loading} on=${acct.loading} /><${Err} msg=${acct.error} />
    ${acct.data ? html`<div class="tiles"><div class="tile"><div class="muted">余额(元) balance</div><div class="v" data-testid="balance">${fmt(acct.data.balance)}</div></div><div class="tile"><div class="muted">状态 status</div><div class="v">${fmt(acct.data.status)}</div></div></div><${KV} obj=${acct.data} />` : null}
    <h3>明细 Statement</h3><${Err} msg=${entries.error} />
    <${Table} caption="账户明细" rows=${itemsOf(entries.data)} cols=${[['valueDate', '日期 valueDate'], ['type', '类型 type'], ['amount', '金额 amount'], ['balanceAfter', '余额 balanceAfter'], ['ref', '业务 ref']]} /></section>`;
}

const HOUSING_KINDS: [string, string][] = [['PUBLIC_RENTAL', '公租房 PUBLIC_RENTAL'], ['AFFORDABLE_RENTAL', '保障性租赁住房 AFFORDABLE_RENTAL'], ['COMMERCIAL', '商品住房 COMMERCIAL']];

/** 租房提取 (POST /v1/withdrawals, reason RENT) and the account's withdrawals with their status. */
function RentWithdrawal({ accountNo }: { accountNo: string }) {
  const [f, setF] = useState({ amount: '', payeeBankAccount: '', housingKind: 'PUBLIC_RENTAL', leaseContractNo: '', rentReceiptNo: '', noHouseCertificateNo: '' });
  const list = useLoad(() => api('GET', `/v1/accounts/${encodeURIComponent(accountNo)}/withdrawals?limit=50`), [accountNo]);
  const a = useAction();
  const set = (k: string) => (v: string) => setF({ ...f, [k]: v });
  const commercial = f.housingKind === 'COMMERCIAL';
  const evidence = () => (commercial ? { housingKind: f.housingKind, noHouseCertificateNo: f.noHouseCertificateNo } : { housingKind: f.housingKind, leaseContractNo: f.leaseContractNo, rentReceiptNo: f.rentReceiptNo });
  return html`<section><h2>租房提取 Rent withdrawal</h2>
    <form aria-labelledby="rent-h" onSubmit=${(e: Event) => { e.preventDefault(); a.run(async () => { const r = await api('POST', '/v1/withdrawals', { accountNo, amount: f.amount, payeeBankAccount: f.payeeBankAccount, reason: 'RENT', evidence: evidence() }); list.reload(); return `已提交 ${r.withdrawalId}：${st(r.status)}${r.reviewDueOn ? `，审核期限 ${r.reviewDueOn}` : ''}`; }); }}>
      <h3 id="rent-h">申请 Apply</h3>
      <${Field} label="金额(元) amount" name="rent-amount" value=${f.amount} onInput=${set('amount')} required />
      <${Field} label="收款银行账号 payeeBankAccount" name="rent-payee" value=${f.payeeBankAccount} onInput=${set('payeeBankAccount')} required />
      <${Field} label="住房类型 housingKind" name="rent-kind" value=${f.housingKind} onInput=${set('housingKind')} options=${HOUSING_KINDS} />
      ${commercial
        ? html`<${Field} label="无房证明编号 noHouseCertificateNo" name="rent-nohouse" value=${f.noHouseCertificateNo} onInput=${set('noHouseCertificateNo')} required />`
        : html`<${Field} label="租赁合同号 leaseContractNo" name="rent-lease" value=${f.leaseContractNo} onInput=${set('leaseContractNo')} required />
          <${Field} label="租金收据号 rentReceiptNo" name="rent-receipt" value=${f.rentReceiptNo} onInput=${set('rentReceiptNo')} required />`}
      <button class="primary" disabled=${a.busy}>提交 Submit</button><${Result} a=${a} /></form>
    <h3>我的提取 My withdrawals</h3>
    <button class="secondary" onClick=${list.reload}>刷新 Refresh</button>
    <${Loading} on=${list.loading} /><${Err} msg=${list.error} />
    <${Table} caption="我的提取记录" rows=${itemsOf(list.data)} cols=${[
      ['withdrawalId', '业务号 withdrawalId'],
      ['reason', '原因 reason', (r: any) => `${REASONS[r.reason] ?? ''} ${r.reason}`.trim()],
      ['amount', '金额(元) amount'],
      ['status', '状态 status', (r: any) => html`<span data-status=${r.status}>${st(r.status)}</span>`],
      ['payment', '银行支付 payment', (r: any) => (r.payment ? html`<span data-payment-status=${r.payment.status}>${st(r.payment.status)}</span>` : '—')],
      ['submittedAt', '提交时间 submittedAt'],
    ]} /></section>`;
}

const LIMIT_NAMES: Record<string, string> = { productCap: '产品上限 productCap', balanceMultiple: '余额倍数 balanceMultiple', loanToValue: '贷款成数 loanToValue', repaymentCapacity: '还款能力 repaymentCapacity' };

function LoanQuote({ accountNo }: { accountNo: string }) {
  const [f, setF] = useState({ housePrice: '', termMonths: '360', monthlyIncome: '', firstHome: 'true', borrowerCategory: 'STANDARD', location: 'DISTRICT', repaymentMethod: 'EQUAL_INSTALLMENT' });
  const [quote, setQuote] = useState<any>();
  const a = useAction();
  const set = (k: string) => (v: string) => setF({ ...f, [k]: v });
  return html`<section><h2>贷款试算 Loan quote</h2>
    <form onSubmit=${(e: Event) => { e.preventDefault(); a.run(async () => { setQuote(await api('POST', '/v1/loan-quotes', { accountNo, housePrice: f.housePrice, termMonths: Number(f.termMonths), monthlyIncome: f.monthlyIncome, firstHome: f.firstHome === 'true', borrowerCategory: f.borrowerCategory, location: f.location, repaymentMethod: f.repaymentMethod })); return ''; }); }}>
      <${Field} label="房价(元) housePrice" name="quote-price" value=${f.housePrice} onInput=${set('housePrice')} required />
      <${Field} label="期限(月) termMonths" name="quote-term" type="number" value=${f.termMonths} onInput=${set('termMonths')} required />
      <${Field} label="月收入(元) monthlyIncome" name="quote-income" value=${f.monthlyIncome} onInput=${set('monthlyIncome')} required />
      <${Field} label="首套房 firstHome" name="quote-first" value=${f.firstHome} onInput=${set('firstHome')} options=${[['true', '是 首套'], ['false', '否 二套']]} />
      <${Field} label="借款人类别 borrowerCategory" name="quote-category" value=${f.borrowerCategory} onInput=${set('borrowerCategory')} options=${[['STANDARD', '一般 STANDARD'], ['TALENT', '人才 TALENT'], ['GRASSROOTS_CIVIL_SERVANT', '基层公务员 GRASSROOTS_CIVIL_SERVANT']]} />
      <${Field} label="房屋位置 location" name="quote-location" value=${f.location} onInput=${set('location')} options=${[['DISTRICT', '市区 DISTRICT'], ['COUNTY', '县域 COUNTY']]} />
      <${Field} label="还款方式 repaymentMethod" name="quote-method" value=${f.repaymentMethod} onInput=${set('repaymentMethod')} options=${[['EQUAL_INSTALLMENT', '等额本息 EQUAL_INSTALLMENT'], ['EQUAL_PRINCIPAL', '等额本金 EQUAL_PRINCIPAL']]} />
      <button class="primary" disabled=${a.busy}>试算 Quote</button><${Err} msg=${a.error} /></form>
    ${quote ? html`<div class="card" data-testid="quote"><p>可贷最高额 maxAmount：<strong data-testid="max-amount">${fmt(quote.maxAmount)}</strong> 元（约束 binding：${LIMIT_NAMES[quote.binding] ?? fmt(quote.binding)}）</p>
      <${Table} caption="四项额度 The four limits" rows=${Object.entries(quote.limits ?? {}).map(([k, v]) => ({ k, v }))} cols=${[['k', '额度 limit', (r: any) => LIMIT_NAMES[r.k] ?? r.k], ['v', '金额(元)', (r: any) => html`<span class=${r.k === quote.binding ? 'ok' : ''}>${fmt(r.v)}</span>`]]} />
      <${KV} obj=${Object.fromEntries(Object.entries(quote).filter(([k]) => k !== 'limits'))} /></div>` : null}
  </section>`;
}

/** A loan of the member's (or a clerk's lookup): its figures and schedule; once CLOSED, its payoff certificate. */
function LoanSchedule() {
  const [id, setId] = useState('');
  const [shown, setShown] = useState<{ loan: any; schedule: any }>();
  const a = useAction();
  const loan = shown?.loan;
  return html`<section><h2>我的贷款 My loan · 还款计划 Loan schedule</h2>
    <form onSubmit=${(e: Event) => { e.preventDefault(); a.run(async () => { setShown(undefined); const path = `/v1/loans/${encodeURIComponent(id.trim())}`; const [l, sc] = await Promise.all([api('GET', path), api('GET', `${path}/schedule`)]); setShown({ loan: l, schedule: sc }); return ''; }); }}>
      <${Field} label="贷款号 loanId" name="schedule-loan" value=${id} onInput=${setId} required /><button class="primary" disabled=${a.busy}>查询 Look up</button><${ProblemView} p=${a.problem} /></form>
    ${loan ? html`<div class="tiles" data-testid="loan">
        <div class="tile"><div class="muted">状态 status</div><div class="v" data-testid="loan-status" data-status=${loan.status}>${loanSt(loan.status)}</div></div>
        <div class="tile"><div class="muted">贷款本金(元) principal</div><div class="v">${fmt(loan.principal)}</div></div>
        <div class="tile"><div class="muted">剩余本金(元) outstandingPrincipal</div><div class="v" data-testid="loan-outstanding">${fmt(loan.outstandingPrincipal)}</div></div>
        <div class="tile"><div class="muted">年利率 annualRate</div><div class="v">${fmt(loan.annualRate)}%</div></div>
        <div class="tile"><div class="muted">下期应还 nextDue</div><div class="v">${loan.nextDue ? `${loan.nextDue.dueDate} · ${loan.nextDue.amount}` : '—'}</div></div>
        <div class="tile"><div class="muted">逾期 overdue</div><div class="v">${loan.overdue?.installments ?? 0} 期 · ${fmt(loan.overdue?.amount)}</div></div>
        <div class="tile"><div class="muted">到期日 maturityDate</div><div class="v">${fmt(loan.maturityDate)}</div></div>
        ${loan.paidOffOn ? html`<div class="tile"><div class="muted">结清日 paidOffOn</div><div class="v">${loan.paidOffOn}</div></div>` : null}
      </div>
      ${loan.status === 'CLOSED' ? html`<${CertificateDownload} kind="payoff" title="贷款结清证明 Payoff certificate" path=${`/v1/loans/${encodeURIComponent(loan.loanId)}/payoff-certificate`} fileName=${`payoff-certificate-${loan.loanId}.pdf`} />` : null}
      <${Table} caption="还款计划" rows=${itemsOf(shown!.schedule?.installments ?? shown!.schedule)} cols=${[
        ['no', '期次 no'], ['dueDate', '应还日 dueDate', (r: any) => html`${r.dueDate}${r.deferredFrom ? html`<br /><span class="muted">原 ${r.deferredFrom}</span>` : null}`], ['payment', '月供 payment'], ['principal', '本金 principal'], ['interest', '利息 interest'], ['remainingPrincipal', '剩余本金 remainingPrincipal'], ['status', '状态 status', (r: any) => st(r.status)],
      ]} />` : null}</section>`;
}

/**
 * A certificate (GET `path`): its data first (number and verification code), then the same
 * certificate as a PDF to download (the API answers the latest again while what it states is
 * unchanged), and the public verification route's answer for its code.
 */
function CertificateDownload({ kind, title, path, fileName }: { kind: string; title: string; path: string; fileName: string }) {
  const [cert, setCert] = useState<any>();
  const [link, setLink] = useState<string>();
  const [check, setCheck] = useState<any>();
  const a = useAction();
  useEffect(() => () => link && URL.revokeObjectURL(link), [link]);
  const generate = () =>
    a.run(async () => {
      setCert(undefined);
      setCheck(undefined);
      const data = await api('GET', path);
      const pdf = await api<Blob>('GET', path, undefined, 'application/pdf');
      setCert(data);
      setLink(URL.createObjectURL(pdf));
      setCheck(await api('GET', `/v1/certificates/${encodeURIComponent(data.verificationCode)}`).catch((e) => ({ error: (e as Error).message })));
      return `已生成 Ready：${data.certificateNo}`;
    });
  return html`<section class="card" aria-labelledby=${`${kind}-cert-h`}><h3 id=${`${kind}-cert-h`}>${title}</h3>
    <p class="muted">PDF 带证明编号、验证码和核验二维码；任何人可凭验证码核验。</p>
    <div class="row"><button class="primary" disabled=${a.busy} onClick=${generate}>${cert ? '重新生成 Regenerate' : '生成证明 Generate'}</button>
      ${link && cert ? html`<a href=${link} download=${fileName} data-testid=${`${kind}-download`}>下载 PDF Download（${cert.certificateNo}）</a>` : null}</div>
    ${cert ? html`<dl class="kv">
        <dt>证明编号 certificateNo</dt><dd data-testid=${`${kind}-certificate-no`}>${cert.certificateNo}</dd>
        <dt>验证码 verificationCode</dt><dd><strong data-testid=${`${kind}-verification-code`}>${cert.verificationCode}</strong></dd>
        <dt>出具时间 issuedAt</dt><dd>${fmt(cert.issuedAt)}</dd>
        <dt>核验 verification</dt><dd data-testid=${`${kind}-verified`}>${check ? (check.valid === true ? '有效 valid' : check.error ? `未能核验：${check.error}` : '无效 not valid') : '核验中…'}</dd>
        <dt>核验网址 verificationUrl</dt><dd><a href=${cert.verificationUrl}>${cert.verificationUrl}</a></dd>
      </dl>` : null}
    <${Result} a=${a} /></section>`;
}

function Certificates({ accountNo }: { accountNo: string }) {
  return html`<section><h2>证明 Certificates</h2>
    <${CertificateDownload} kind="deposit" title="缴存证明 Deposit certificate" path=${`/v1/accounts/${encodeURIComponent(accountNo)}/deposit-certificate`} fileName=${`deposit-certificate-${accountNo}.pdf`} />
    <p class="muted">贷款结清证明：在「还款计划」中查询已结清 (CLOSED) 的贷款后下载。</p></section>`;
}

// ---------- shell ----------
type Page = { key: string; label: string; view: () => any };

function pagesFor(claims: Record<string, any>, nav: { detail?: string; setDetail: (id?: string) => void; onDashboard: () => void }): Page[] {
  const role = claims.role;
  if (role === 'staff' || role === 'admin')
    return [
      { key: 'queue', label: '审核队列', view: () => (nav.detail ? html`<${WithdrawalDetail} id=${nav.detail} back=${() => nav.setDetail(undefined)} />` : html`<${ReviewQueue} open=${nav.setDetail} />`) },
      { key: 'loanQueue', label: '贷款审批', view: () => html`<${LoanQueue} />` },
      { key: 'suspense', label: '待查款项', view: () => html`<${Suspense} />` },
      { key: 'lookup', label: '账户查询', view: () => html`<${AccountLookup} />` },
      { key: 'deferrals', label: '缓缴缓还', view: () => html`<${Deferrals} />` },
      { key: 'loans', label: '贷款查询', view: () => html`<${LoanSchedule} />` },
    ];
  if (role === 'auditor')
    return [
      { key: 'dash', label: '基金看板', view: () => html`<${Dashboard} onReady=${nav.onDashboard} />` },
      { key: 'findings', label: '稽核发现', view: () => html`<${Findings} />` },
      { key: 'runs', label: '稽核与对账', view: () => html`<${Runs} />` },
    ];
  if (role === 'unit' && claims.unitId)
    return [
      { key: 'employees', label: '职工', view: () => html`<${Employees} unitId=${claims.unitId} />` },
      { key: 'remit', label: '汇缴', view: () => html`<${Remittances} unitId=${claims.unitId} />` },
      { key: 'base', label: '基数调整', view: () => html`<${BaseAdjustment} unitId=${claims.unitId} />` },
    ];
  if (role === 'member' && claims.accountNo)
    return [
      { key: 'account', label: '我的账户', view: () => html`<${MyAccount} accountNo=${claims.accountNo} />` },
      { key: 'rent', label: '租房提取', view: () => html`<${RentWithdrawal} accountNo=${claims.accountNo} />` },
      { key: 'quote', label: '贷款试算', view: () => html`<${LoanQuote} accountNo=${claims.accountNo} />` },
      { key: 'schedule', label: '还款计划', view: () => html`<${LoanSchedule} />` },
      { key: 'certs', label: '证明', view: () => html`<${Certificates} accountNo=${claims.accountNo} />` },
    ];
  return [];
}

function Shell({ session, signOut }: { session: Session; signOut: () => void }) {
  const [detail, setDetail] = useState<string>();
  const pages = pagesFor(session.claims, { detail, setDetail, onDashboard: () => ((window as any).__dashboardReady = performance.now()) });
  const [cur, setCur] = useState(pages[0]?.key);
  const page = pages.find((p) => p.key === cur) ?? pages[0];
  const c = session.claims;
  return html`<a class="skip" href="#main">跳到正文 Skip to content</a>
    <header><h1>住房公积金业务控制台</h1><span class="who">${ROLE_NAMES[c.role] ?? c.role} · ${c.accountNo ?? c.unitId ?? (c.branch ? `网点 ${c.branch}` : c.sub)}</span>
      <button class="secondary" onClick=${signOut}>退出 Sign out</button></header>
    <nav aria-label="功能 Pages"><ul>${pages.map((p) => html`<li><button aria-current=${p.key === page?.key ? 'page' : undefined} onClick=${() => { setCur(p.key); setDetail(undefined); }}>${p.label}</button></li>`)}</ul></nav>
    <main id="main" tabindex="-1">${page ? page.view() : html`<p class="error">此角色没有可用页面 (no pages for this role)</p>`}</main>`;
}

function LocalSignIn({ onToken }: { onToken: (t: string) => void }) {
  const [f, setF] = useState({ role: 'staff', accountNo: '', unitId: '', branch: '*' });
  const a = useAction();
  const set = (k: string) => (v: string) => setF({ ...f, [k]: v });
  return html`<main id="main"><h1>开发登录 Development sign-in</h1>
    <p class="muted">本地运行环境专用：为所选角色签发开发令牌（POST /_local/token）。令牌只保存在内存中。</p>
    <form onSubmit=${(e: Event) => { e.preventDefault(); a.run(async () => { const r = await fetch('/_local/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(Object.fromEntries(Object.entries(f).filter(([k, v]) => v && (k === 'role' || (k === 'accountNo' && f.role === 'member') || (k === 'unitId' && f.role === 'unit') || (k === 'branch' && f.role === 'staff'))))) }); const b = await r.json(); if (!r.ok) throw new Error(b.error ?? r.statusText); onToken(b.token); }); }}>
      <${Field} label="角色 role" name="role" value=${f.role} onInput=${set('role')} options=${Object.entries(ROLE_NAMES)} />
      ${f.role === 'member' ? html`<${Field} label="个人账号 accountNo" name="accountNo" value=${f.accountNo} onInput=${set('accountNo')} required />` : null}
      ${f.role === 'unit' ? html`<${Field} label="单位编号 unitId" name="unitId" value=${f.unitId} onInput=${set('unitId')} required />` : null}
      ${f.role === 'staff' ? html`<${Field} label="网点 branch（* = 全市）" name="branch" value=${f.branch} onInput=${set('branch')} required />` : null}
      <button class="primary" disabled=${a.busy}>登录 Sign in</button><${Err} msg=${a.error} /></form></main>`;
}

const redirectUri = () => `${location.origin}/`;

async function discover(issuer: string) {
  const r = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!r.ok) throw new Error(`OIDC discovery failed: ${r.status}`);
  return (await r.json()) as { authorization_endpoint: string; token_endpoint: string };
}

async function startOidc(cfg: Config) {
  const meta = await discover(cfg.issuer!);
  const verifier = newVerifier();
  const state = newVerifier();
  sessionStorage.setItem('hpf.pkce', JSON.stringify({ verifier, state }));
  location.assign(authorizeUrl({ authorizationEndpoint: meta.authorization_endpoint, clientId: cfg.clientId!, redirectUri: redirectUri(), challenge: await challengeOf(verifier), state, audience: cfg.audience, scope: cfg.scope }));
}

/** Back from the issuer with ?code&state (or ?error): drop them from the address bar, then exchange the code. */
async function finishOidc(cfg: Config): Promise<string | undefined> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const refused = params.get('error');
  if (!code && !refused) return undefined;
  const saved = JSON.parse(sessionStorage.getItem('hpf.pkce') ?? '{}');
  sessionStorage.removeItem('hpf.pkce');
  history.replaceState(null, '', '/');
  if (refused || !code) throw new Error(`登录被拒绝 sign-in refused: ${refused}${params.get('error_description') ? ` — ${params.get('error_description')}` : ''}`);
  if (!saved.verifier || saved.state !== params.get('state')) throw new Error('登录状态不匹配 (state mismatch)');
  const meta = await discover(cfg.issuer!);
  const r = await fetch(meta.token_endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: tokenRequestBody({ code, verifier: saved.verifier, clientId: cfg.clientId!, redirectUri: redirectUri() }) });
  if (!r.ok) throw new Error(`令牌交换失败 token exchange failed: ${r.status}`);
  const t = await r.json();
  // the access token (its audience the API's): an ID token is for the console, not for the API
  if (typeof t.access_token !== 'string' || !t.access_token) throw new Error('令牌交换失败 token exchange failed: no access_token');
  return t.access_token;
}

function App({ cfg }: { cfg: Config }) {
  const [session, setSession] = useState<Session>();
  const [error, setError] = useState<string>();
  // back from the issuer: exchanging the code (no sign-in button meanwhile)
  const [exchanging, setExchanging] = useState(() => cfg.mode !== 'local' && /[?&](code|error)=/.test(location.search));
  const accept = (t: string) => {
    setToken(t);
    setSession({ claims: decodeClaims(t) });
  };
  useEffect(() => {
    if (cfg.mode !== 'local')
      finishOidc(cfg)
        .then((t) => t && accept(t), (e) => setError((e as Error).message))
        .finally(() => setExchanging(false));
  }, []);
  const signOut = () => {
    setToken('');
    setSession(undefined);
  };
  if (session) return html`<${Shell} session=${session} signOut=${signOut} />`;
  if (cfg.mode === 'local') return html`<${LocalSignIn} onToken=${accept} />`;
  if (exchanging) return html`<main id="main"><h1>住房公积金业务控制台</h1><p class="muted" aria-live="polite">登录中… Signing in…</p></main>`;
  return html`<main id="main"><h1>住房公积金业务控制台</h1><${Err} msg=${error} />
    <button class="primary" onClick=${() => startOidc(cfg).catch((e) => setError((e as Error).message))}>统一身份认证登录 Sign in</button></main>`;
}

async function boot() {
  let cfg: Config = { mode: 'local' };
  try {
    const r = await fetch('/config.json');
    if (r.ok) cfg = await r.json();
  } catch {
    /* local default */
  }
  if (cfg.apiBase) setApiBase(cfg.apiBase);
  if (!cfg.mode) cfg.mode = cfg.issuer ? 'oidc' : 'local';
  const root = document.getElementById('app')!;
  root.textContent = '';
  render(html`<${App} cfg=${cfg} />`, root);
}
boot();
