import { expect, test } from '@jupyterlab/galata';
import { clickLogRun, editCell } from './notebook';

/** Plain MLflow calls, no set-up: the kernel's MLflow writes to the panel's store. */
const PLAIN = [
  'import mlflow',
  "mlflow.log_metric('loss', 0.42)",
  "mlflow.log_metric('accuracy', 0.91)"
].join('\n');

/** The MLflow primer's retraining cell: literals, printed scores, mlflow.log_* and a model. */
const PRIMER = [
  'import mlflow',
  'from sklearn.datasets import load_iris',
  'from sklearn.ensemble import RandomForestClassifier',
  'from sklearn.metrics import accuracy_score, precision_score, recall_score',
  'n_estimators = 50',
  'max_depth = 3',
  'min_samples_split = 2',
  'X, y = load_iris(return_X_y=True)',
  'with mlflow.start_run():',
  '    rf = RandomForestClassifier(n_estimators=n_estimators, max_depth=max_depth,',
  '                                min_samples_split=min_samples_split, random_state=0)',
  '    predicted = rf.fit(X, y).predict(X)',
  "    print(f'Accuracy: {accuracy_score(y, predicted):.3f}')",
  '    print(f\'Precision: {precision_score(y, predicted, average="macro"):.3f}\')',
  '    print(f\'Recall: {recall_score(y, predicted, average="macro"):.3f}\')',
  "    mlflow.log_param('n_estimators', n_estimators)",
  "    mlflow.log_metric('train_size', len(X))",
  "    mlflow.sklearn.log_model(rf, name='model', serialization_format='cloudpickle')"
].join('\n');

test.describe('MLflow code in a notebook', () => {
  test.beforeEach(async ({ page }) => {
    // Unrenamed: the kernel's session name stays the notebook's path.
    await page.notebook.createNew();
    await page.sidebar.openTab('jupyterlab-runs-panel');
  });

  test('plain mlflow.log_metric run with Shift+Enter shows its run in the panel', async ({
    page
  }) => {
    test.setTimeout(120000);
    // Set through the model: typing would let the editor re-indent the code.
    await editCell(page, 0, '', PLAIN);
    await page.notebook.selectCells(0);
    await page.keyboard.press('Shift+Enter');
    const row = page.locator(
      '#jupyterlab-runs-panel .jp-RunsList-row[data-version="1"]'
    );
    await expect(row).toBeVisible({ timeout: 60000 });
    await expect(row).toContainText('v1');
  });

  test('Log run on a primer cell that calls mlflow.log_* gives exactly one version', async ({
    page
  }) => {
    test.setTimeout(180000);
    await editCell(page, 0, '', PRIMER);
    await clickLogRun(page, 0);
    const panel = page.locator('#jupyterlab-runs-panel');
    const v1 = panel.locator('.jp-RunsList-row[data-version="1"]');
    await expect(v1).toBeVisible({ timeout: 120000 });
    for (const param of ['max_depth', 'min_samples_split']) {
      await expect(v1.locator('.jp-RunsList-params')).toContainText(param);
    }
    const runId = await v1.getAttribute('data-run-id');
    const run = await (
      await page.request.get(`/jupyterlab-runs/api/runs/${runId}`)
    ).json();
    expect(run.params.n_estimators.value).toBe('50');
    expect(Object.keys(run.metrics).sort()).toEqual(
      expect.arrayContaining(['accuracy', 'precision', 'recall', 'train_size'])
    );
    expect(run.metrics.train_size.source).toBe('mlflow');
    expect(run.params.n_estimators.source).toBe('mlflow');
    // The model MLflow logged joins the run the front end saved.
    await expect
      .poll(
        async () =>
          (
            await page.request.get(
              `/jupyterlab-runs/api/runs/${runId}/artifacts`
            )
          ).text(),
        { timeout: 30000 }
      )
      .toContain('model/MLmodel');
    // One execution, one run: no second version from MLflow's own run.
    await page.waitForTimeout(2000);
    await expect(panel.locator('.jp-RunsList-row')).toHaveCount(1);
  });
});
