// The DSFR components this site uses read only `fr.cx` from react-dsfr's `fr` object; the whole
// object also carries the colour decision tables (12 kB gzipped of initial JavaScript). Vite
// resolves react-dsfr's own `./fr` imports here (vite.config.ts); a component that needed more
// would fail the type check of its call site no more than at run time, so the browser tests
// cover every component in use.
import { cx } from "@codegouvfr/react-dsfr/fr/cx";

export const fr = { cx };
