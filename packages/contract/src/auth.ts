import { Type, type Static } from 'typebox';
import { NullableTimestamp, Ok, TimestampSchema, UuidSchema, RequiredText } from './common.js';

export const LoginBodySchema = Type.Object(
  {
    username: RequiredText({ maxLength: 120 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBodySchema>;

export const MeSchema = Type.Union([
  Type.Object({ authenticated: Type.Literal(false) }),
  Type.Object({
    authenticated: Type.Literal(true),
    username: Type.String(),
    active_project_id: Type.Union([UuidSchema, Type.Null()]),
    account_scope_id: Type.Union([UuidSchema, Type.Null()]),
    created_at: TimestampSchema,
    last_seen_at: NullableTimestamp,
  }),
]);
export type Me = Static<typeof MeSchema>;

export const MeResponseSchema = Type.Intersect([Ok({}), MeSchema]);
export const LoginResponseSchema = Ok({
  username: Type.String(),
  active_project_id: Type.Union([UuidSchema, Type.Null()]),
});
export const LogoutResponseSchema = Ok({});
