// The loans domain's use cases live in usecases/; this file keeps the entry points' and existing
// tests' import path. Nothing outside functions/loans/ imports it except tests (other domains use
// public.ts).
export * from './usecases/applications.ts';
export * from './usecases/lifecycle.ts';
export * from './usecases/repayments.ts';
export * from './usecases/agreements.ts';
export * from './usecases/batch.ts';
