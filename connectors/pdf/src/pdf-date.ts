/** `D:YYYYMMDDHHmmSSOHH'mm'` (PDF 32000-1, 7.9.4); every part after the year is optional. */
const PDF_DATE = /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?'?/;

/** A PDF date string as milliseconds since the epoch (UTC when it names no offset), or null when it is not one. */
export function parsePdfDate(value: string): number | null {
  const match = PDF_DATE.exec(value.trim());
  if (!match) return null;
  const [, year, month = '01', day = '01', hour = '00', minute = '00', second = '00', sign, offH = '00', offM = '00'] = match;
  const utc = Date.UTC(+year, +month - 1, +day, +hour, +minute, +second);
  if (Number.isNaN(utc)) return null;
  const offset = (+offH * 60 + +offM) * 60_000;
  return sign === '+' ? utc - offset : sign === '-' ? utc + offset : utc;
}
