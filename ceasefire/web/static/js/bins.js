// Time bins chosen by the range (day, week, month, year), shared by the brush and the dashboard.

export const DAY = 86_400_000;

/** The bin unit for a span of `days`: days up to four months, weeks up to three years, then months
 *  (years beyond twelve years). */
export function unitFor(days) {
  if (days <= 120) return "day";
  if (days <= 3 * 366) return "week";
  if (days <= 12 * 366) return "month";
  return "year";
}

/** The start (UTC ms) of the bin holding `ms`; weeks start on Monday (ISO). */
export function binStart(ms, unit) {
  const d = new Date(Math.floor(ms / DAY) * DAY);
  if (unit === "week") return d.getTime() - ((d.getUTCDay() + 6) % 7) * DAY;
  if (unit === "month") return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  if (unit === "year") return Date.UTC(d.getUTCFullYear(), 0, 1);
  return d.getTime();
}

/** The start of the bin after the one starting at `start`. */
export function nextBin(start, unit) {
  const d = new Date(start);
  if (unit === "week") return start + 7 * DAY;
  if (unit === "month") return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  if (unit === "year") return Date.UTC(d.getUTCFullYear() + 1, 0, 1);
  return start + DAY;
}

/** Every bin start from the bin of `first` to the bin of `last` (UTC ms). */
export function binsBetween(first, last, unit) {
  const starts = [];
  for (let at = binStart(first, unit); at <= last; at = nextBin(at, unit)) starts.push(at);
  return starts;
}

/** A bin's label, always with its year: 2015, 2015-03, 2015-03-02 (week of), 2015-03-05. */
export function binLabel(start, unit) {
  const text = new Date(start).toISOString();
  if (unit === "year") return text.slice(0, 4);
  if (unit === "month") return text.slice(0, 7);
  return text.slice(0, 10);
}

export const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);
export const dayMs = (text) => Date.parse(`${text}T00:00:00Z`);
