import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The Chime SDK is imported only by the video page (a dynamic import), so it lands in its own
// chunk, fetched when a person opens that page. Its @aws-sdk dependencies expect Node's
// `global`; in the browser that is `window`.
export default defineConfig({
  plugins: [react()],
  define: { global: "globalThis" },
  build: {
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
    // Icons and fonts as files (the DSFR's hundreds of icons would otherwise be inlined into the CSS).
    assetsInlineLimit: 0,
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
