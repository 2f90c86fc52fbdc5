import { z } from 'zod';

/** Mixpeek's error envelope: every error the emulated API sends has this shape. */
export const ErrorResponseSchema = z
  .object({
    success: z.literal(false),
    status: z.int(),
    error: z.object({
      message: z.string(),
      type: z.string(),
      details: z.record(z.string(), z.unknown()).nullable(),
    }),
  })
  .meta({ id: 'ErrorResponse', description: 'Error response model.' });
export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;
