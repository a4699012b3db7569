import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../../platform/db/connect.ts';
import { MAX_FILE_BYTES } from '../../platform/http/table-file.ts';
import { CLI_ACTOR } from '../access/account-service.ts';
import { changeCounts } from './volume-preview.ts';
import { importVolumeFile } from './volume-upload-service.ts';

// npm run cli -- volumes import FILE [--dry-run]: the staff page's template
// and rules from a shell, as the system administrator, for a whole
// province's file at once or a scheduled export of the one-stop software.
// A file with any faulty row stores nothing and exits 1.

export async function volumesCommand(db: Db, args: string[]): Promise<number> {
  const dryRun = args.includes('--dry-run');
  const [sub, file] = args.filter((a) => a !== '--dry-run');
  if (sub !== 'import' || !file || file.startsWith('--')) {
    process.stderr.write(`Usage: npm run cli -- volumes import FILE [--dry-run]\n`);
    return 2;
  }
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (err) {
    process.stderr.write(`Không đọc được tệp ${file}: ${(err as Error).message}\n`);
    return 1;
  }
  if (data.length > MAX_FILE_BYTES) {
    process.stderr.write(`Tệp lớn hơn ${MAX_FILE_BYTES / 1024 / 1024} MB: vui lòng chia thành nhiều tệp.\n`);
    return 1;
  }
  const result = await importVolumeFile(db, CLI_ACTOR, { name: path.basename(file), data }, { source: 'cli', dryRun });
  if (result.status === 'forbidden') throw new Error('the CLI actor may not import volumes');
  if (result.status === 'invalid') {
    process.stderr.write(`Tệp ${file} có ${result.problems.length} lỗi; chưa lưu gì.\n`);
    for (const p of result.problems) process.stderr.write(`${p.text}\n`);
    return 1;
  }
  const out: string[] = [];
  for (const c of result.changes) {
    out.push(`${c.unit} (${c.unitCode}), tháng ${c.month}: ${c.statusText.toLowerCase()}, ${c.areaCount} lĩnh vực`);
    for (const d of c.cells) out.push(`  ${d.area} – ${d.column}: ${d.before} → ${d.after}`);
  }
  for (const w of result.warnings) out.push(`Lưu ý: ${w}`);
  out.push(
    dryRun ? `Chạy thử: ${changeCounts(result.changes)} Chưa lưu gì.` : `Đã lưu: ${changeCounts(result.changes)}`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
