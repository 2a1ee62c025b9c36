/**
 * Page objects for the wizard, shared by the headless (Chromium) and Electron targets: each method is one
 * thing a user does, and waits for what the user would wait for.
 */
import type { Page } from 'playwright-core';
import { screenshotPath } from './app';

export class WizardPage {
  constructor(
    readonly page: Page,
    private readonly shotPrefix: string,
  ) {}

  byTestId(id: string) {
    return this.page.getByTestId(id);
  }

  async text(id: string): Promise<string> {
    return (await this.byTestId(id).innerText()).replace(/\s+/g, ' ');
  }

  async shot(name: string): Promise<void> {
    await this.page.screenshot({ path: screenshotPath(`${this.shotPrefix}-${name}`), fullPage: true });
  }

  /** Welcome: the machine checks, and Python set up (installed here if it is not yet). */
  async welcome(): Promise<void> {
    await this.byTestId('welcome').waitFor();
    await this.page.waitForSelector('[data-testid="check-gpu"]:not([data-level="pending"])');
    const python = this.page.locator('[data-testid="check-python"]');
    await python.waitFor();
    await this.page.waitForSelector('[data-testid="check-python"]:not([data-level="pending"])');
    if ((await python.getAttribute('data-level')) !== 'ok') {
      await this.byTestId('runtime-install').click();
      await this.page.waitForSelector('[data-testid="check-python"][data-level="ok"]', { timeout: 20 * 60_000 });
    }
  }

  async startWizard(): Promise<void> {
    await this.byTestId('welcome-continue').click();
    await this.byTestId('step-hardware').waitFor();
  }

  async next(expectStep: string): Promise<void> {
    await this.byTestId('wizard-next').click();
    await this.byTestId(`step-${expectStep}`).waitFor();
  }

  async pickModel(id: string): Promise<void> {
    await this.byTestId(`model-option-${id}`).click();
    await this.page.waitForSelector('[data-testid="model-plan-preview"][data-fits="yes"]');
  }

  async pickSample(name: string): Promise<void> {
    await this.byTestId(`dataset-sample-${name}`).click();
    await this.byTestId('dataset-detected').waitFor();
    await this.byTestId('dataset-preview').waitFor();
    await this.byTestId('dataset-rendered-row').first().waitFor();
  }

  /** A returning user from the Hardware step to a Method step whose plan fits: `modelId`, then the bundled SFT sample imported. */
  async toMethod(modelId: string): Promise<void> {
    await this.byTestId('step-hardware').waitFor();
    await this.byTestId('wizard-next').click();
    await this.byTestId(`model-option-${modelId}`).click();
    await this.byTestId('wizard-next').click();
    await this.byTestId('dataset-sample-sft-sample').click();
    await this.byTestId('dataset-import').click();
    await this.byTestId('dataset-imported').waitFor({ timeout: 60_000 });
    await this.byTestId('wizard-next').click();
    await this.page.locator('[data-testid="plan-card"][data-fits="yes"]').waitFor({ timeout: 60_000 });
  }

  async importDataset(): Promise<void> {
    await this.byTestId('dataset-import').click();
    await this.byTestId('dataset-imported').waitFor();
  }

  async startTraining(maxSteps: number): Promise<void> {
    await this.byTestId('train-max-steps').fill(String(maxSteps));
    await this.byTestId('train-start').click();
    await this.byTestId('run-dashboard').waitFor();
  }

  /** Points drawn in the loss chart (recharts draws the line as one path; its dots are off, so count the segments). */
  async lossPoints(): Promise<number> {
    return this.page.evaluate(() => {
      const el = document.querySelector('[data-testid="chart-loss"]');
      return Number(el?.getAttribute('data-points') ?? 0);
    });
  }

  async waitForCompletion(timeoutMs: number): Promise<void> {
    await this.byTestId('train-next-export').waitFor({ timeout: timeoutMs });
  }

  async sendToOllama(name: string): Promise<void> {
    await this.byTestId('export-name').fill(name);
    await this.byTestId('export-send').click();
    await this.byTestId('export-progress').waitFor();
    await this.byTestId('export-done').waitFor({ timeout: 5 * 60_000 });
  }

  async chat(prompt: string): Promise<string> {
    await this.byTestId('chat-input').first().fill(prompt);
    await this.byTestId('chat-send').first().click();
    const reply = this.byTestId('chat-message-assistant').first();
    await reply.waitFor({ timeout: 2 * 60_000 });
    await this.page.waitForFunction(
      () => (document.querySelector('[data-testid="chat-message-assistant"]')?.textContent ?? '').trim().length > 0,
      undefined,
      { timeout: 2 * 60_000 },
    );
    await this.page.waitForSelector('[data-testid="chat-stop"]', { state: 'detached', timeout: 2 * 60_000 }).catch(() => undefined);
    return (await reply.innerText()).trim();
  }
}
