import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { MAX_FILE_BYTES } from './table-file.ts';

// One uploaded file per request, for the plugin that registers it (Fastify
// scopes it to that plugin's routes). Fields go to req.body, so the CSRF
// check of requireUser reads _csrf as from any form; the file is read in
// memory up to the limit, and a larger one arrives marked truncated so the
// page can say so in Vietnamese rather than fail the request.

/** The file field as onFile below leaves it in req.body. */
export interface FilePart {
  filename: string;
  data: Buffer;
  truncated: boolean;
}

export const isFilePart = (v: unknown): v is FilePart =>
  typeof v === 'object' && v !== null && Buffer.isBuffer((v as FilePart).data);

export const MAX_FILE_MIB = MAX_FILE_BYTES / 1024 / 1024;

export async function acceptFileUploads(app: FastifyInstance): Promise<void> {
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    throwFileSizeLimit: false,
    limits: { fileSize: MAX_FILE_BYTES, files: 1, fields: 5, fieldSize: 1024, parts: 6 },
    async onFile(part: MultipartFile) {
      const data = await part.toBuffer();
      (part as unknown as { value: FilePart }).value = {
        filename: part.filename,
        data,
        truncated: part.file.truncated,
      };
    },
  });
}
