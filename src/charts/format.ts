/**
 * Number formatting shared by the chart labels, the diff table and the text table.
 *
 * Rules (mirrored by `jupyterlab_runs/kernel/compare.py`): integers below 1e6 print as
 * integers; other magnitudes in [1e-3, 1e6) print with `digits` significant digits and no
 * trailing zeros; anything else in exponent form (`1.5e-7`).
 */
export function formatNumber(value: number, digits = 4): string {
  if (!Number.isFinite(value)) {
    return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  }
  const abs = Math.abs(value);
  if (Number.isInteger(value) && abs < 1e6) {
    return String(value);
  }
  if (abs >= 1e-3 && abs < 1e6) {
    return String(Number(value.toPrecision(digits)));
  }
  const [mantissa, exponent] = value.toExponential(digits - 1).split('e');
  const trimmed = mantissa.includes('.')
    ? mantissa.replace(/0+$/, '').replace(/\.$/, '')
    : mantissa;
  return `${trimmed}e${exponent.replace('+', '')}`;
}
