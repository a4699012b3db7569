import { recordAudit } from '../../platform/auth/audit-repository.ts';
import { type Actor, canReach } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import { qrPng, qrSvg } from '../organisation/desk-links.ts';
import { type DeskContext, findActiveDesk, findDeskById } from '../organisation/desk-repository.ts';
import { findUnit } from '../organisation/unit-repository.ts';
import { type PosterContent, type PosterDesk, type PosterSize, pdfFilename, posterContent } from './poster-content.ts';
import { renderPostersPdf } from './poster-pdf.ts';
import { listPrintableDesks } from './printable-desk-repository.ts';

// QR posters of desks, as a print page and as PDF, for the desks in the
// actor's part of the unit hierarchy only.

// 1024 px over a square of up to 340 pt (12 cm) prints at 215 dpi or more: crisp
// modules on any office printer.
const POSTER_QR_PX = 1024;

export type PrintableDesk =
  | { status: 'ok'; desk: DeskContext }
  /** Missing or outside the actor's subtree: the same answer, so ids leak nothing. */
  | { status: 'not_found' }
  /** The desk (or its unit) is deactivated: its survey link would not open. */
  | { status: 'inactive' };

/** A desk the actor may print for (posters, counter codes), with its area names. */
export async function loadPrintableDesk(db: Db, actor: Actor, deskId: number): Promise<PrintableDesk> {
  const record = await findDeskById(db, deskId);
  if (!record || !canReach(actor, record.unitPath)) return { status: 'not_found' };
  const desk = record.active ? await findActiveDesk(db, record.code) : undefined;
  return desk ? { status: 'ok', desk } : { status: 'inactive' };
}

function posterDesk(desk: DeskContext): PosterDesk {
  return { ...desk, serviceAreas: desk.serviceAreas.map((a) => a.nameVi) };
}

export type DeskPoster =
  | Exclude<PrintableDesk, { status: 'ok' }>
  | { status: 'ok'; poster: PosterContent; qrSvg: string };

export async function deskPoster(db: Db, actor: Actor, deskId: number, publicUrl: string): Promise<DeskPoster> {
  const found = await loadPrintableDesk(db, actor, deskId);
  if (found.status !== 'ok') return found;
  const poster = posterContent(posterDesk(found.desk), publicUrl);
  return { status: 'ok', poster, qrSvg: await qrSvg(poster.url) };
}

export type PosterPdf =
  | { status: 'ok'; pdf: Buffer; filename: string }
  | { status: 'not_found' }
  | { status: 'inactive' }
  /** The unit has no active desk to print. */
  | { status: 'empty' };

export async function deskPosterPdf(
  db: Db,
  actor: Actor,
  deskId: number,
  size: PosterSize,
  publicUrl: string,
): Promise<PosterPdf> {
  const found = await loadPrintableDesk(db, actor, deskId);
  if (found.status !== 'ok') return found;
  const content = posterContent(posterDesk(found.desk), publicUrl);
  const pdf = await renderPostersPdf(
    [{ content, qrPng: await qrPng(content.url, POSTER_QR_PX) }],
    size,
    `Mã QR khảo sát – ${found.desk.name} – ${found.desk.unitName}`,
  );
  await recordAudit(db, {
    actorUserId: actor.userId,
    unitId: found.desk.unitId,
    action: 'export.poster',
    detail: { deskId, size },
  });
  return { status: 'ok', pdf, filename: pdfFilename('poster', found.desk.code, size) };
}

/** Every active desk of a unit and its subtree, one page each. */
export async function unitPostersPdf(
  db: Db,
  actor: Actor,
  unitId: number,
  size: PosterSize,
  publicUrl: string,
): Promise<PosterPdf> {
  const unit = await findUnit(db, unitId);
  if (!unit || !canReach(actor, unit.path)) return { status: 'not_found' };
  const desks = await listPrintableDesks(db, unit.path);
  if (!desks.length) return { status: 'empty' };
  const pages = await Promise.all(
    desks.map(async (desk) => {
      const content = posterContent(desk, publicUrl);
      return { content, qrPng: await qrPng(content.url, POSTER_QR_PX) };
    }),
  );
  const pdf = await renderPostersPdf(pages, size, `Mã QR khảo sát – ${unit.name}`);
  await recordAudit(db, {
    actorUserId: actor.userId,
    unitId: unit.id,
    action: 'export.poster',
    detail: { unitId: unit.id, size, desks: desks.length },
  });
  return { status: 'ok', pdf, filename: pdfFilename('posters', unit.code, size) };
}
