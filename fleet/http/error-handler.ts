// Turns every failure into the one error shape { statusCode, error, message, code }:
// our ApiErrors as they are, Fastify's own errors mapped onto catalogue codes, and
// anything unexpected into a 500 whose details go to the log, not the client.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, errorBody, errors } from '../errors.ts';

function toApiError(error: FastifyError): ApiError {
  if (error instanceof ApiError) return error;
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return errors.malformedJson();
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errors.validation('body: a JSON body is required');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errors.unsupportedMediaType();
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errors.bodyTooLarge();
    case 'FST_ERR_VALIDATION':
      return errors.validation(error.message);
  }
  if (error instanceof SyntaxError && error.statusCode === 400) return errors.malformedJson();
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return new ApiError(status, 'BAD_REQUEST', error.message);
  return errors.internal();
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const apiError = toApiError(error);
  if (apiError.statusCode >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ code: apiError.code, message: apiError.message }, 'request refused');
  void reply.code(apiError.statusCode).send(errorBody(apiError.statusCode, apiError.code, apiError.message));
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  const e = errors.routeNotFound(request.method, request.url.split('?')[0] ?? request.url);
  void reply.code(404).send(errorBody(e.statusCode, e.code, e.message));
}
