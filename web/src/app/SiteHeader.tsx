// The State design system's header (its markup and classes), with its one behaviour, the menu
// that holds the navigation on a phone, written here. react-dsfr's Header leaves that menu to
// the DSFR's own script (dsfr.module.js, 29 kB gzipped), which watches the whole page and
// recomputes styles on every change: on a mid-range phone it was half the main thread's work
// while a page opened, for this one button. Nothing else on these pages needs that script.
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import { Link, useLocation } from "../lib/router";

export type HeaderNavItem = { text: string; to: string; isActive: boolean };
export type HeaderAction = { text: string; iconId: string; onClick: () => void };

export function SiteHeader(props: {
  brandTop: ReactNode;
  serviceTitle: string;
  serviceTagline: string;
  home: { to: string; title: string };
  actions: HeaderAction[];
  navigation?: HeaderNavItem[];
}) {
  const { actions, navigation } = props;
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const menuButton = useRef<HTMLButtonElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const { pathname } = useLocation();
  const hasMenu = actions.length > 0 || navigation !== undefined;

  // A link followed from the menu opens a page: the menu closes behind it (the page takes focus).
  useEffect(() => setOpen(false), [pathname]);
  // Focus into the menu once it shows: the DSFR fades it in, and an element still hidden at the
  // transition's first frame cannot take focus.
  useEffect(() => {
    if (!open) return;
    let frame = requestAnimationFrame(function focusWhenShown() {
      closeButton.current?.focus();
      if (document.activeElement !== closeButton.current) frame = requestAnimationFrame(focusWhenShown);
    });
    // The page behind does not scroll while the menu covers it (as the DSFR's modals do).
    document.documentElement.style.overflow = "hidden";
    return () => {
      cancelAnimationFrame(frame);
      document.documentElement.style.overflow = "";
    };
  }, [open]);

  const close = () => {
    setOpen(false);
    menuButton.current?.focus();
  };
  // While open on a phone the menu is a dialog: Escape closes it; Tab stays inside.
  const onMenuKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (!open) return;
    if (event.key === "Escape") {
      event.preventDefault();
      close();
      return;
    }
    if (event.key !== "Tab" || !menu.current) return;
    const focusable = [...menu.current.querySelectorAll<HTMLElement>("a[href], button:not([disabled])")];
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last?.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first?.focus();
    }
  };

  const actionList = (
    <ul className="fr-btns-group">
      {actions.map((action) => (
        <li key={action.text}>
          <button type="button" className={`fr-btn ${action.iconId}`} onClick={action.onClick}>
            {action.text}
          </button>
        </li>
      ))}
    </ul>
  );

  return (
    <header role="banner" id="fr-header" className="fr-header">
      <div className="fr-header__body">
        <div className="fr-container">
          <div className="fr-header__body-row">
            <div className="fr-header__brand fr-enlarge-link">
              <div className="fr-header__brand-top">
                <div className="fr-header__logo">
                  <p className="fr-logo">{props.brandTop}</p>
                </div>
                {hasMenu && (
                  <div className="fr-header__navbar">
                    <button
                      ref={menuButton}
                      type="button"
                      className="fr-btn--menu fr-btn"
                      aria-controls={menuId}
                      aria-expanded={open}
                      aria-haspopup="dialog"
                      title="Menu"
                      onClick={() => setOpen(true)}
                    >
                      Menu
                    </button>
                  </div>
                )}
              </div>
              <div className="fr-header__service">
                <Link to={props.home.to} title={props.home.title}>
                  <p className="fr-header__service-title">{props.serviceTitle}</p>
                </Link>
                <p className="fr-header__service-tagline">{props.serviceTagline}</p>
              </div>
            </div>
            {actions.length > 0 && (
              <div className="fr-header__tools">
                <div className="fr-header__tools-links">{actionList}</div>
              </div>
            )}
          </div>
        </div>
      </div>
      {hasMenu && (
        <div
          ref={menu}
          id={menuId}
          className={`fr-header__menu fr-modal${open ? " fr-modal--opened" : ""}`}
          {...(open ? { role: "dialog", "aria-modal": true, "aria-label": "Menu" } : {})}
          onKeyDown={onMenuKeyDown}
        >
          <div className="fr-container">
            <button ref={closeButton} type="button" className="fr-btn--close fr-btn" aria-controls={menuId} title="Fermer" onClick={close}>
              Fermer
            </button>
            <div className="fr-header__menu-links">{actionList}</div>
            {navigation && (
              <nav className="fr-nav" role="navigation" aria-label="Menu principal">
                <ul className="fr-nav__list">
                  {navigation.map((item) => (
                    <li key={item.to} className="fr-nav__item">
                      <Link to={item.to} className="fr-nav__link" aria-current={item.isActive ? "page" : undefined}>
                        {item.text}
                      </Link>
                    </li>
                  ))}
                </ul>
              </nav>
            )}
          </div>
        </div>
      )}
    </header>
  );
}
