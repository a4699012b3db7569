import QRCode from 'qrcode';

/** The address printed in a desk's QR code; the one place it is built. */
export function deskSurveyUrl(publicUrl: string, deskCode: string): string {
  return `${publicUrl}/q/${encodeURIComponent(deskCode)}`;
}

// Level M survives a scuffed or partly covered poster and keeps the code
// coarse enough for cheap phone cameras.
const QR_OPTIONS = { errorCorrectionLevel: 'M', margin: 2 } as const;

export function qrSvg(url: string): Promise<string> {
  return QRCode.toString(url, { ...QR_OPTIONS, type: 'svg' });
}

export function qrPng(url: string, width = 512): Promise<Buffer> {
  return QRCode.toBuffer(url, { ...QR_OPTIONS, type: 'png', width });
}
