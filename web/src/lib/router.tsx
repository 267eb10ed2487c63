// A small router for the few pages of this site: history API, path patterns with `:params`,
// one level of layout routes, links. (react-router did the same for 14 kB gzipped of the
// 150 kB initial JavaScript budget; this is under 1 kB.)
import {
  Children,
  createContext,
  forwardRef,
  isValidElement,
  useContext,
  useEffect,
  useMemo,
  useSyncExternalStore,
  type AnchorHTMLAttributes,
  type MouseEvent,
  type ReactElement,
  type ReactNode,
} from "react";

type Location = { pathname: string; search: string; state: unknown };
type NavigateOptions = { replace?: boolean; state?: unknown };

const listeners = new Set<() => void>();
let current: Location = read();

function read(): Location {
  return { pathname: window.location.pathname, search: window.location.search, state: window.history.state?.usr ?? null };
}
function notify() {
  current = read();
  listeners.forEach((l) => l());
}
window.addEventListener("popstate", notify);

export function navigate(to: string, options: NavigateOptions = {}) {
  const data = { usr: options.state ?? null };
  if (options.replace) window.history.replaceState(data, "", to);
  else {
    window.history.pushState(data, "", to);
    window.scrollTo(0, 0);
  }
  notify();
}

function subscribe(l: () => void) {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function useLocation(): Location {
  return useSyncExternalStore(subscribe, () => current);
}

export function useNavigate() {
  return navigate;
}

export function useSearchParams(): [URLSearchParams] {
  const { search } = useLocation();
  return [useMemo(() => new URLSearchParams(search), [search])];
}

const ParamsContext = createContext<Record<string, string>>({});
const OutletContext = createContext<ReactNode>(null);

export function useParams(): Record<string, string | undefined> {
  return useContext(ParamsContext);
}

export function Outlet() {
  return <>{useContext(OutletContext)}</>;
}

type RouteProps = { path?: string; element: ReactNode; children?: ReactNode };
/** A route: only read by <Routes>. */
export function Route(props: RouteProps): null {
  void props;
  return null;
}

/** `pattern` ("/rendez-vous/:interviewId", "*") against `pathname`: the params, or null. */
export function match(pattern: string, pathname: string): Record<string, string> | null {
  if (pattern === "*") return {};
  const want = pattern.split("/").filter(Boolean);
  const got = pathname.split("/").filter(Boolean);
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    if (w.startsWith(":")) params[w.slice(1)] = decodeURIComponent(got[i]!);
    else if (w !== got[i]) return null;
  }
  return params;
}

export function Routes({ children }: { children: ReactNode }) {
  const { pathname } = useLocation();
  const routes = Children.toArray(children).filter(isValidElement) as ReactElement<RouteProps>[];
  for (const route of routes) {
    const { path, element } = route.props;
    if (path === undefined) {
      // A layout route: its element renders the matching child through <Outlet />.
      const inner = Children.toArray(route.props.children).filter(isValidElement) as ReactElement<RouteProps>[];
      for (const child of inner) {
        const params = child.props.path ? match(child.props.path, pathname) : null;
        if (params) {
          return (
            <ParamsContext.Provider value={params}>
              <OutletContext.Provider value={child.props.element}>{element}</OutletContext.Provider>
            </ParamsContext.Provider>
          );
        }
      }
      continue;
    }
    const params = match(path, pathname);
    if (params) return <ParamsContext.Provider value={params}>{element}</ParamsContext.Provider>;
  }
  return null;
}

export function Navigate({ to, replace, state }: { to: string } & NavigateOptions) {
  useEffect(() => navigate(to, { replace, state }), [to, replace, state]);
  return null;
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string };

export const Link = forwardRef<HTMLAnchorElement, LinkProps>(function Link({ to, onClick, ...rest }, ref) {
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || rest.target) return;
    e.preventDefault();
    navigate(to);
  };
  return <a ref={ref} href={to} onClick={click} {...rest} />;
});
