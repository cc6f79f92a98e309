// Linear's GraphQL errors: `extensions.code` for machines, `extensions.type` (what @linear/sdk maps
// to its error classes), `userError` and `userPresentableMessage` for people, as Linear sends them.
import { GraphQLError } from 'graphql';

export interface LinearErrorBody {
  message: string;
  extensions: {
    code: string;
    type: string;
    statusCode?: number;
    userError: boolean;
    userPresentableMessage: string;
    meta: Record<string, unknown>;
  };
}

function linearError(
  message: string,
  code: string,
  type: string,
  userPresentableMessage: string,
  statusCode?: number,
): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code,
      type,
      ...(statusCode !== undefined && { statusCode }),
      userError: true,
      userPresentableMessage,
      meta: {},
    },
  });
}

export function invalidInput(message: string, userPresentableMessage: string): GraphQLError {
  return linearError(message, 'INVALID_INPUT', 'invalid input', userPresentableMessage);
}

export function entityNotFound(entity: string): GraphQLError {
  return invalidInput(`Entity not found: ${entity}`, `Could not find referenced ${entity}.`);
}

/** The body of a request refused before execution (auth, limits, complexity, validation). */
export function errorBody(error: GraphQLError): { errors: LinearErrorBody[] } {
  return { errors: [error.toJSON() as unknown as LinearErrorBody] };
}

export function authenticationError(): GraphQLError {
  return linearError(
    'Authentication required, not authenticated',
    'AUTHENTICATION_ERROR',
    'authentication error',
    'You need to authenticate to access this operation.',
    401,
  );
}

export function ratelimited(): GraphQLError {
  return linearError(
    'Rate limit exceeded',
    'RATELIMITED',
    'ratelimited',
    'Rate limit exceeded. Please try again later.',
    429,
  );
}

/** Shape reported by clients hitting the per-query cap: HTTP 400, code INPUT_ERROR. */
export function queryTooComplex(complexity: number, maximum: number): GraphQLError {
  return linearError(
    'Query too complex',
    'INPUT_ERROR',
    'invalid input',
    `The query is too complex. Complexity: ${complexity}. Maximum allowed complexity: ${maximum}.`,
  );
}

export function validationFailed(errors: readonly GraphQLError[]): { errors: LinearErrorBody[] } {
  return {
    errors: errors.map((error) => {
      const json = error.toJSON() as unknown as Record<string, unknown>;
      return {
        ...json,
        extensions: {
          code: 'GRAPHQL_VALIDATION_FAILED',
          type: 'graphql error',
          userError: true,
          userPresentableMessage: error.message,
          meta: {},
        },
      } as LinearErrorBody;
    }),
  };
}
