// The staff side's navigation and landing pages, by role (one place: the header, the guards
// and the sign-in page read them).
import type { Session } from "../lib/auth/session";
import { role } from "../lib/auth/session";

export type StaffRole = "advisor" | "admin";
export type NavItem = { to: string; text: string; exact?: boolean };

export const ADVISOR_NAV: ReadonlyArray<NavItem> = [
  { to: "/conseiller", text: "Portefeuille", exact: true },
  { to: "/conseiller/agenda", text: "Agenda" },
  { to: "/conseiller/messages", text: "Messages" },
  { to: "/conseiller/demandes", text: "Demandes d'entretien sur place" },
];

export const ADMIN_NAV: ReadonlyArray<NavItem> = [
  { to: "/gestion/conseillers", text: "Conseillers" },
  { to: "/gestion/attente", text: "Liste d'attente" },
];

/** Where a person lands after signing in, when no page asked for them. */
export function homeOf(session: Session | null): string {
  switch (role(session)) {
    case "advisor":
      return "/conseiller";
    case "admin":
      return "/gestion/conseillers";
    default:
      return "/";
  }
}

/** A seeker's file and a seeker's conversation (the messages pages live in their own folder). */
export const seekerFilePath = (seekerId: string) => `/conseiller/demandeurs/${seekerId}`;
export const conversationPath = (seekerId: string) => `/conseiller/messages/${seekerId}`;
export const interviewPath = (interviewId: string) => `/conseiller/entretiens/${interviewId}`;

export function isActive(item: NavItem, pathname: string): boolean {
  if (item.exact) return pathname === item.to || pathname.startsWith("/conseiller/demandeurs/");
  return pathname === item.to || pathname.startsWith(`${item.to}/`);
}
