import { guessHigherIsBetter, higherIsBetter } from './metricDirection';

describe('guessHigherIsBetter', () => {
  it.each([
    ['accuracy', true],
    ['f1', true],
    ['val_loss', false],
    ['logloss', false],
    ['RMSE', false],
    ['test_mae', false],
    ['mse', false],
    ['error_rate', false],
    ['valErr', false],
    ['maestro_score', true]
  ])('%s → %s', (metric, expected) => {
    expect(guessHigherIsBetter(metric)).toBe(expected);
  });
});

describe('higherIsBetter', () => {
  it('takes a user override over the guess', () => {
    expect(higherIsBetter('val_loss', { val_loss: true })).toBe(true);
    expect(higherIsBetter('rmse', {})).toBe(false);
  });
});
