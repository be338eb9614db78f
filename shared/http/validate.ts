// The route's zod schemas over the parsed body and the query string; a failure is a
// VALIDATION_FAILED whose field errors name `body.…` or `query.…`. A route without a body schema
// accepts no body or `{}` (a partner's, signed, is its handler's to read).
import type * as z from '../zod.ts';
import { DomainError, type FieldError } from '../errors.ts';
import { isEmptyObject } from './parse.ts';
import { specOf, type HttpMiddleware } from './types.ts';

export function zodErrors(err: z.core.$ZodError, prefix = ''): FieldError[] {
  return err.issues.map((i) => ({ path: [prefix, ...i.path.map(String)].filter(Boolean).join('.'), message: i.message }));
}

export function validate(): HttpMiddleware {
  return {
    before: ({ event, context }) => {
      const state = context.http;
      const spec = specOf(state);
      const { value } = state;
      if (spec.body) {
        const parsed = spec.body.safeParse(value === undefined ? {} : value);
        if (!parsed.success) throw new DomainError('VALIDATION_FAILED', 'The request body is invalid / 请求参数有误', zodErrors(parsed.error, 'body'));
        state.body = parsed.data;
      } else if (value !== undefined && spec.auth !== 'partner' && !isEmptyObject(value)) {
        throw new DomainError('VALIDATION_FAILED', 'This route takes no body / 该接口不接受请求体', [{ path: 'body', message: 'expected no body or {}' }]);
      }
      let query: unknown = event.queryStringParameters ?? {};
      if (spec.query) {
        const parsed = spec.query.safeParse(query);
        if (!parsed.success) throw new DomainError('VALIDATION_FAILED', 'Invalid query parameters / 查询参数有误', zodErrors(parsed.error, 'query'));
        query = parsed.data;
      }
      state.query = query;
    },
  };
}
