import { defineConfig, devices } from "@playwright/test";

// Browser tests against the local stack that infra/local/test.sh starts (gateway, DynamoDB
// Local, moto) and the local web server in front of it: nothing is mocked between the page
// and DynamoDB Local. Debian's Chromium (no browser download), mobile viewport, fake camera
// and microphone.
const webUrl = process.env.WEB_URL ?? `http://127.0.0.1:${process.env.WEB_PORT ?? 3103}`;

export default defineConfig({
  testDir: "e2e",
  outputDir: "../.local/playwright/results",
  // One browser at a time: the machine has two cores, shared with the rest of the stack.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: true,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  use: {
    ...devices["Pixel 7"],
    baseURL: webUrl,
    locale: "fr-FR",
    timezoneId: "Europe/Paris",
    permissions: ["camera", "microphone"],
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
      ],
    },
  },
});
