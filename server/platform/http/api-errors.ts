import type { z } from 'zod';

export interface ApiError {
  path: string;
  message: string;
  messageVi: string;
}

/** A zod failure as the API's 422 body items, in both languages. */
export function apiErrors(error: z.ZodError): ApiError[] {
  return error.issues.map((i) => ({
    // An unknown top-level field is named in the path, not only in the message.
    path: i.code === 'unrecognized_keys' ? i.keys.join(',') : i.path.join('.') || '(body)',
    message: i.message,
    messageVi: 'Giá trị không hợp lệ.',
  }));
}
