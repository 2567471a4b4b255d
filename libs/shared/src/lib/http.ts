import {
  ArgumentMetadata,
  ArgumentsHost,
  BadRequestException,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import type { ErrorBody } from './errors';

const STATUS_NAMES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export interface FieldProblem {
  field: string;
  problems: string[];
}

/** Flattens class-validator errors into `field.path: problem` entries. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const e of errors) {
    const field = parent ? (/^\d+$/.test(e.property) ? `${parent}[${e.property}]` : `${parent}.${e.property}`) : e.property;
    if (e.constraints) out.push({ field, problems: Object.values(e.constraints) });
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, field));
  }
  return out;
}

/** `quantity must be positive` for field `items[0].quantity` reads `items[0].quantity must be positive`. */
function describeProblem(field: string, problem: string): string {
  if (/^property .+ should not exist$/.test(problem)) return `${field} is not a known field; remove it`;
  const leaf = field.split(/[.[]/).pop()?.replace(']', '') ?? field;
  if (problem.startsWith(`${leaf} `)) return `${field}${problem.slice(leaf.length)}`;
  if (problem.startsWith('property ') || problem.startsWith(field)) return problem;
  return `${field}: ${problem}`;
}

/** How deeply a request body or query may nest objects and arrays; no form of the API needs more than a few levels. */
export const MAX_INPUT_DEPTH = 32;

/** True when the value nests deeper than `limit` (checked without recursion, so a hostile body cannot overflow the stack). */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (!v || typeof v !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/** Refuses absurdly nested input before class-transformer walks it recursively (a stack overflow would be a 500). */
class DepthLimitedValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (nestsDeeperThan(value, MAX_INPUT_DEPTH)) {
      throw new BadRequestException({ message: `Dữ liệu lồng nhau quá sâu / The ${metadata.type === 'query' ? 'query' : 'request body'} nests objects or arrays more than ${MAX_INPUT_DEPTH} levels deep` });
    }
    return super.transform(value, metadata);
  }
}

/** The global validation pipe: strips nothing silently (unknown fields are refused), converts types, explains every problem. */
export function createValidationPipe(): ValidationPipe {
  return new DepthLimitedValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const details = flattenValidationErrors(errors);
      const message = details.flatMap((d) => d.problems.map((p) => describeProblem(d.field, p))).join('; ');
      return new BadRequestException({ message: message || 'Invalid input', details });
    },
  });
}

interface PgDriverError {
  code?: string;
  detail?: string;
  constraint?: string;
  column?: string;
}

function fromDatabaseError(err: QueryFailedError): ErrorBody | null {
  const driver = (err as unknown as { driverError?: PgDriverError }).driverError ?? (err as unknown as PgDriverError);
  const code = driver.code ?? '';
  const where = driver.constraint ? ` (${driver.constraint})` : '';
  switch (code) {
    case '23505':
      return { statusCode: 409, error: 'Conflict', message: `Dữ liệu đã tồn tại / Already exists${where}: ${driver.detail ?? ''}`.trim() };
    case '23503':
      return { statusCode: 409, error: 'Conflict', message: `Tham chiếu không hợp lệ / A referenced record does not exist or is still in use${where}` };
    case '23514':
      return { statusCode: 409, error: 'Conflict', message: `Vi phạm ràng buộc / The change breaks a rule of the data${where}` };
    case '23502':
      return { statusCode: 400, error: 'Bad Request', message: `Thiếu giá trị bắt buộc / A required value is missing${driver.column ? `: ${driver.column}` : ''}` };
    case '22P02':
    case '22003':
    case '22007':
    case '22008':
    case '22001':
    case '22021':
    case '22P05':
      return { statusCode: 400, error: 'Bad Request', message: `Giá trị không hợp lệ / A value has the wrong form or is out of range` };
    case '40001':
    case '40P01':
    case '55P03':
      return { statusCode: 503, error: 'Service Unavailable', message: 'Hệ thống đang bận, vui lòng thử lại / Busy, please retry' };
    default:
      return null;
  }
}

/** PostgreSQL SQLSTATEs of a lost or refused connection: class 08, admin/crash shutdown, starting up, too many connections. */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-3]|53300)$/;
const UNAVAILABLE_MESSAGE =
  /ECONNREFUSED|ECONNRESET|EPIPE|Connection terminated|terminating connection due to administrator command|the database system is (starting up|shutting down|in recovery mode|not yet accepting connections)|Client has encountered a connection error|Connection is closed|Reached the max retries per request limit/;
const UNAVAILABLE_NAMES = new Set(['QueryRunnerProviderAlreadyReleasedError', 'QueryRunnerAlreadyReleasedError', 'CannotExecuteNotConnectedError', 'MaxRetriesPerRequestError']);

/** Whether the error says a dependency (PostgreSQL, Redis) is unreachable or restarting, rather than that the request was wrong. */
export function isUnavailableDependency(exception: unknown): boolean {
  for (let e = exception, depth = 0; e instanceof Error && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const driver = (e as { driverError?: { code?: unknown; message?: unknown } }).driverError;
    const code = String(driver?.code ?? (e as { code?: unknown }).code ?? '');
    if (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_NAMES.has(e.name)) return true;
    if (UNAVAILABLE_MESSAGE.test(e.message) || (typeof driver?.message === 'string' && UNAVAILABLE_MESSAGE.test(driver.message))) return true;
  }
  return false;
}

/**
 * Every failure leaves as `{statusCode, error, message, details?}`. Client mistakes (validation, malformed JSON,
 * oversized bodies, constraint violations) are 4xx with a readable message; only real server faults are 500.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<{
      status(code: number): unknown;
      header(k: string, v: string): unknown;
      send(body: unknown): unknown;
      sent?: boolean;
      code?: (n: number) => unknown;
    }>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500 && isUnavailableDependency(exception)) {
      // One line, not a stack per request: during an outage every request fails the same way.
      this.logger.warn(`dependency unavailable: ${(exception as Error).message}`);
    } else if (body.statusCode >= 500) {
      this.logger.error(exception instanceof Error ? exception.stack ?? exception.message : String(exception));
    }
    if (reply.sent) return;
    reply.status(body.statusCode);
    reply.header('content-type', 'application/json; charset=utf-8');
    if (body.statusCode === 503 && !(body as { retryAfter?: number }).retryAfter) reply.header('retry-after', '1');
    reply.send(body);
  }

  toBody(exception: unknown): ErrorBody {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      let message: string;
      let details: unknown;
      if (typeof response === 'string') {
        message = response;
      } else {
        const r = response as { message?: unknown; details?: unknown };
        message = Array.isArray(r.message) ? r.message.join('; ') : typeof r.message === 'string' ? r.message : exception.message;
        details = r.details;
      }
      if (status === HttpStatus.TOO_MANY_REQUESTS && /ThrottlerException/.test(message)) {
        message = 'Quá nhiều yêu cầu, vui lòng thử lại sau / Too many requests, please try again later';
      }
      return { statusCode: status, error: STATUS_NAMES[status] ?? 'Error', message, ...(details !== undefined ? { details } : {}) };
    }
    if (exception instanceof QueryFailedError) {
      const mapped = fromDatabaseError(exception);
      if (mapped) return mapped;
    }
    const fastifyError = exception as { statusCode?: number; code?: string; message?: string };
    if (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
      const status = fastifyError.statusCode;
      let message = fastifyError.message ?? 'Bad request';
      if (fastifyError.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/.test(message)) message = `Nội dung JSON không hợp lệ / The request body is not valid JSON: ${message}`;
      if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') message = 'Nội dung quá lớn / The request body is too large';
      if (fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') message = `Kiểu nội dung không được hỗ trợ / Unsupported content type: ${message}`;
      return { statusCode: status, error: STATUS_NAMES[status] ?? 'Error', message };
    }
    // Every pooled database connection busy past the pool's wait: retryable.
    if (exception instanceof Error && /timeout exceeded when trying to connect/.test(exception.message)) {
      return { statusCode: 503, error: 'Service Unavailable', message: 'Hệ thống đang bận, vui lòng thử lại / Busy, please retry in a moment' };
    }
    // The database or Redis unreachable or restarting (connections refused, reset or terminated by the server): retryable.
    if (isUnavailableDependency(exception)) {
      return { statusCode: 503, error: 'Service Unavailable', message: 'Dịch vụ tạm thời gián đoạn, vui lòng thử lại / Service temporarily unavailable, please retry in a moment' };
    }
    return { statusCode: 500, error: 'Internal Server Error', message: 'Lỗi máy chủ, vui lòng thử lại / Something went wrong on our side; please try again' };
  }
}
