// What a unit's reports carry in the administrative format of Nghị định
// 30/2020/NĐ-CP (place name, parent body, the Số line's abbreviation, the
// recipients, the signer, the distribution list), and the defaults guessed
// from the unit's name and its ancestors until a manager sets them. Pure.

export type UnitKindName = 'province' | 'commune' | 'centre' | 'other';

/** What a manager saved; null: use the default. Lists are one entry a line. */
export interface StoredReportSettings {
  issuerName: string | null;
  parentName: string | null;
  placeName: string | null;
  abbreviation: string | null;
  recipients: string | null;
  signerCapacity: string | null;
  signerName: string | null;
  distribution: string | null;
}

/** The settings a report is printed with: the stored ones over the defaults. */
export interface ReportSettings {
  issuerName: string;
  /** Empty: a body with no parent shown (a province's people's committee). */
  parentName: string;
  placeName: string;
  abbreviation: string;
  recipients: string[];
  /** "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH": one line each. */
  signerCapacity: string[];
  /** Empty: the clerk writes it in. */
  signerName: string;
  distribution: string[];
}

export const SETTING_FIELDS = [
  'issuerName',
  'parentName',
  'placeName',
  'abbreviation',
  'recipients',
  'signerCapacity',
  'signerName',
  'distribution',
] as const satisfies readonly (keyof StoredReportSettings)[];

export const EMPTY_SETTINGS: StoredReportSettings = Object.fromEntries(
  SETTING_FIELDS.map((f) => [f, null]),
) as unknown as StoredReportSettings;

interface UnitLike {
  name: string;
  kind: UnitKindName;
}

// What an administrative unit's name starts with; the place name is the rest
// ("Phường Hội An Đông" is dated "Hội An Đông, ngày …").
const PLACE_PREFIX = /^(tỉnh|thành phố|tp\.?|xã|phường|đặc khu|thị trấn|ủy ban nhân dân|ubnd)\s+/iu;

export function placeOf(name: string): string {
  let place = name.normalize('NFC').trim();
  for (let i = 0; i < 3 && PLACE_PREFIX.test(place); i++) place = place.replace(PLACE_PREFIX, '');
  return place;
}

/**
 * Defaults from the unit and its ancestors (top first): the unit names the
 * issuing body and its parent the parent body; a centre is dated at its
 * commune; a commune or a centre reports to the Phòng Văn hóa – Xã hội that
 * collects satisfaction results for the reform report, a province to the
 * Bộ Nội vụ that runs SIPAS.
 */
export function defaultSettings(unit: UnitLike, ancestors: UnitLike[]): ReportSettings {
  const parent = ancestors.at(-1);
  const territory = [unit, ...[...ancestors].reverse()].find((u) => u.kind === 'commune' || u.kind === 'province');
  const governs = unit.kind === 'province' || unit.kind === 'commune';
  return {
    issuerName: unit.name,
    parentName: parent?.name ?? '',
    placeName: placeOf((territory ?? unit).name),
    abbreviation: governs ? 'UBND' : unit.kind === 'centre' ? 'TTPVHCC' : initials(unit.name),
    recipients: [unit.kind === 'province' ? 'Bộ Nội vụ' : 'Phòng Văn hóa – Xã hội'],
    signerCapacity: governs ? ['KT. CHỦ TỊCH', 'PHÓ CHỦ TỊCH'] : ['GIÁM ĐỐC'],
    signerName: '',
    distribution: ['Như trên', 'Lưu: VT'],
  };
}

/** "Phòng Văn hóa" → "PVH": letters without diacritics, for the Số line. */
function initials(name: string): string {
  const letters = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/giu, 'D')
    .split(/[\s–-]+/)
    .map((w) => w.charAt(0).toUpperCase())
    .filter((c) => /[A-Z]/.test(c));
  return letters.join('') || 'BC';
}

export const lines = (text: string | null): string[] =>
  (text ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

export function effectiveSettings(stored: StoredReportSettings, defaults: ReportSettings): ReportSettings {
  const one = (v: string | null, d: string) => (v?.trim() ? v.trim() : d);
  const many = (v: string | null, d: string[]) => (lines(v).length ? lines(v) : d);
  return {
    issuerName: one(stored.issuerName, defaults.issuerName),
    parentName: one(stored.parentName, defaults.parentName),
    placeName: one(stored.placeName, defaults.placeName),
    abbreviation: one(stored.abbreviation, defaults.abbreviation),
    recipients: many(stored.recipients, defaults.recipients),
    signerCapacity: many(stored.signerCapacity, defaults.signerCapacity).map((l) => l.toLocaleUpperCase('vi')),
    signerName: one(stored.signerName, defaults.signerName),
    distribution: many(stored.distribution, defaults.distribution),
  };
}
