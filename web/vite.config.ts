import { defineConfig, type Plugin } from "vite";
import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";

/** react-dsfr's internal `fr` object, without its colour tables (see src/lib/dsfr-fr-lite.ts). */
function dsfrFrLite(): Plugin {
  const lite = fileURLToPath(new URL("./src/lib/dsfr-fr-lite.ts", import.meta.url));
  return {
    name: "dsfr-fr-lite",
    enforce: "pre",
    async resolveId(source, importer) {
      if (!importer || !/@codegouvfr\/react-dsfr\//.test(importer) || !/^(\.\.?\/)+fr(\/index(\.js)?)?$/.test(source)) return null;
      return lite;
    },
  };
}

// The Chime SDK is imported only by the video page (a dynamic import), so it lands in its own
// chunk, fetched when a person opens that page. Its @aws-sdk dependencies expect Node's
// `global`; in the browser that is `window`.
export default defineConfig({
  plugins: [dsfrFrLite(), react()],
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
