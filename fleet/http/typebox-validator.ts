// Validates requests with TypeBox's compiled checks instead of Ajv, so that a JSON body is
// taken exactly as sent: `{"name": 5}` is a wrong type (400), never coerced to "5", and
// unknown fields are refused rather than silently stripped. Params and querystrings arrive
// as strings and are converted to the schema's types first.
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import type { FastifySchemaCompiler } from 'fastify';
import { errors } from '../errors.ts';

export const typeboxValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const compiled = TypeCompiler.Compile(schema);
  const fromStrings = httpPart !== 'body';
  return (input: unknown) => {
    const withDefaults = Value.Default(schema, Value.Clone(input));
    const value = fromStrings ? Value.Convert(schema, withDefaults) : withDefaults;
    const lossy = fromStrings ? lossyConversion(input, value) : undefined;
    if (lossy) return { error: errors.validation(`${httpPart}/${lossy}: Expected integer`) };
    if (compiled.Check(value)) return { value };
    const first = compiled.Errors(value).First();
    const where = `${httpPart ?? 'request'}${first?.path ?? ''}`;
    return { error: errors.validation(`${where}: ${first?.message ?? 'invalid'}`) };
  };
};

// TypeBox's Convert truncates "1.5" to the integer 1; a client that sent 1.5 meant 1.5,
// so a string whose number changed in conversion is refused instead.
function lossyConversion(raw: unknown, converted: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || typeof converted !== 'object' || converted === null) return undefined;
  for (const [key, value] of Object.entries(converted)) {
    const original = (raw as Record<string, unknown>)[key];
    if (typeof value === 'number' && typeof original === 'string' && Number(original) !== value) return key;
  }
  return undefined;
}
