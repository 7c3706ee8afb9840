/** Whether a metric improves upward: one rule for the charts, the table and the panel. */

/** Words in a metric name that mean lower is better (loss, error, rmse …). */
const LOWER_IS_BETTER = new Set([
  'loss',
  'error',
  'err',
  'rmse',
  'mae',
  'mse',
  'mape',
  'perplexity'
]);

/** Guess from a metric name whether higher is better (`val_loss`, `RMSE` → false). */
export function guessHigherIsBetter(metric: string): boolean {
  const name = metric.toLowerCase();
  if (name.includes('loss') || name.includes('error')) {
    return false;
  }
  const words = metric
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return !words.some(word => LOWER_IS_BETTER.has(word));
}

/** Whether a metric improves upward: a user's override, else a guess from its name. */
export function higherIsBetter(
  key: string,
  overrides: Record<string, boolean>
): boolean {
  return overrides[key] ?? guessHigherIsBetter(key);
}
