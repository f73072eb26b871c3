// The journey drawn: the edges come from the Mermaid map the API produces (the project's one computation of where each
// step goes, StepGraph), the layout from dagre, the SVG and the figures on every step from here.
import { Graph, layout } from '@dagrejs/dagre';
import { svg, num } from './dom.js';

const ENTITIES = { quot: '"', lt: '<', gt: '>', amp: '&' };
const unescape = (text) => text.replace(/#(\w+);/g, (m, code) => (/^\d+$/.test(code) ? String.fromCharCode(Number(code)) : ENTITIES[code] ?? m)).replace(/<br\s*\/?>/g, ' ');

/** Edges of the Mermaid flowchart: { from, to, label } with node ids (trigger, s0.., finish, missing_x). */
export function mermaidEdges(mermaid) {
  const edges = [];
  for (const line of mermaid.split('\n')) {
    const m = /^\s*([\w-]+)\s+-->(?:\|"(.*)"\|)?\s+([\w-]+)\s*$/.exec(line);
    if (m) edges.push({ from: m[1], to: m[3], label: m[2] ? unescape(m[2]) : null });
  }
  return edges;
}

function describe(step) {
  switch (step.type) {
    case 'email': return `email: ${step.template}`;
    case 'wait': return step.duration ? `wait ${step.duration}` : 'wait';
    case 'waitForEvent': return `wait for ${step.event}`;
    case 'branch': return 'branch';
    case 'split': return 'split';
    case 'tags': return ['tags', ...(step.add || []).map((t) => `+${t}`), ...(step.remove || []).map((t) => `-${t}`)].join(' ');
    case 'setField': return `set ${step.field ?? 'field'}`;
    case 'webhook': return 'webhook';
    case 'exit': return 'exit';
    default: return step.type;
  }
}

function figures(step, s) {
  if (!s) return [];
  const lines = [`visited ${num(s.visited)} · waiting ${num(s.waitingNow)}`];
  if (step.type === 'email') lines.push(`sent ${num(s.emailsSent)} · opened ${num(s.opened)} · clicked ${num(s.clicked)}`);
  if (s.exited) lines.push(`exited here ${num(s.exited)}`);
  return lines;
}

/**
 * Draws the journey into an <svg>. onSelect(stepId) is called when a step is clicked (or chosen with Enter/Space).
 * Returns { element, update(stats) } so polling refreshes the figures without a new layout.
 */
export function drawJourney(journey, mermaid, stats, selected, onSelect) {
  const g = new Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: 46, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  const byStat = new Map((stats?.steps || []).map((s) => [s.stepId, s]));
  const nodes = new Map();
  nodes.set('trigger', { kind: 'trigger', title: journey.trigger?.event ? `Trigger: ${journey.trigger.event}` : journey.trigger?.inactiveFor ? `Trigger: inactive for ${journey.trigger.inactiveFor}` : 'Trigger', lines: [`entered ${num(stats?.entered)}`] });
  journey.steps.forEach((step, i) => nodes.set(`s${i}`, { kind: step.type, step, title: step.id, sub: describe(step), lines: figures(step, byStat.get(step.id)) }));
  const edges = mermaidEdges(mermaid);
  if (edges.some((e) => e.to === 'finish')) nodes.set('finish', { kind: 'finish', title: 'end', lines: [`finished ${num(stats?.finished)}`] });
  for (const e of edges) if (!nodes.has(e.to)) nodes.set(e.to, { kind: 'missing', title: `missing: ${e.to}`, lines: [] });
  for (const [id, n] of nodes) {
    const width = Math.max(170, 7.2 * Math.max(n.title.length, (n.sub || '').length, ...n.lines.map((l) => l.length)) + 24);
    g.setNode(id, { width, height: 26 + 16 * ((n.sub ? 1 : 0) + n.lines.length) + 8 });
  }
  edges.forEach((e, i) => g.setEdge(e.from, e.to, e.label ? { label: e.label, width: e.label.length * 6.5, height: 14, labelpos: 'c' } : {}, `e${i}`));
  layout(g);

  const { width, height } = g.graph();
  const root = svg('svg', { width: Math.ceil(width), height: Math.ceil(height), viewBox: `0 0 ${Math.ceil(width)} ${Math.ceil(height)}`, role: 'group', 'aria-label': `${journey.name}, drawn` });
  root.append(svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#6b7587' }))));
  for (const e of g.edges()) {
    const label = g.edge(e);
    const d = label.points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    const group = svg('g', { class: 'edge' }, svg('path', { d, 'marker-end': 'url(#arrow)' }));
    if (label.label) group.append(svg('text', { x: label.x, y: label.y + 4, 'text-anchor': 'middle' }, label.label));
    root.append(group);
  }
  const texts = new Map();
  for (const id of g.nodes()) {
    const n = nodes.get(id);
    const box = g.node(id);
    const x = box.x - box.width / 2;
    const y = box.y - box.height / 2;
    const stepId = n.step?.id;
    const group = svg('g', {
      class: `node ${n.kind}${stepId && stepId === selected ? ' selected' : ''}`,
      'data-step': stepId,
      transform: `translate(${x.toFixed(1)},${y.toFixed(1)})`,
    }, svg('rect', { width: box.width, height: box.height, rx: 6 }), svg('text', { class: 'title', x: 10, y: 18 }, n.title));
    let line = 1;
    if (n.sub) group.append(svg('text', { x: 10, y: 18 + 16 * line++ }, n.sub));
    const figureTexts = n.lines.map((l) => svg('text', { class: 'figures', x: 10, y: 18 + 16 * line++ }, l));
    group.append(...figureTexts);
    if (stepId) {
      texts.set(stepId, { step: n.step, figureTexts });
      group.setAttribute('tabindex', '0');
      // A button named by its own text (title, kind, figures), so what is read out is what is shown (WCAG 2.5.3).
      group.setAttribute('role', 'button');
      group.addEventListener('click', () => onSelect(stepId));
      group.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); onSelect(stepId); } });
    } else if (id === 'trigger') {
      texts.set('$trigger', { figureTexts, lines: (s) => [`entered ${num(s?.entered)}`] });
    } else if (id === 'finish') {
      texts.set('$finish', { figureTexts, lines: (s) => [`finished ${num(s?.finished)}`] });
    }
    root.append(group);
  }

  function update(next) {
    const stat = new Map((next?.steps || []).map((s) => [s.stepId, s]));
    for (const [key, t] of texts) {
      const lines = t.step ? figures(t.step, stat.get(key)) : t.lines(next);
      t.figureTexts.forEach((el, i) => { if (lines[i] !== undefined && el.textContent !== lines[i]) el.textContent = lines[i]; });
    }
  }

  return { element: root, update };
}
