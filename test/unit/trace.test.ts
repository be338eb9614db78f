import { describe, expect, it } from 'vitest';
import { tracer } from '../../shared/trace.ts';

describe('tracer outside Lambda', () => {
  it('is off: no X-Ray daemon locally, nothing is sent', () => {
    expect(process.env.AWS_LAMBDA_FUNCTION_NAME).toBeUndefined();
    expect(tracer.isTracingEnabled()).toBe(false);
  });
});
