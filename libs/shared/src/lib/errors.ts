import { HttpException, HttpStatus } from '@nestjs/common';

/** The one error body every failure answers with. `message` tells a person what to fix. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
}

export class AppError extends HttpException {
  constructor(status: HttpStatus, message: string, details?: unknown) {
    super({ message, details }, status);
  }
}

export const badRequest = (message: string, details?: unknown) => new AppError(HttpStatus.BAD_REQUEST, message, details);
export const notFound = (message: string, details?: unknown) => new AppError(HttpStatus.NOT_FOUND, message, details);
export const conflict = (message: string, details?: unknown) => new AppError(HttpStatus.CONFLICT, message, details);
export const forbidden = (message: string, details?: unknown) => new AppError(HttpStatus.FORBIDDEN, message, details);
export const unprocessable = (message: string, details?: unknown) =>
  new AppError(HttpStatus.UNPROCESSABLE_ENTITY, message, details);
