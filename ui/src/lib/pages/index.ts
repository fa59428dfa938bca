// The signed-in wallet's pages, in navigation order. Every page takes the same props, so a new
// page is one entry here and one component.
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

export type PageId =
  | 'portfolio'
  | 'activity'
  | 'derived'
  | 'send'
  | 'swap'
  | 'earn'
  | 'positions'
  | 'message'
  | 'recovery'
  | 'owners'
  | 'contacts'
  | 'settings';

export interface Page {
  id: PageId;
  /** Its name in the current language. */
  label: () => string;
  component: Component<PageProps>;
}

export const pages: [Page, ...Page[]] = [
  { id: 'portfolio', label: m.page_portfolio, component: PortfolioPage },
  { id: 'activity', label: m.page_activity, component: ActivityPage },
  { id: 'derived', label: m.page_derived, component: DerivedPage },
  { id: 'send', label: m.page_send, component: SendPage },
  { id: 'swap', label: m.page_swap, component: SwapPage },
  { id: 'earn', label: m.page_earn, component: EarnPage },
  { id: 'positions', label: m.page_positions, component: PositionsPage },
  { id: 'message', label: m.page_message, component: MessagePage },
  { id: 'recovery', label: m.page_recovery, component: RecoveryPage },
  { id: 'owners', label: m.page_owners, component: OwnersPage },
  { id: 'contacts', label: m.page_contacts, component: ContactsPage },
  { id: 'settings', label: m.page_settings, component: SettingsPage },
];
