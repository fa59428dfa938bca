// The signed-in wallet's pages, in navigation order, each in its group of the sidebar. Every
// page takes the same props, so a new page is ONE line in `pages` below (its id, group, label
// and component) and its component; its id, its place in the sidebar and its test id
// (`nav-<id>`) follow from that line.
import type { Component } from 'svelte';
import type { Backend } from '../backend';
import type { AppInfo, Persistence, SessionInfo, Settings } from '../bindings';
import ActivityPage from './ActivityPage.svelte';
import PortfolioPage from './PortfolioPage.svelte';
import RecoveryPage from './RecoveryPage.svelte';
import SendPage from './SendPage.svelte';
import SettingsPage from './SettingsPage.svelte';
import ContactsPage from './ContactsPage.svelte';
import DerivedPage from './DerivedPage.svelte';
import OwnersPage from './OwnersPage.svelte';
import EarnPage from './EarnPage.svelte';
import MessagePage from './MessagePage.svelte';
import PositionsPage from './PositionsPage.svelte';
import SwapPage from './SwapPage.svelte';
import BankPage from './BankPage.svelte';
import { m } from '../paraglide/messages';

export type SignedIn = Extract<SessionInfo, { status: 'signedIn' }>;

export interface PageProps {
  backend: Backend;
  session: SignedIn;
  persistence: Persistence;
  settings: Settings;
  info: AppInfo | null;
  /** Shows another page, e.g. Send from the portfolio. */
  navigate: (id: PageId) => void;
}

/** The sidebar's groups, in order; a group without pages is not shown. */
export const groups = [
  { id: 'wallet', label: m.nav_group_wallet },
  { id: 'banking', label: m.nav_group_banking },
  { id: 'defi', label: m.nav_group_defi },
  { id: 'security', label: m.nav_group_security },
  { id: 'account', label: m.nav_group_account },
] as const;

export type GroupId = (typeof groups)[number]['id'];

export interface Page {
  id: string;
  group: GroupId;
  /** Its name in the current language. */
  label: () => string;
  component: Component<PageProps>;
}

export const pages = [
  { id: 'portfolio', group: 'wallet', label: m.page_portfolio, component: PortfolioPage },
  { id: 'activity', group: 'wallet', label: m.page_activity, component: ActivityPage },
  { id: 'derived', group: 'wallet', label: m.page_derived, component: DerivedPage },
  { id: 'send', group: 'wallet', label: m.page_send, component: SendPage },
  { id: 'contacts', group: 'wallet', label: m.page_contacts, component: ContactsPage },
  { id: 'bank', group: 'banking', label: m.page_bank, component: BankPage },
  { id: 'swap', group: 'defi', label: m.page_swap, component: SwapPage },
  { id: 'earn', group: 'defi', label: m.page_earn, component: EarnPage },
  { id: 'positions', group: 'defi', label: m.page_positions, component: PositionsPage },
  { id: 'recovery', group: 'security', label: m.page_recovery, component: RecoveryPage },
  { id: 'owners', group: 'security', label: m.page_owners, component: OwnersPage },
  { id: 'message', group: 'security', label: m.page_message, component: MessagePage },
  { id: 'settings', group: 'account', label: m.page_settings, component: SettingsPage },
] as const satisfies readonly [Page, ...Page[]];

export type PageId = (typeof pages)[number]['id'];

/** The sidebar: each group that has pages, with its pages in order. */
export function sections(): { id: GroupId; label: () => string; pages: (typeof pages)[number][] }[] {
  return groups
    .map((g) => ({ id: g.id, label: g.label, pages: pages.filter((p) => p.group === g.id) }))
    .filter((g) => g.pages.length > 0);
}
