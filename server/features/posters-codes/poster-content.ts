import { isTrialAddress } from '../../platform/config.ts';
import { deskSurveyUrl } from '../organisation/desk-links.ts';

// What a desk's QR poster says, in one place: the HTML print page and the
// PDF show the same words. Pure: no Fastify, no database.

export const POSTER_SIZES = ['a4', 'a5'] as const;
export type PosterSize = (typeof POSTER_SIZES)[number];

export const POSTER_SIZE_NAMES: Record<PosterSize, string> = {
  a4: 'Áp phích A4',
  a5: 'Thẻ đặt bàn A5',
};

/** The facts about a desk that a poster shows. */
export interface PosterDesk {
  code: string;
  name: string;
  unitName: string;
  /** The commune or ward above the centre, when there is one. */
  parentName: string | null;
  /** Vietnamese names of the service areas the desk serves. */
  serviceAreas: string[];
}

export interface PosterContent {
  deskCode: string;
  parentName: string | null;
  unitName: string;
  callToAction: string;
  steps: readonly string[];
  url: string;
  typeHint: string;
  deskName: string;
  areasLine: string | null;
  privacy: string;
  /** Set on a trial run's posters (isTrialAddress): their QR opens on the server's machine only. */
  trialMark: string | null;
}

export const CALL_TO_ACTION = 'Ông/Bà vui lòng quét mã QR để đánh giá mức độ hài lòng';

// Short enough to read from a queue; the button name matches the survey's.
export const POSTER_STEPS = [
  'Mở camera hoặc ứng dụng Zalo trên điện thoại, hướng vào mã QR.',
  'Chạm vào đường dẫn hiện ra để mở phiếu khảo sát.',
  'Chọn mức độ hài lòng rồi bấm “Gửi đánh giá”, chỉ mất chưa đến một phút.',
] as const;

export const PRIVACY_LINE = 'Phiếu khảo sát không thu thập thông tin cá nhân.';

/** Printed on posters and slips whose address is a trial one (PUBLIC_URL unset or local). */
export const TRIAL_MARK = 'Bản thử – chưa dùng để in phát hành';

/** The trial mark for material printed with links on this address, or null when the address is public. */
export function trialMarkFor(publicUrl: string): string | null {
  return isTrialAddress(publicUrl) ? TRIAL_MARK : null;
}

export function posterContent(desk: PosterDesk, publicUrl: string): PosterContent {
  return {
    deskCode: desk.code,
    parentName: desk.parentName,
    unitName: desk.unitName,
    callToAction: CALL_TO_ACTION,
    steps: POSTER_STEPS,
    url: deskSurveyUrl(publicUrl, desk.code),
    typeHint: 'Hoặc nhập địa chỉ:',
    deskName: desk.name,
    areasLine: desk.serviceAreas.length ? `Lĩnh vực: ${desk.serviceAreas.join(', ')}` : null,
    privacy: PRIVACY_LINE,
    trialMark: trialMarkFor(publicUrl),
  };
}

/**
 * A download name that every browser and mail gateway keeps intact: ASCII
 * letters, digits and '-' only (desk and unit codes already are, but a
 * Content-Disposition header must never carry anything else).
 */
export function pdfFilename(prefix: 'poster' | 'posters', code: string, size: PosterSize): string {
  const safe = code.replace(/[^A-Za-z0-9-]+/g, '-').slice(0, 64) || 'don-vi';
  return `${prefix}-${safe}-${size}.pdf`;
}
