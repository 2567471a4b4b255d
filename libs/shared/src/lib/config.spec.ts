import { ConfigValidationError, loadConfig } from './config';

describe('configuration', () => {
  it('has defaults that work on a developer machine', () => {
    const c = loadConfig({});
    expect(c.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/htx');
    expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(c.API_PORT).toBe(3000);
    expect(c.WEB_PORT).toBe(4200);
  });
  it('converts numeric variables', () => {
    expect(loadConfig({ API_PORT: '8080' }).API_PORT).toBe(8080);
  });
  it('reads the process role, all by default, and refuses an unknown one with a clear message', () => {
    expect(loadConfig({}).PROCESS_ROLE).toBe('all');
    expect(loadConfig({ PROCESS_ROLE: 'worker' }).PROCESS_ROLE).toBe('worker');
    expect(() => loadConfig({ PROCESS_ROLE: 'workers' })).toThrow(/PROCESS_ROLE must be one of all, api, worker/);
  });
  it('names every bad variable in one message', () => {
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: 'mysql://x', API_PORT: 'eighty', JWT_SECRET: 'short' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const message = (error as Error).message;
    expect(message).toMatch(/DATABASE_URL must look like postgres:\/\//);
    expect(message).toMatch(/API_PORT must be an integer/);
    expect(message).toMatch(/JWT_SECRET must be at least 16 characters/);
    expect((error as ConfigValidationError).problems).toHaveLength(3);
  });
});
