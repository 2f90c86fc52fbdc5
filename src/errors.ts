/**
 * The one error table of the emulated API. Every error it sends is Mixpeek's envelope
 * `{success:false, status, error:{message, type, details}}`; the type follows from the status.
 */
export const ERROR_TYPES = {
  400: 'BadRequestError',
  401: 'UnauthorizedError',
  403: 'ForbiddenError',
  404: 'NotFoundError',
  405: 'MethodNotAllowedError',
  408: 'RequestTimeoutError',
  409: 'AlreadyExistsError',
  412: 'PreconditionFailedError',
  413: 'PayloadTooLargeError',
  414: 'URITooLongError',
  415: 'UnsupportedMediaTypeError',
  416: 'RangeNotSatisfiableError',
  422: 'ValidationError',
  429: 'TooManyRequestsError',
  431: 'RequestHeaderFieldsTooLargeError',
  500: 'InternalServerError',
  503: 'ServiceUnavailableError',
} as const;
export type ErrorStatus = keyof typeof ERROR_TYPES;

export class ApiError extends Error {
  readonly status: ErrorStatus;
  readonly type: string;
  readonly details: Record<string, unknown> | null;
  readonly headers: Record<string, string>;

  constructor(
    status: ErrorStatus,
    message: string,
    details: Record<string, unknown> | null = null,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = status;
    this.type = ERROR_TYPES[status];
    this.details = details;
    this.headers = headers;
  }

  toEnvelope() {
    return {
      success: false as const,
      status: this.status,
      error: { message: this.message, type: this.type, details: this.details },
    };
  }
}

export const notFound = (resource: string, id: string) =>
  new ApiError(404, `${resource[0]?.toUpperCase()}${resource.slice(1)} not found`, { resource, id });
export const badRequest = (message: string, details: Record<string, unknown> | null = null) =>
  new ApiError(400, message, details);
