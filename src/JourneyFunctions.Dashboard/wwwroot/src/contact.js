// The contact page: find a contact by id or by email address, then its profile, consent, tags, runs and the timeline
// of every decision with the inputs behind it. Every figure comes from GET /api/contacts/{id} or ?email=.
import * as api from './api.js';
import { h, when } from './dom.js';

/** The search box: an address (anything with an @) is looked up by email, anything else as a contact id. */
function contactSearch(value = '') {
  const input = h('input', { id: 'contact-id', type: 'search', value, required: true, autocomplete: 'off' });
  const form = h('form', { class: 'row', role: 'search', 'aria-label': 'Find a contact' },
    h('div', {}, h('label', { for: 'contact-id' }, 'Contact id or email'), input), h('button', { type: 'submit' }, 'Find'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = input.value.trim();
    location.hash = text.includes('@') ? `#/contacts?email=${api.enc(text)}` : `#/contacts/${api.enc(text)}`;
  });
  return form;
}

/** #/contacts?email=: one match opens it; several are listed; none falls back to the text as an id (ids may hold an @). */
async function emailSearchView(show, email) {
  const answer = await api.get(`/api/contacts?email=${api.enc(email)}`);
  const found = answer.contacts || [];
  if (found.length === 1) {
    location.replace(`#/contacts/${api.enc(found[0].id)}`);
    return;
  }
  if (found.length === 0) {
    try {
      await api.get(`/api/contacts/${api.enc(email)}`);
      location.replace(`#/contacts/${api.enc(email)}`);
      return;
    } catch (e) {
      if (e.status !== 404) throw e;
    }
    show('Contacts', h('h1', {}, 'Contacts'), contactSearch(email), h('p', { class: 'error', role: 'alert' }, `No contact with the address “${email}”.`));
    return;
  }
  show('Contacts', h('h1', {}, 'Contacts'), contactSearch(email),
    h('p', {}, `${found.length} contacts have the address “${email}”.`),
    h('table', { id: 'contact-matches' },
      h('thead', {}, h('tr', {}, ['Contact', 'Email', 'Tags', 'Created'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, found.map((c) => h('tr', {}, h('td', {}, h('a', { href: `#/contacts/${api.enc(c.id)}` }, c.id)),
        h('td', {}, c.email ?? ''), h('td', {}, c.tags.join(', ')), h('td', {}, when(c.createdAt)))))));
}

/** #/contacts, #/contacts/{id} or #/contacts?email=; <paramref name="show"/> replaces the page. */
export async function contactView(show, id, params) {
  const email = params?.get('email');
  if (!id && email) {
    await emailSearchView(show, email);
    return;
  }
  if (!id) {
    show('Contacts', h('h1', {}, 'Contacts'), contactSearch());
    return;
  }
  let c;
  try {
    c = await api.get(`/api/contacts/${api.enc(id)}`);
  } catch (e) {
    if (e.status !== 404) throw e;
    show('Contacts', h('h1', {}, 'Contacts'), contactSearch(id), h('p', { class: 'error', role: 'alert' }, `No contact “${id}”.`));
    return;
  }
  const consent = c.consent || {};
  const fields = Object.entries(c.fields || {});
  show(c.id,
    h('h1', {}, `Contact ${c.id}`), contactSearch(id),
    h('div', { class: 'split-2' },
      h('section', { class: 'card', 'aria-labelledby': 'profile-title' }, h('h2', { id: 'profile-title' }, 'Profile'),
        h('dl', {}, h('dt', {}, 'Email'), h('dd', {}, c.email ?? '—'), h('dt', {}, 'Time zone'), h('dd', {}, c.timeZone ?? '—'),
          h('dt', {}, 'Created'), h('dd', {}, when(c.createdAt)), h('dt', {}, 'Last activity'), h('dd', {}, when(c.lastActivityAt) || '—'),
          ...fields.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, JSON.stringify(v))]))),
      h('section', { class: 'card', 'aria-labelledby': 'consent-title' }, h('h2', { id: 'consent-title' }, 'Consent and tags'),
        h('p', {}, consent.marketing ? 'Marketing email: yes' : 'Marketing email: no', consent.source ? ` (source: ${consent.source})` : '', c.suppressed ? ' · suppressed (unsubscribed, bounced or complained)' : ''),
        h('p', {}, 'Tags: ', c.tags.length ? c.tags.join(', ') : 'none'))),
    h('h2', {}, 'Runs in flight'),
    (c.activeRuns || []).length === 0 ? h('p', {}, 'None.') : h('table', { id: 'runs' },
      h('thead', {}, h('tr', {}, ['Journey', 'Version', 'Key', 'At step', 'Status', 'Started', 'Waiting until'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, c.activeRuns.map((r) => h('tr', {}, h('td', {}, h('a', { href: `#/journeys/${api.enc(r.journeyId)}` }, r.journeyId)),
        h('td', {}, `v${r.version}`), h('td', {}, r.key ?? ''), h('td', {}, r.stepId ?? ''), h('td', {}, r.status), h('td', {}, when(r.startedAt)),
        h('td', {}, r.waitingUntilLocal ? `${r.waitingUntilLocal} (${c.timeZone})` : when(r.waitingUntil)))))),
    h('h2', {}, 'Timeline: every decision and why'),
    h('table', { id: 'timeline' },
      h('thead', {}, h('tr', {}, ['When', 'What', 'Journey', 'Step', 'Why', 'Inputs'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, (c.timeline || []).map((t) => h('tr', {}, h('td', {}, when(t.at)), h('td', {}, t.kind), h('td', {}, t.journeyId ?? ''),
        h('td', {}, t.stepId ?? ''), h('td', {}, t.message), h('td', {}, t.data ? h('code', {}, JSON.stringify(t.data)) : ''))))));
}
