// The fields the citizen's survey form carries for itself, beside the
// answers (which are named by indicator key). One list for both sides: the
// form reads exactly these apart from the answers, and the survey schema
// refuses a question keyed like one of them (a question keyed `website`
// would have been read as the honeypot, and every answer to it flagged).
export const FORM_FIELD = {
  serviceArea: 'serviceArea',
  submissionId: 'submissionId',
  lang: 'lang',
  /** Left empty by people, filled by bots that fill every field. */
  honeypot: 'website',
  /** The signed render time of the page. */
  renderToken: 'renderToken',
} as const;

export const FORM_FIELD_NAMES: readonly string[] = Object.values(FORM_FIELD);
