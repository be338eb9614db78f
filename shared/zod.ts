// The one zod import of the code base: zod 4's tree-shakeable `zod/mini` API (functions and
// `.check(…)` instead of method chains), with English messages. Classic `zod` costs ~10 ms more of
// module init per Lambda function (its full API and the schema instances carrying it: measured in
// test/bench/bundle.bench.ts); mini validates identically with the same core.
//
//   import * as z from '../../shared/zod.ts';
//   const body = z.strictObject({ note: z.optional(z.string().check(z.maxLength(500))) });
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

export * from 'zod/mini';
