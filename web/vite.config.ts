import { defineConfig, type Plugin } from "vite";
import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import purgeCss from "@fullhuman/postcss-purgecss";

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

// The DSFR's stylesheets hold every variant of each component this site uses (393 kB of CSS);
// the build keeps the rules whose classes a page can have: the class names written in src/ and
// in the react-dsfr components that src/ imports (found here, so a component added to a page
// brings its rules). react-dsfr composes a few names (a severity, a priority): those families
// are kept whole. A phone parses and matches all of a page's CSS before it first paints.
const keptWhole = [/^fr-alert--/, /^fr-badge--/, /^fr-btn--/, /^fr-callout--/, /^fr-fieldset/, /^fr-(radio|checkbox)-group/, /^fr-(radio|checkbox)-rich/];
const dsfrDir = fileURLToPath(new URL("./node_modules/@codegouvfr/react-dsfr", import.meta.url));
/** The DSFR tokens (custom properties) the site's own CSS and inline styles read: PurgeCSS sees
 * only the stylesheet it is given, so it would take them for unused. */
function tokensReadInSrc(): string[] {
  const src = fileURLToPath(new URL("./src", import.meta.url));
  const names = new Set<string>();
  for (const file of readdirSync(src, { recursive: true, encoding: "utf8" })) {
    if (!/\.(css|tsx?)$/.test(file)) continue;
    for (const [, name] of readFileSync(join(src, file), "utf8").matchAll(/var\((--[\w-]+)/g)) names.add(name!);
  }
  return [...names];
}

function dsfrComponentsInUse(): string[] {
  const src = fileURLToPath(new URL("./src", import.meta.url));
  const names = new Set<string>();
  for (const file of readdirSync(src, { recursive: true, encoding: "utf8" })) {
    if (!/\.tsx?$/.test(file)) continue;
    for (const [, name] of readFileSync(join(src, file), "utf8").matchAll(/"@codegouvfr\/react-dsfr\/([A-Za-z]+)"/g)) names.add(name!);
  }
  return [...names].map((name) => join(dsfrDir, `${name}.js`)).filter(existsSync).concat(join(dsfrDir, "shared/*.js"));
}

// The Chime SDK is imported only by the video page (a dynamic import), so it lands in its own
// chunk, fetched when a person opens that page. Its @aws-sdk dependencies expect Node's
// `global`; in the browser that is `window`.
export default defineConfig(({ command }) => ({
  plugins: [dsfrFrLite(), react()],
  css: {
    postcss: {
      plugins:
        command === "build"
          ? [
              purgeCss({
                content: ["index.html", "src/**/*.{ts,tsx}", ...dsfrComponentsInUse()],
                safelist: { standard: keptWhole, variables: tokensReadInSrc() },
                // Custom properties no rule reads (most of the DSFR's colour tokens), and unused fonts and keyframes.
                variables: true,
                fontFace: true,
                keyframes: true,
                // Element, attribute and state selectors (:root, [aria-current], …) stay as they are.
                defaultExtractor: (content) => content.match(/[\w-]+/g) ?? [],
              }),
            ]
          : [],
    },
  },
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
}));
