import { BadRequestException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { AllExceptionsFilter, isUnavailableDependency } from './http';

function pgError(code: string, message: string): QueryFailedError {
  return new QueryFailedError('SELECT 1', [], Object.assign(new Error(message), { code }));
}

describe('AllExceptionsFilter: a database or Redis outage', () => {
  const filter = new AllExceptionsFilter();

  it.each([
    ['the server terminating connections (restart)', pgError('57P01', 'terminating connection due to administrator command')],
    ['the server shutting down', Object.assign(new Error('the database system is shutting down'), { code: '57P03' })],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a reset connection', new Error('read ECONNRESET')],
    ['a connection lost mid-query', new Error('Connection terminated unexpectedly')],
    ['a query runner whose connection died', Object.assign(new Error('Query runner already released. Cannot run queries anymore.'), { name: 'QueryRunnerAlreadyReleasedError' })],
    ['Redis unreachable', Object.assign(new Error('Reached the max retries per request limit (which is 2).'), { name: 'MaxRetriesPerRequestError' })],
  ])('answers 503 "temporarily unavailable" for %s, not 500', (_what, error) => {
    expect(isUnavailableDependency(error)).toBe(true);
    expect(filter.toBody(error)).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'Dịch vụ tạm thời gián đoạn, vui lòng thử lại / Service temporarily unavailable, please retry in a moment',
    });
  });

  it('keeps a real bug a 500 and a client mistake a 4xx', () => {
    expect(filter.toBody(new TypeError("Cannot read properties of undefined (reading 'id')")).statusCode).toBe(500);
    expect(filter.toBody(pgError('23505', 'duplicate key value violates unique constraint')).statusCode).toBe(409);
    expect(filter.toBody(new BadRequestException('quantity must be positive')).statusCode).toBe(400);
  });
});
