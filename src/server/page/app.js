// The translator's page: it calls /api/v1 and shows what the server answers. Segmentation,
// matching, diffs and penalties all come from the server; nothing here decides a match.
'use strict';

const $ = (id) => document.getElementById(id);
let current = -1;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'testid') e.dataset.testid = v;
    else if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function status(text, isError) {
  const s = $('status');
  s.textContent = text;
  s.classList.toggle('error', !!isError);
}

function headers(json) {
  const h = {};
  const token = $('token').value.trim();
  if (token) h.Authorization = 'Bearer ' + token;
  if (json) h['Content-Type'] = 'application/json';
  return h;
}

async function call(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: headers(body !== undefined),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (_) { data = null; }
  if (!response.ok) {
    const detail = data && data.detail ? data.detail : response.status + ' ' + response.statusText;
    throw new Error(detail);
  }
  return data;
}

async function loadLanguages() {
  try {
    const stats = await call('GET', '/api/v1/stats');
    const list = $('languages');
    list.replaceChildren(...stats.languages.map(([lang]) => el('option', { value: lang })));
  } catch (_) {
    // Without a read token the list stays empty; typing a language still works.
  }
}

function diffView(parts) {
  const d = el('div', { class: 'diff' });
  for (const p of parts) {
    if (p.op === 'insert') d.append(el('ins', {}, p.text));
    else if (p.op === 'delete') d.append(el('del', {}, p.text));
    else d.append(p.text);
  }
  return d;
}

function notes(s) {
  const why = s.penalties.map((p) => '−' + p.points + ' ' + p.detail);
  if (s.adapted && s.adapted.missing.length) {
    why.push('numbers not found in the translation, check by hand: ' + s.adapted.missing.join(', '));
  }
  return why;
}

function shortDate(d) {
  return d && /^\d{8}T/.test(d) ? d.slice(0, 4) + '-' + d.slice(4, 6) + '-' + d.slice(6, 8) : d || '';
}

function renderSegment(result, index, source, target) {
  const li = el('li', { class: 'segment', testid: 'segment', tabindex: '-1' });
  li.dataset.index = index;
  li.append(el('div', { class: 'source', lang: source }, (result.segment + 1) + '. ' + result.text));
  const editor = el('textarea', { rows: '2', lang: target, 'aria-label': 'Translation of segment ' + (result.segment + 1) });
  const stored = el('span', { class: 'stored', role: 'status' });
  const store = async () => {
    const text = editor.value.trim();
    if (!text) { stored.textContent = 'nothing to store'; return; }
    stored.textContent = 'storing…';
    try {
      const unit = await call('POST', '/api/v1/units', {
        variants: [{ lang: source, text: result.text }, { lang: target, text }],
      });
      stored.textContent = 'stored as unit ' + unit.id;
      li.dataset.stored = unit.id;
    } catch (e) {
      stored.textContent = 'not stored: ' + e.message;
    }
  };
  if (result.error) {
    li.append(el('div', { class: 'error' }, result.error));
  } else if (!result.matches.length) {
    li.append(el('div', { class: 'none' }, 'no match'));
  }
  const list = el('ol', { class: 'suggestions' });
  result.matches.forEach((s, n) => {
    const translation = s.adapted ? s.adapted.text : s.target;
    const kind = s.score >= 100 ? 'exact' : 'fuzzy';
    const accept = el('button', {
      type: 'button', testid: 'accept-button', title: 'Accept (Alt+' + (n + 1) + ')',
      onclick: () => { editor.value = translation; store(); },
    }, 'Accept');
    const item = el('li', { class: 'suggestion', testid: 'suggestion' },
      el('span', { class: 'score ' + kind, title: s.in_context ? 'in context' : kind }, s.score + '%'),
      diffView(s.diff),
      accept,
      el('span', {}),
      el('div', { class: 'suggestion-target', testid: 'suggestion-target', lang: s.target_lang }, translation),
      el('div', { class: 'origin' }, (s.from.document || s.from.origin) + ' ' + shortDate(s.from.date)),
    );
    const why = notes(s);
    if (why.length) item.append(el('div', { class: 'why' }, 'why not 100: ' + why.join('; ')));
    list.append(item);
  });
  li.append(list);
  const save = el('button', { type: 'button', class: 'secondary', onclick: store, title: 'Store (Ctrl+S)' }, 'Store');
  editor.addEventListener('keydown', (e) => {
    if (e.ctrlKey && e.key === 's') { e.preventDefault(); store(); }
  });
  li.append(el('div', { class: 'editor' }, editor, save, stored));
  li.addEventListener('focusin', () => select(index, false));
  return li;
}

function segments() {
  return Array.from(document.querySelectorAll('#segments > .segment'));
}

function select(index, focus) {
  const all = segments();
  if (!all.length) return;
  current = Math.max(0, Math.min(index, all.length - 1));
  all.forEach((s, i) => s.classList.toggle('current', i === current));
  if (focus) {
    const area = all[current].querySelector('textarea');
    (area || all[current]).focus();
    all[current].scrollIntoView({ block: 'nearest' });
  }
}

async function suggest() {
  const source = $('source-lang').value.trim();
  const target = $('target-lang').value.trim();
  const text = $('source-input').value;
  if (!text.trim()) { status('paste some text first', true); return; }
  const isTmx = /^\s*(<\?xml[^>]*>\s*)?(<!DOCTYPE[^>]*>\s*)?<tmx[\s>]/i.test(text);
  const list = $('segments');
  list.replaceChildren();
  current = -1;
  status('looking up…');
  try {
    let offset = 0;
    let total = 0;
    do {
      const answer = await call('POST', '/api/v1/lookup', {
        source, target, document: text, format: isTmx ? 'tmx' : 'text',
        unit: $('unit').value, min: Number($('min').value) || 0, offset,
      });
      total = answer.total_segments;
      for (const r of answer.results) {
        list.append(renderSegment(r, list.children.length, answer.source, answer.target));
      }
      offset += answer.results.length;
    } while (offset < total);
    status(total + ' segments');
    select(0, true);
  } catch (e) {
    status(e.message, true);
  }
}

function highlight(text, spans) {
  const out = el('span', {});
  let last = 0;
  const chars = new TextEncoder().encode(text);
  const dec = new TextDecoder();
  for (const [b, e] of spans) {
    out.append(dec.decode(chars.slice(last, b)));
    out.append(el('mark', {}, dec.decode(chars.slice(b, e))));
    last = e;
  }
  out.append(dec.decode(chars.slice(last)));
  return out;
}

async function concordance() {
  const q = $('concordance-input').value.trim();
  const results = $('concordance-results');
  results.replaceChildren();
  if (!q) return;
  const source = $('source-lang').value.trim();
  const target = $('target-lang').value.trim();
  const search = (lang, to) => call('GET', '/api/v1/concordance?' + new URLSearchParams({ q, lang, target: to, limit: '20' }))
    .then((page) => page.hits, () => []);
  const [a, b] = await Promise.all([search(source, target), search(target, source)]);
  const hits = a.concat(b);
  if (!hits.length) {
    results.append(el('li', { class: 'hit' }, 'no stored segment contains “' + q + '”'));
    return;
  }
  for (const h of hits) {
    const li = el('li', { class: 'hit', testid: 'concordance-result' },
      el('div', {}, el('span', { class: 'lang' }, h.lang), highlight(h.text, h.spans)));
    if (h.target) li.append(el('div', { class: 'tr' }, el('span', { class: 'lang' }, h.target[0]), h.target[1]));
    li.append(el('div', { class: 'origin' }, (h.from.document || h.from.origin) + ' ' + shortDate(h.from.date)));
    results.append(li);
  }
}

function upload(file) {
  const reader = new FileReader();
  reader.onload = () => { $('source-input').value = reader.result; status(file.name + ' loaded'); };
  reader.onerror = () => status('cannot read ' + file.name, true);
  reader.readAsText(file);
}

document.addEventListener('DOMContentLoaded', () => {
  const saved = sessionStorage.getItem('tmm-token');
  if (saved) $('token').value = saved;
  $('token').addEventListener('change', () => { sessionStorage.setItem('tmm-token', $('token').value.trim()); loadLanguages(); });
  $('suggest').addEventListener('click', suggest);
  $('concordance-input').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { e.preventDefault(); concordance(); }
  });
  $('file').addEventListener('change', (e) => { if (e.target.files[0]) upload(e.target.files[0]); });
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey && e.key === 'Enter') { e.preventDefault(); suggest(); return; }
    if (e.altKey && e.key === 'ArrowDown') { e.preventDefault(); select(current + 1, true); return; }
    if (e.altKey && e.key === 'ArrowUp') { e.preventDefault(); select(current - 1, true); return; }
    if (e.altKey && /^[1-9]$/.test(e.key) && current >= 0) {
      const buttons = segments()[current].querySelectorAll('[data-testid="accept-button"]');
      const b = buttons[Number(e.key) - 1];
      if (b) { e.preventDefault(); b.click(); }
      return;
    }
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
    if (e.key === '/' && !typing) { e.preventDefault(); $('concordance-input').focus(); }
  });
  loadLanguages();
});
