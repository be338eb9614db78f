// Quote, application and the co-borrower's consent (domain.md §4 "Co-borrowers", api.md v1.1).
import { commit, type IdempotencyContext } from '../../../shared/tx.ts';
import { DomainError } from '../../../shared/errors.ts';
import { staffCovers, notFound, forbidden, type Caller } from '../../../shared/auth.ts';
import { businessDate, nowIso, periodOf } from '../../../shared/clock.ts';
import { newId } from '../../../shared/ids.ts';
import { fenToYuan, percentString } from '../../../shared/money.ts';
import { policyOn } from '../../../shared/policy.ts';
import { parseResidentId } from '../../../shared/validators.ts';
import { consecutiveDepositMonths, unitDeferrals } from '../../deposits/public.ts';
import { archiveItem } from '../../../shared/archive.ts';
import { getAccounts, type Account } from '../../../shared/ledger/ledger.ts';
import { planAttachDocuments } from '../../documents/public.ts';
import { ineligibilities, quoteInput, type Loan, type LoanApplication } from '../domain/loan.ts';
import { quoteLoan } from '../domain/quote.ts';
import { quoteView } from '../domain/views.ts';
import { consentMissing, consentValid, consentView, newConsent, useConsent, withdrawConsent, type CoBorrowerConsent } from '../domain/consent.ts';
import { CO_BORROWER_CONSENT_VALID_DAYS } from '../domain/policy.ts';
import { consentItem, consentsOf, getConsent, getFlags, loanWriteItems } from '../store.ts';
import { ownAccount } from './access.ts';
import { loanArchive } from './archive.ts';

interface CoBorrower {
  account?: Account;
  /** The consent the application uses (none: no co-borrower, or staff with a paper consent). */
  consent?: CoBorrowerConsent;
}

/**
 * The co-borrower an application names: a member needs a valid consent the co-borrower gave for this
 * borrower; staff of the co-borrower's branch need none (paper consent). Without one: 422 NOT_ELIGIBLE
 * CO_BORROWER_CONSENT_MISSING, the same answer whether the account exists or not.
 */
async function coBorrowerOf(caller: Caller, app: LoanApplication, today: string): Promise<CoBorrower> {
  const coNo = app.coBorrowerAccountNo;
  if (!coNo) return {};
  if (coNo === app.accountNo) {
    throw new DomainError('VALIDATION_FAILED', 'The co-borrower must be another person / 共同借款人不能是借款人本人', [{ path: 'body.coBorrowerAccountNo', message: 'same as accountNo' }]);
  }
  const [account] = (await getAccounts([coNo])).values();
  if (account && staffCovers(caller, account.branch)) return { account };
  const consent = (await consentsOf(coNo)).find((c) => consentValid(c, app.accountNo, today));
  if (!consent || !account) return consentMissing();
  return { account, consent };
}

export async function quote(caller: Caller, app: LoanApplication) {
  const today = businessDate();
  const borrower = await ownAccount(caller, app.accountNo);
  const co = await coBorrowerOf(caller, app, today);
  return quoteView(quoteLoan(quoteInput(app, borrower.balanceFen + (co.account?.balanceFen ?? 0), policyOn(today))));
}

export async function applyForLoan(caller: Caller, app: LoanApplication & { amountFen: number; documentIds?: readonly string[] }, idempotency: IdempotencyContext | undefined) {
  const loanId = newId('L');
  return commit({
    idempotency,
    plan: async () => {
      const today = businessDate();
      const policy = policyOn(today);
      const borrower = await ownAccount(caller, app.accountNo);
      const co = await coBorrowerOf(caller, app, today);
      const q = quoteLoan(quoteInput(app, borrower.balanceFen + (co.account?.balanceFen ?? 0), policy));
      const person = parseResidentId(borrower.idNumber);
      const flags = await getFlags([borrower.accountNo, ...(co.account ? [co.account.accountNo] : [])]);
      const applicant = (a: Account) => ({ accountNo: a.accountNo, status: a.status, activeLoanId: flags.get(a.accountNo)!.activeLoanId, hasOverdueLoan: flags.get(a.accountNo)!.hasOverdueLoan });
      const reasons = ineligibilities(
        {
          borrower: applicant(borrower),
          coBorrower: co.account && applicant(co.account),
          consecutiveDepositMonths: consecutiveDepositMonths(borrower.paidPeriods ?? [], await unitDeferrals(borrower.unitId), periodOf(today)),
          birthDate: person.birthDate,
          gender: person.gender,
          today,
          termMonths: app.termMonths,
          amountFen: app.amountFen,
          maxAmountFen: q.maxAmountFen,
        },
        policy.loans,
      );
      if (reasons.length) throw new DomainError('NOT_ELIGIBLE', `Not eligible for an HPF loan: ${reasons.map((r) => r.reason).join(', ')} / 不符合贷款条件`, reasons);
      const now = nowIso();
      const loan: Loan = {
        loanId,
        accountNo: app.accountNo,
        coBorrowerAccountNo: app.coBorrowerAccountNo,
        coBorrowerConsentId: co.consent?.consentId,
        branch: borrower.branch,
        status: 'APPLIED',
        principalFen: app.amountFen,
        outstandingPrincipalFen: 0,
        annualRate: q.annualRate,
        termMonths: app.termMonths,
        repaymentMethod: app.repaymentMethod,
        housePriceFen: app.housePriceFen,
        firstHome: app.firstHome,
        monthlyIncomeFen: app.monthlyIncomeFen,
        borrowerCategory: app.borrowerCategory,
        location: app.location,
        quote: { maxAmountFen: q.maxAmountFen, binding: q.binding },
        appliedOn: today,
        appliedBy: caller.sub,
        offsetEnabled: false,
        deferrals: [],
        prepaidPrincipalFen: 0,
        overdueInstallments: 0,
        overdueAmountFen: 0,
        overduePrincipalFen: 0,
        penaltyOutstandingFen: 0,
        consecutiveOverdue: 0,
        cumulativeOverdue: 0,
        riskClass: 'NORMAL',
        overdueFinding: false,
        version: 0,
        createdAt: now,
        updatedAt: now,
      };
      // the uploaded evidence goes with the application, in its commit, and into its archive record
      const attached = await planAttachDocuments({
        documentIds: app.documentIds ?? [],
        submitter: { sub: caller.sub },
        record: { kind: 'LOAN', id: loanId, branch: borrower.branch, accountNo: borrower.accountNo },
        path: 'body.documentIds',
      });
      const submitted = { ...app, housePriceFen: app.housePriceFen, amountFen: app.amountFen, ...(attached.documents.length ? { documents: attached.documents } : {}) };
      const items = [...loanWriteItems(undefined, loan), loanArchive(loan, 'APPLIED', caller, submitted, { status: 'APPLIED' }), ...attached.items];
      if (co.consent) {
        items.push(consentItem(co.consent, useConsent(co.consent, loanId, today)));
        items.push(loanArchive(loan, 'CO_BORROWER_CONSENT_USED', caller, { consentId: co.consent.consentId, coBorrowerAccountNo: co.consent.coBorrowerAccountNo, validUntil: co.consent.validUntil }));
      } else if (co.account) {
        items.push(loanArchive(loan, 'CO_BORROWER_PAPER_CONSENT', caller, { coBorrowerAccountNo: co.account.accountNo }));
      }
      return {
        items,
        body: { loanId, status: loan.status, amount: fenToYuan(loan.principalFen), annualRate: percentString(loan.annualRate), termMonths: loan.termMonths, maxAmount: fenToYuan(q.maxAmountFen) },
      };
    },
  });
}

// ---------- the co-borrower's consent ----------

/** The archive record of a consent: on the co-borrower's account (it is their money and their data). */
const consentArchive = (c: CoBorrowerConsent, branch: string, action: string, caller: Caller, submitted: unknown) =>
  archiveItem({ subjectType: 'ACCOUNT', subjectId: c.coBorrowerAccountNo, action, actor: { sub: caller.sub, role: caller.role }, submitted, decision: { status: c.status }, owner: { branch, accountNo: c.coBorrowerAccountNo } });

/** POST /v1/co-borrower-consents: the signed-in member (the co-borrower) consents for a borrower. */
export async function giveConsent(caller: Caller, input: { borrowerAccountNo: string }, idempotency: IdempotencyContext | undefined) {
  if (caller.role !== 'member' || !caller.accountNo) return forbidden('Only the co-borrower gives the consent, with their own sign-in / 须由共同借款人本人授权');
  const consentId = newId('CC');
  const coNo = caller.accountNo;
  return commit({
    idempotency,
    plan: async () => {
      const [own] = (await getAccounts([coNo])).values();
      if (!own) return notFound('Account');
      const consent = newConsent({ consentId, borrowerAccountNo: input.borrowerAccountNo, coBorrowerAccountNo: coNo, today: businessDate(), validDays: CO_BORROWER_CONSENT_VALID_DAYS, now: nowIso() });
      return { items: [consentItem(undefined, consent), consentArchive(consent, own.branch, 'CO_BORROWER_CONSENT_GIVEN', caller, input)], body: consentView(consent) };
    },
  });
}

/** DELETE /v1/co-borrower-consents/{consentId}: the consenting member withdraws an unused consent. */
export async function withdrawConsentOf(caller: Caller, consentId: string) {
  if (caller.role !== 'member' || !caller.accountNo) return forbidden('Only the co-borrower withdraws the consent / 须由共同借款人本人撤回');
  const coNo = caller.accountNo;
  const out = await commit({
    plan: async () => {
      const consent = await getConsent(coNo, consentId);
      if (!consent) return notFound('Consent');
      const after = withdrawConsent(consent, businessDate());
      if (after === consent) return { items: [], body: null };
      const [own] = (await getAccounts([coNo])).values();
      return { items: [consentItem(consent, after), consentArchive(after, own?.branch ?? '', 'CO_BORROWER_CONSENT_WITHDRAWN', caller, { consentId })], body: null };
    },
  });
  return { status: 204, body: out.body };
}
