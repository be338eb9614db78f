// The one catalog of problem codes (api.md) and the RFC 9457 problem documents built from them.

export const problemCodes = {
  VALIDATION_FAILED: { status: 400, title: 'Validation failed' },
  IDEMPOTENCY_KEY_MISSING: { status: 400, title: 'Idempotency-Key header required' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication required' },
  SIGNATURE_INVALID: { status: 401, title: 'Signature invalid' },
  FORBIDDEN: { status: 403, title: 'Forbidden' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  INVALID_STATE: { status: 409, title: 'Invalid state' },
  CONFLICT: { status: 409, title: 'Conflict' },
  INSUFFICIENT_BALANCE: { status: 409, title: 'Insufficient balance' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'Idempotency key reused with another request' },
  POLICY_VIOLATION: { status: 422, title: 'Policy violation' },
  NOT_ELIGIBLE: { status: 422, title: 'Not eligible' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  INTERNAL: { status: 500, title: 'Internal error' },
} as const;

export type ProblemCode = keyof typeof problemCodes;

export interface FieldError {
  path: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ProblemCode;
  detail: string;
  errors: FieldError[];
}

/** A domain or request error that maps to one problem document. Thrown anywhere, rendered once. */
export class DomainError extends Error {
  constructor(
    readonly code: ProblemCode,
    detail: string,
    readonly errors: FieldError[] = [],
  ) {
    super(detail);
    this.name = 'DomainError';
  }
}

export const fail = (code: ProblemCode, detail: string, errors: FieldError[] = []): never => {
  throw new DomainError(code, detail, errors);
};

export function problem(code: ProblemCode, detail: string, errors: FieldError[] = []): Problem {
  const { status, title } = problemCodes[code];
  return {
    type: `https://hpf.example.gov.cn/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title,
    status,
    code,
    detail,
    errors,
  };
}
