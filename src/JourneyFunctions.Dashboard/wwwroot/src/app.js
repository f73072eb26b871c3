// The journey dashboard: hash routes over the HTTP API (every figure on screen comes from an API route).
import * as api from './api.js';
import { h, num, pct, when, confirmAction } from './dom.js';
import { drawJourney } from './graph.js';
import { contactView } from './contact.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const POLL_MS = 2000;
let stopPolling = () => {};
let signedIn = false;

function show(title, ...content) {
  stopPolling();
  stopPolling = () => {};
  document.title = `${title} · Journeys dashboard`;
  main.replaceChildren(...content);
}

function problemList(error) {
  const entries = Object.entries(error.errors || {});
  if (!entries.length) return h('p', { class: 'error', role: 'alert' }, error.message);
  return h('div', { role: 'alert' },
    h('p', { class: 'error' }, error.problem?.title || 'The request was refused.'),
    h('ul', { class: 'problems' }, entries.map(([path, messages]) => h('li', {}, h('code', {}, path), ' ', messages.join('; ')))));
}

// ---- sign-in ----
function signInView() {
  nav.hidden = true;
  const input = h('input', { id: 'api-key', type: 'password', autocomplete: 'current-password', required: true });
  const message = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'card signin', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in'),
    h('p', { class: 'muted' }, 'Use the API key of this host (the serve banner shows the Development one).'),
    h('label', { for: 'api-key' }, 'API key'), input,
    h('button', { type: 'submit' }, 'Sign in'), message);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    message.replaceChildren();
    try {
      await api.signIn(input.value);
      input.value = '';
      signedIn = true;
      nav.hidden = false;
      route();
    } catch (e) {
      message.replaceChildren(h('p', { class: 'error', role: 'alert' }, e.status === 401 ? 'That is not the API key of this host.' : e.message));
    }
  });
  show('Sign in', form);
  input.focus();
}

// ---- journeys ----
async function journeysView() {
  const list = await api.get('/api/journeys');
  const stats = await Promise.all(list.map((j) => api.get(`/api/journeys/${api.enc(j.id)}/stats`).catch(() => null)));
  const rows = list.map((j, i) => {
    const s = stats[i];
    const bounces = s?.bounced ?? (s?.steps || []).reduce((a, x) => a + x.bounced, 0);
    const action = h('button', { type: 'button', class: 'secondary' }, j.paused ? 'Resume' : 'Pause');
    action.setAttribute('aria-label', `${j.paused ? 'Resume' : 'Pause'} ${j.name}`);
    action.addEventListener('click', async () => {
      const verb = j.paused ? 'resume' : 'pause';
      const ok = await confirmAction(`${j.paused ? 'Resume' : 'Pause'} “${j.name}”?`,
        j.paused ? 'Held runs continue and new contacts enter again.' : 'No new contacts enter; runs in flight hold at their next timer until you resume.',
        j.paused ? 'Resume journey' : 'Pause journey');
      if (!ok) return;
      await api.post(`/api/journeys/${api.enc(j.id)}/${verb}`);
      await journeysView();
    });
    return h('tr', { 'data-journey': j.id },
      h('td', {}, h('a', { href: `#/journeys/${api.enc(j.id)}` }, j.name), h('div', { class: 'muted' }, j.id)),
      h('td', {}, j.stage ?? ''),
      h('td', {}, h('span', { class: `pill ${j.paused ? 'paused' : 'live'}` }, j.paused ? 'paused' : 'live')),
      h('td', { class: 'num' }, `v${j.latestVersion}`),
      h('td', { class: 'num' }, num(s?.entered)),
      h('td', { class: 'num' }, num(s?.active)),
      h('td', { class: 'num' }, pct(s?.conversionRate)),
      h('td', { class: 'num' }, num(s?.emailsSent)),
      h('td', { class: 'num' }, num(s?.unsubscribed)),
      h('td', { class: 'num' }, num(bounces)),
      h('td', {}, action));
  });
  const stages = ['awareness', 'acquisition', 'consideration', 'decision', 'purchase', 'onboarding', 'engagement', 'retention', 'advocacy'];
  const byStage = stages.map((stage) => {
    const at = list.map((j, i) => [j, stats[i]]).filter(([j]) => j.stage === stage);
    const sum = (f) => at.reduce((a, [, s]) => a + (s ? f(s) : 0), 0);
    return { stage, journeys: at.length, entered: sum((s) => s.entered), active: sum((s) => s.active), goals: sum((s) => s.goals) };
  }).filter((r) => r.journeys > 0);
  const funnel = h('table', { id: 'funnel' },
    h('caption', { class: 'muted' }, 'Journeys grouped by the lifecycle stage they serve, in lifecycle order.'),
    h('thead', {}, h('tr', {}, ['Stage', 'Journeys', 'Entered', 'Active now', 'Goals', 'Converted'].map((t, i) => h('th', { scope: 'col', class: i ? 'num' : undefined }, t)))),
    h('tbody', {}, byStage.map((r) => h('tr', { 'data-stage': r.stage }, h('td', {}, r.stage), h('td', { class: 'num' }, num(r.journeys)),
      h('td', { class: 'num' }, num(r.entered)), h('td', { class: 'num' }, num(r.active)), h('td', { class: 'num' }, num(r.goals)),
      h('td', { class: 'num' }, pct(r.entered ? r.goals / r.entered : 0))))));
  show('Journeys',
    h('h1', {}, 'Journeys'),
    h('p', { class: 'muted' }, 'All-time figures of every published journey (counters since it was first published).'),
    h('table', { id: 'journeys' },
      h('thead', {}, h('tr', {}, ['Journey', 'Stage', 'State', 'Version', 'Entered', 'Active now', 'Converted', 'Emails sent', 'Unsubscribes', 'Bounces', 'Action']
        .map((t, i) => h('th', { scope: 'col', class: i >= 3 && i <= 9 ? 'num' : undefined }, t)))),
      h('tbody', {}, rows)),
    h('h2', {}, 'By lifecycle stage'), funnel);
}

// ---- one journey ----
async function journeyView(id, version) {
  const q = version ? `?version=${api.enc(version)}` : '';
  const [journey, map, summaries] = await Promise.all([
    api.get(`/api/journeys/${api.enc(id)}${q}`),
    api.get(`/api/journeys/${api.enc(id)}/map${q}`),
    api.get('/api/journeys'),
  ]);
  const summary = summaries.find((j) => j.id === id);
  let selected = null;
  const figures = h('ul', { class: 'figures', 'aria-label': 'Journey figures' });
  const stepFigures = h('div', {});
  const waiting = h('section', { 'aria-labelledby': 'waiting-title' }, h('h2', { id: 'waiting-title' }, 'Who waits where'), h('p', { class: 'muted' }, 'Choose a step to list the contacts waiting there now.'));
  const graphBox = h('div', { class: 'graph' });
  const versions = h('select', { id: 'version' }, Array.from({ length: summary?.latestVersion ?? 1 }, (_, i) => i + 1).reverse()
    .map((v) => h('option', { value: String(v), selected: v === (journey.version ?? 1) }, `v${v}${v === summary?.latestVersion ? ' (latest)' : ''}`)));
  versions.addEventListener('change', () => { location.hash = `#/journeys/${api.enc(id)}?version=${versions.value}`; });
  const shown = journey.version ?? 1;
  const diffBox = h('div', { id: 'diff-box', 'aria-live': 'polite' });
  const compare = h('select', { id: 'compare' }, h('option', { value: '' }, 'choose a version'),
    Array.from({ length: summary?.latestVersion ?? 1 }, (_, i) => i + 1).filter((v) => v !== shown).reverse().map((v) => h('option', { value: String(v) }, `v${v}`)));
  compare.addEventListener('change', () => { if (compare.value) versionDiff(id, Number(compare.value), shown, diffBox); else diffBox.replaceChildren(); });

  function renderFigures(s) {
    const items = [['Entered', num(s?.entered)], ['Active now', num(s?.active)], ['Finished', num(s?.finished)], ['Exited', num(s?.exited)],
      ['Goals', num(s?.goals)], ['Converted', pct(s?.conversionRate)], ['Emails sent', num(s?.emailsSent)], ['Unsubscribed', num(s?.unsubscribed)],
      ['Failed', num(s?.failed)]];
    figures.replaceChildren(...items.map(([k, v]) => h('li', {}, h('strong', { 'data-figure': k }, v), k)));
    stepFigures.replaceChildren(stepTable(s));
  }

  async function showWaiting(stepId) {
    selected = stepId;
    graphBox.querySelectorAll('.node').forEach((n) => n.classList.toggle('selected', n.dataset.step === stepId));
    const answer = await api.get(`/api/journeys/${api.enc(id)}/waiting?step=${api.enc(stepId)}`);
    waiting.replaceChildren(...[h('h2', { id: 'waiting-title' }, `Waiting at “${stepId}”`),
      answer.runs.length === 0 ? h('p', {}, 'Nobody waits here now.') : h('table', { id: 'waiting' },
        h('thead', {}, h('tr', {}, ['Contact', 'Key', 'Since', 'Until'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, answer.runs.map((r) => h('tr', {},
          h('td', {}, h('a', { href: `#/contacts/${api.enc(r.contactId)}` }, r.contactId)),
          h('td', {}, r.key ?? ''), h('td', {}, when(r.startedAt)), h('td', {}, when(r.waitingUntil)))))),
      answer.more ? h('p', { class: 'muted' }, 'More contacts wait here than are listed.') : null].filter(Boolean));
  }

  const drawing = drawJourney(journey, map.mermaid, map.stats, selected, (stepId) => showWaiting(stepId));
  graphBox.append(drawing.element);
  renderFigures(map.stats);
  show(journey.name,
    h('h1', {}, journey.name, ' ', h('span', { class: `pill ${summary?.paused ? 'paused' : 'live'}` }, summary?.paused ? 'paused' : 'live')),
    h('p', { class: 'muted' }, journey.description ?? '', ` Stage: ${journey.stage ?? 'none'}.`),
    h('div', { class: 'row' }, h('div', {}, h('label', { for: 'version' }, 'Version'), versions),
      (summary?.latestVersion ?? 1) > 1 ? h('div', {}, h('label', { for: 'compare' }, 'Compare with'), compare) : null,
      h('a', { href: `#/draft/${api.enc(id)}` }, 'Edit a draft of this journey')),
    diffBox,
    h('h2', {}, 'Figures'), figures,
    h('h2', {}, 'The journey'), graphBox, waiting,
    h('h2', { id: 'step-figures-title' }, 'Every step'), stepFigures);

  // Counts refresh without a reload: the stats route answers from counters.
  let alive = true;
  const timer = setInterval(async () => {
    try {
      const s = await api.get(`/api/journeys/${api.enc(id)}/stats`);
      if (!alive) return;
      drawing.update(s);
      renderFigures(s);
      if (selected) await showWaiting(selected);
    } catch { /* the next tick tries again; a 401 signs out */ }
  }, POLL_MS);
  stopPolling = () => { alive = false; clearInterval(timer); };
}

const EXIT_REASONS = [['exit.rule', 'exit rule'], ['exit.goal', 'goal'], ['exit.unsubscribe', 'unsubscribed'], ['exit.cancelled', 'cancelled'], ['exit.failed', 'failed']];

/** Per step: visited, waiting now, emails, goals reached there and the runs that ended there, by reason. */
function stepTable(s) {
  const heads = ['Step', 'Kind', 'Visited', 'Waiting now', 'Sent', 'Opened', 'Clicked', 'Goals', ...EXIT_REASONS.map(([, label]) => `Exits: ${label}`)];
  return h('table', { id: 'step-figures', 'aria-labelledby': 'step-figures-title' },
    h('thead', {}, h('tr', {}, heads.map((t, i) => h('th', { scope: 'col', class: i >= 2 ? 'num' : undefined }, t)))),
    h('tbody', {}, (s?.steps || []).map((x) => h('tr', { 'data-step': x.stepId },
      h('th', { scope: 'row' }, x.stepId), h('td', {}, x.kind),
      ...[x.visited, x.waitingNow, x.emailsSent, x.opened, x.clicked, x.goals].map((v) => h('td', { class: 'num' }, num(v))),
      ...EXIT_REASONS.map(([key]) => h('td', { class: 'num', 'data-exit': key }, num(x.exitsByReason?.[key])))))));
}

/** Line diff of two texts (longest common subsequence): [{ op: ' ' | '-' | '+', line }]. Journeys are small. */
export function diffLines(a, b) {
  const x = a.split('\n');
  const y = b.split('\n');
  const n = x.length;
  const m = y.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) { out.push({ op: ' ', line: x[i] }); i++; j++; } else if (lcs[i + 1][j] >= lcs[i][j + 1]) out.push({ op: '-', line: x[i++] }); else out.push({ op: '+', line: y[j++] });
  }
  while (i < n) out.push({ op: '-', line: x[i++] });
  while (j < m) out.push({ op: '+', line: y[j++] });
  return out;
}

const definitionText = (d) => JSON.stringify({ ...d, version: undefined, steps: d.steps.map(({ kind, ...step }) => step) }, null, 2);

async function versionDiff(id, from, to, box) {
  const [a, b] = await Promise.all([api.get(`/api/journeys/${api.enc(id)}?version=${from}`), api.get(`/api/journeys/${api.enc(id)}?version=${to}`)]);
  const changes = diffLines(definitionText(a), definitionText(b));
  const changed = changes.filter((c) => c.op !== ' ');
  box.replaceChildren(h('h3', {}, `v${from} → v${to}: ${changed.length} changed line(s)`),
    changed.length === 0 ? h('p', {}, 'The two versions are the same.') : h('pre', { id: 'diff' }, changes
      .filter((c, k) => c.op !== ' ' || changes.slice(Math.max(0, k - 2), k + 3).some((d) => d.op !== ' '))
      .map((c) => h('span', { class: c.op === '+' ? 'added' : c.op === '-' ? 'removed' : undefined }, `${c.op} ${c.line}\n`))));
}

// ---- contacts: contact.js ----

// ---- draft: edit, simulate, see the emails, publish ----
function sampleScenario(journey) {
  return {
    name: 'Draft try-out',
    start: '2026-03-03T10:00:00+01:00',
    contact: { id: 'sample', email: 'sample@example.com', timeZone: 'Europe/Madrid', fields: { firstName: 'Ana' }, tags: [] },
    events: [{ name: journey.trigger?.event ?? 'contact.subscribed', data: journey.trigger?.key ? { [journey.trigger.key]: 'sample-1', total: 42.5, currency: 'EUR', items: [{ name: 'Sample item', quantity: 1, price: 42.5 }] } : {} }],
    runFor: 'P30D',
    // The simulator refuses a scenario with no expectation (it would pass whatever the journey does): a try-out at
    // least expects the contact to enter; edit it to say what the draft must do.
    expect: [{ counter: 'entered', equals: 1 }],
  };
}

function emailCard(email, index, meta = `${email.local} · step ${email.stepId ?? ''} · template ${email.template ?? ''} · to ${email.to}`) {
  const html = h('iframe', { class: 'desktop', sandbox: '', title: `Email ${index + 1} at desktop width`, srcdoc: email.html });
  const phone = h('iframe', { class: 'phone', sandbox: '', title: `Email ${index + 1} at phone width`, srcdoc: email.html });
  return h('article', { class: 'card email', 'aria-labelledby': `email-${index}` },
    h('h3', { id: `email-${index}` }, email.subject),
    h('p', { class: 'muted' }, meta),
    h('div', { class: 'frames' }, h('figure', {}, html, h('figcaption', {}, 'Desktop (640 px)')), h('figure', {}, phone, h('figcaption', {}, 'Phone (375 px)'))),
    h('h4', {}, 'Text part'), h('pre', {}, email.text),
    h('h4', {}, 'Headers'), h('pre', { class: 'headers' }, Object.entries(email.headers || {}).map(([k, v]) => `${k}: ${v}`).join('\n')));
}

async function draftView(id) {
  const list = await api.get('/api/journeys');
  if (!id) {
    show('Draft', h('h1', {}, 'Draft a journey'), h('p', {}, 'Pick a journey to start a draft from:'),
      h('ul', {}, list.map((j) => h('li', {}, h('a', { href: `#/draft/${api.enc(j.id)}` }, j.name)))));
    return;
  }
  const journey = await api.get(`/api/journeys/${api.enc(id)}`);
  // GET /api/journeys/{id} also returns each step's computed "kind" and the stored "version", which publishing
  // refuses: the draft starts from the definition as a marketer writes it.
  const draft = { ...journey, steps: journey.steps.map(({ kind, ...step }) => step) };
  delete draft.version;
  const editor = h('textarea', { id: 'draft', class: 'code', spellcheck: 'false' }, JSON.stringify(draft, null, 2));
  const scenario = h('textarea', { id: 'scenario', class: 'code small', spellcheck: 'false' }, JSON.stringify(sampleScenario(journey), null, 2));
  const status = h('div', { id: 'draft-status', 'aria-live': 'polite' });
  const output = h('div', { id: 'simulation' });
  const publish = h('button', { type: 'button', id: 'publish', disabled: true }, 'Publish');
  const simulate = h('button', { type: 'button', id: 'simulate' }, 'Check and simulate');
  let validated = null;
  editor.addEventListener('input', () => { validated = null; publish.disabled = true; });

  simulate.addEventListener('click', async () => {
    status.replaceChildren(h('p', {}, 'Simulating…'));
    output.replaceChildren();
    let body;
    try {
      body = { ...JSON.parse(scenario.value) };
    } catch (e) {
      status.replaceChildren(h('p', { class: 'error', role: 'alert' }, `The scenario is not JSON: ${e.message}`));
      return;
    }
    let journeyJson;
    try {
      journeyJson = JSON.parse(editor.value);
    } catch (e) {
      status.replaceChildren(h('p', { class: 'error', role: 'alert' }, `The journey is not JSON: ${e.message}`));
      return;
    }
    body.journey = journeyJson;
    try {
      const report = await api.post(`/api/journeys/${api.enc(id)}/simulate`, body);
      validated = editor.value;
      publish.disabled = false;
      status.replaceChildren(h('p', { class: 'ok' }, `The draft validates. Simulated ${report.start} to ${report.end}: ${report.emails.length} email(s).`));
      output.replaceChildren(
        h('h2', {}, 'Timeline (virtual clock)'),
        h('table', { id: 'sim-timeline' }, h('thead', {}, h('tr', {}, ['When (contact’s time)', 'What', 'Step', 'Detail'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, report.timeline.map((t) => h('tr', {}, h('td', {}, t.local), h('td', {}, t.kind), h('td', {}, t.stepId ?? ''), h('td', {}, t.message))))),
        h('h2', {}, 'Emails'), ...report.emails.map(emailCard));
    } catch (e) {
      status.replaceChildren(problemList(e));
    }
  });

  publish.addEventListener('click', async () => {
    if (validated === null || validated !== editor.value) return;
    const ok = await confirmAction(`Publish “${journey.name}”?`, 'The draft becomes the next version; runs in flight keep the version they started with.', 'Publish');
    if (!ok) return;
    try {
      const answer = await api.put(`/api/journeys/${api.enc(id)}`, editor.value);
      status.replaceChildren(h('p', { role: 'status' }, answer.unchanged ? 'Nothing changed: the draft is the published version.' : `Published as version ${answer.version}.`));
    } catch (e) {
      status.replaceChildren(problemList(e));
    }
  });

  show(`Draft of ${journey.name}`,
    h('h1', {}, `Draft of “${journey.name}”`),
    h('p', { class: 'muted' }, 'Edit the journey, then check and simulate it on a virtual clock: problems are shown at their JSON path; Publish is enabled once the draft validates.'),
    h('div', { class: 'split-2' },
      h('div', {}, h('label', { for: 'draft' }, 'Journey JSON'), editor),
      h('div', {}, h('label', { for: 'scenario' }, 'Scenario (contact, events, how long to run)'), scenario,
        h('div', { class: 'row' }, simulate, publish), status)),
    output);
}

// ---- email preview: any template for a stored contact or sample data ----
async function previewView(params) {
  const list = await api.get('/api/journeys');
  const definitions = await Promise.all(list.map((j) => api.get(`/api/journeys/${api.enc(j.id)}`)));
  const used = [];
  definitions.forEach((d) => d.steps.filter((s) => s.type === 'email').forEach((s) => used.push({ template: s.template, journeyId: d.id, journeyName: d.name })));
  const template = h('select', { id: 'template' }, used.map((u) => h('option', { value: `${u.journeyId}|${u.template}`, selected: params.get('template') === u.template }, `${u.template} (${u.journeyName})`)));
  const contactId = h('input', { id: 'preview-contact', type: 'text', value: params.get('contact') ?? '', placeholder: 'leave empty for sample data' });
  const sample = h('textarea', { id: 'preview-data', class: 'code small', spellcheck: 'false' }, JSON.stringify({
    email: 'ana@example.com', fields: { firstName: 'Ana' }, tags: ['vip'],
    trigger: { cartId: 'cart-1001', currency: 'EUR', total: 84.5, cartUrl: 'https://shop.example/cart/cart-1001', items: [{ name: 'Merino beanie', quantity: 1, price: 60 }], orderId: 'order-1', products: [{ name: 'Merino beanie' }] },
  }, null, 2));
  const result = h('div', { id: 'preview-result', 'aria-live': 'polite' });
  const form = h('form', { class: 'card', 'aria-label': 'What to render' },
    h('div', { class: 'row' }, h('div', {}, h('label', { for: 'template' }, 'Template'), template),
      h('div', {}, h('label', { for: 'preview-contact' }, 'Contact id (optional)'), contactId)),
    h('label', { for: 'preview-data' }, 'Sample data (used when no contact id is given; trigger is the event data)'), sample,
    h('button', { type: 'submit' }, 'Render'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const [journeyId, name] = template.value.split('|');
    let body;
    try {
      const data = JSON.parse(sample.value);
      body = contactId.value.trim() ? { contactId: contactId.value.trim(), trigger: data.trigger, journeyId } : { ...data, journeyId };
    } catch (e) {
      result.replaceChildren(h('p', { class: 'error', role: 'alert' }, `The sample data is not JSON: ${e.message}`));
      return;
    }
    try {
      const email = await api.post(`/api/templates/${api.enc(name)}/preview`, body);
      result.replaceChildren(emailCard(email, 0, `template ${email.template} · to ${email.headers.To}`));
    } catch (e) {
      result.replaceChildren(problemList(e));
    }
  });
  // Locally the host writes every email it sends to its outbox folder; the route exists only then.
  let outbox = null;
  try {
    const sent = await api.get('/api/outbox');
    const opened = h('div', { id: 'outbox-email', 'aria-live': 'polite' });
    outbox = h('section', { 'aria-labelledby': 'outbox-title' }, h('h2', { id: 'outbox-title' }, 'Sent by this host (outbox)'),
      sent.length === 0 ? h('p', {}, 'No email sent yet.') : h('table', { id: 'outbox' },
        h('thead', {}, h('tr', {}, ['Sent', 'To', 'Subject'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, sent.map((m) => {
          const open = h('button', { type: 'button', class: 'link' }, m.subject || '(no subject)');
          open.addEventListener('click', async () => {
            const email = await api.get(`/api/outbox/${api.enc(m.file)}`);
            opened.replaceChildren(emailCard(email, 1, `${when(email.date)} · to ${email.to} · ${email.file}`));
          });
          return h('tr', {}, h('td', {}, when(m.date)), h('td', {}, m.to), h('td', {}, open));
        }))), opened);
  } catch (e) {
    if (!(e instanceof api.ApiError && e.status === 404)) throw e;
  }
  show('Email preview', h('h1', {}, 'Email preview'),
    h('p', { class: 'muted' }, 'A template rendered by the same renderer the senders use, at desktop and phone widths, with its text part and the headers a send carries. Nothing is sent.'),
    form, result, outbox);
}

// ---- routing ----
async function route() {
  if (!signedIn) {
    signInView();
    return;
  }
  nav.hidden = false;
  const [path, query] = location.hash.replace(/^#/, '').split('?');
  const parts = (path || '/').split('/').filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query || '');
  try {
    if (parts.length === 0) await journeysView();
    else if (parts[0] === 'journeys' && parts[1]) await journeyView(parts[1], params.get('version'));
    else if (parts[0] === 'contacts') await contactView(show, parts[1], params);
    else if (parts[0] === 'draft') await draftView(parts[1]);
    else if (parts[0] === 'emails') await previewView(params);
    else show('Not found', h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '#/' }, 'Back to the journeys')));
  } catch (e) {
    if (e instanceof api.ApiError && e.status === 401) return;
    show('Error', h('h1', {}, 'Something went wrong'), problemList(e));
  }
}

window.addEventListener('hashchange', route);
window.addEventListener('signed-out', () => { signedIn = false; signInView(); });
document.getElementById('sign-out').addEventListener('click', async () => {
  await api.signOut();
  signedIn = false;
  location.hash = '#/';
  signInView();
});

signedIn = await api.resume();
route();
