// The DSFR components this site uses read only `fr.cx` from react-dsfr's `fr` object, and its
// start-up code one colour (the theme-color meta: the default grey background); the whole
// object also carries every colour decision table (12 kB gzipped of initial JavaScript). Vite
// resolves react-dsfr's own `./fr` imports here (vite.config.ts). Checked against react-dsfr
// 1.33: `grep -rE "fr\.(colors|spacing|breakpoints|typography)"` in the package lists only
// files this site does not import, and useIsDark/client.js (served below). The browser tests
// use the header's menu, which needs the DSFR's start-up to finish.
import { cx } from "@codegouvfr/react-dsfr/fr/cx";

const background = { light: "#ffffff", dark: "#161616" };

export const fr = {
  cx,
  colors: {
    getHex: ({ isDark }: { isDark: boolean }) => ({
      decisions: { background: { default: { grey: { default: isDark ? background.dark : background.light } } } },
    }),
  },
};
