const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** "3 May" for a day, "3 May 14:00" for an hour (the buckets are already in the org's time zone). */
export function bucketLabel(start: string): string {
  const month = MONTHS[Number(start.slice(5, 7)) - 1] ?? '';
  const day = `${Number(start.slice(8, 10))} ${month}`;
  return start.length > 10 ? `${day} ${start.slice(11, 13)}:00` : day;
}
