import { loadConfig } from './config';
import { createValidationPipe, MAX_INPUT_DEPTH, nestsDeeperThan } from './http';

describe('input nesting limit', () => {
  const nested = (depth: number): unknown => {
    let v: unknown = 'leaf';
    for (let i = 0; i < depth; i++) v = i % 2 ? { a: v } : [v];
    return v;
  };

  it('measures depth without recursion, so 100 000 levels are fine to check', () => {
    expect(nestsDeeperThan(nested(MAX_INPUT_DEPTH), MAX_INPUT_DEPTH)).toBe(false);
    expect(nestsDeeperThan(nested(MAX_INPUT_DEPTH + 1), MAX_INPUT_DEPTH)).toBe(true);
    expect(nestsDeeperThan(nested(100_000), MAX_INPUT_DEPTH)).toBe(true);
    expect(nestsDeeperThan({ a: 1, b: [1, 2, { c: 'x' }] }, MAX_INPUT_DEPTH)).toBe(false);
  });

  it('makes the validation pipe refuse a deeply nested body with a 400 that says so', async () => {
    class Dto {}
    const pipe = createValidationPipe();
    await expect(pipe.transform(nested(5000), { type: 'body', metatype: Dto })).rejects.toMatchObject({
      status: 400,
      response: { message: expect.stringMatching(/nests objects or arrays more than 32 levels deep/) },
    });
  });
});

describe('per-route rate-limit configuration', () => {
  it('has generous defaults and refuses nonsense with a message naming the variable', () => {
    const config = loadConfig({});
    expect([config.CHECKOUT_RATE_LIMIT_PER_MINUTE, config.TRACKING_RATE_LIMIT_PER_MINUTE, config.TRACE_RATE_LIMIT_PER_MINUTE]).toEqual([30, 30, 600]);
    expect(() => loadConfig({ CHECKOUT_RATE_LIMIT_PER_MINUTE: '0', TRACE_RATE_LIMIT_PER_MINUTE: 'many' })).toThrow(
      /CHECKOUT_RATE_LIMIT_PER_MINUTE must be at least 1[\s\S]*TRACE_RATE_LIMIT_PER_MINUTE must be an integer/,
    );
  });
});
