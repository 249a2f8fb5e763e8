/**
 * Amounts of the cost report. The API keeps whole cents and names no currency (an organisation bills in
 * its own), so amounts are shown with two decimals and no symbol.
 */
const amount = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const count = new Intl.NumberFormat();

export function formatMoney(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : amount.format(value);
}

export function formatCount(value: number): string {
  return count.format(value);
}
