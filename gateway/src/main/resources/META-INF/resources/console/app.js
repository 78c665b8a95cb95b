// Sightline console: plain JS, no build step, no dependencies. Every call goes to the gateway's own public API
// with the session cookie (HttpOnly: this script never sees it) and, on state-changing requests, the CSRF token.
// Text from the API is always put in with textContent, never as HTML.
'use strict';

const ROLES = { viewer: 1, operator: 2, admin: 3 };
const state = { me: null, cleanup: [] };

// ---- small helpers -----------------------------------------------------------------------------------------
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'text') node.textContent = v;
    else if (k === 'style') node.style.cssText = v; // CSSOM, allowed by style-src 'self' (a style attribute is not)
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}
const $ = (sel) => document.querySelector(sel);
const can = (role) => state.me && ROLES[state.me.role] >= ROLES[role];
const enc = encodeURIComponent;

async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = state.me ? state.me.csrf_token : '';
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    return { status: 0, ok: false, data: { message: 'The gateway is not reachable (' + e.message + ').' } };
  }
  let data = null;
  const type = res.headers.get('Content-Type') || '';
  if (type.includes('json')) data = await res.json().catch(() => null);
  if (res.status === 401 && path !== '/console/session') showSignIn('Your session has ended; sign in again.');
  return { status: res.status, ok: res.ok, data };
}
const errorText = (r) => (r.data && (r.data.message || (r.data.error && r.data.error.message))) || ('HTTP ' + r.status);

function ago(ms) {
  if (ms === null || ms === undefined || isNaN(ms)) return '';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return s + ' s ago';
  if (s < 3600) return Math.round(s / 60) + ' min ago';
  if (s < 86400) return Math.round(s / 3600) + ' h ago';
  return Math.round(s / 86400) + ' d ago';
}
const toMillis = (t) => (typeof t === 'number' ? t : Date.parse(t));
const time = (t) => (t === null || t === undefined ? '' : new Date(toMillis(t)).toLocaleTimeString());
const dateTime = (t) => (t === null || t === undefined ? '' : new Date(toMillis(t)).toLocaleString());
function say(text) { $('#status').textContent = text; clearTimeout(say.t); say.t = setTimeout(() => { $('#status').textContent = ''; }, 4000); }
function every(ms, fn) { fn(); const id = setInterval(fn, ms); state.cleanup.push(() => clearInterval(id)); }
function stream(url, events) {
  const source = new EventSource(url, { withCredentials: true });
  for (const [name, fn] of Object.entries(events)) source.addEventListener(name, (e) => { try { fn(JSON.parse(e.data)); } catch (x) { /* heartbeat etc. */ } });
  state.cleanup.push(() => source.close());
  return source;
}
const list = (data, ...keys) => { if (Array.isArray(data)) return data; for (const k of keys) if (data && Array.isArray(data[k])) return data[k]; return []; };

// An image fetched through the API: shown only when it exists (a missing frame is a note, not a broken image).
async function loadImage(img, urls, missingNote) {
  for (const url of urls) {
    let res;
    try { res = await fetch(url, { credentials: 'same-origin', cache: 'no-store' }); } catch (e) { continue; }
    if (!res.ok) continue;
    const blob = await res.blob();
    const old = img.dataset.blob;
    img.src = URL.createObjectURL(blob);
    img.dataset.blob = img.src;
    if (old) URL.revokeObjectURL(old);
    img.hidden = false;
    if (missingNote) missingNote.hidden = true;
    return true;
  }
  if (!img.dataset.blob) { img.hidden = true; if (missingNote) missingNote.hidden = false; }
  return false;
}
function frameView(camera, alt) {
  const img = el('img', { alt, hidden: true });
  const note = el('div', { class: 'noframe', text: 'No frame yet' });
  return { node: el('div', { class: 'frame' }, img, note), img, note,
    refresh: () => loadImage(img, ['/api/v1/cameras/' + enc(camera) + '/frame.jpg'], note) };
}
async function cameraIds() {
  const r = await api('GET', '/api/v1/cameras');
  return r.ok ? list(r.data, 'cameras').map((c) => c.id) : [];
}
function cameraSelect(id, ids, selected) {
  return el('select', { id }, ids.map((c) => el('option', { value: c, selected: c === selected }, c)));
}
function facts(pairs) {
  return el('dl', { class: 'facts' }, pairs.filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => [el('dt', { text: k }), el('dd', {}, v)]));
}
function notAvailable(what, r) {
  return el('p', { class: 'muted' }, what + ' not available' + (r.status === 404 ? ' (this gateway has no such route yet).'
    : ': ' + errorText(r)));
}

// ---- sign-in -----------------------------------------------------------------------------------------------
function showSignIn(message) {
  state.me = null;
  runCleanup();
  $('#view').replaceChildren();
  $('#nav').hidden = true;
  $('#signout').hidden = true;
  $('#who').textContent = '';
  $('#signin').hidden = false;
  $('#signin-error').textContent = message || '';
  $('#api-key').focus();
}
async function signIn(event) {
  event.preventDefault();
  const key = $('#api-key').value;
  const r = await api('POST', '/console/session', { key });
  $('#api-key').value = '';
  if (!r.ok) { $('#signin-error').textContent = errorText(r); return; }
  signedIn(r.data);
}
function signedIn(me) {
  state.me = me;
  $('#signin').hidden = true;
  $('#nav').hidden = false;
  $('#signout').hidden = false;
  $('#who').textContent = 'Key ' + me.key_id + ' · ' + me.role;
  route();
}
async function signOut() {
  await api('DELETE', '/console/session');
  showSignIn('Signed out.');
}

// ---- router ------------------------------------------------------------------------------------------------
function runCleanup() { state.cleanup.forEach((f) => f()); state.cleanup = []; }
const PAGES = { cameras: camerasPage, camera: cameraPage, ask: askPage, search: searchPage, watch: watchPage, system: systemPage };
function route() {
  if (!state.me) return;
  runCleanup();
  const [, page, arg] = (location.hash || '#/cameras').split('/');
  const render = PAGES[page] || camerasPage;
  const current = PAGES[page] ? page : 'cameras';
  document.querySelectorAll('#nav a').forEach((a) => {
    if (a.dataset.page === (current === 'camera' ? 'cameras' : current)) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  const view = $('#view');
  view.replaceChildren();
  view.dataset.page = current;
  render(view, arg ? decodeURIComponent(arg) : undefined);
  document.title = 'Sightline · ' + current[0].toUpperCase() + current.slice(1);
}

// ---- Cameras -----------------------------------------------------------------------------------------------
function camerasPage(view) {
  const grid = el('div', { class: 'grid', id: 'camera-grid' });
  const tiles = new Map();
  view.append(el('h1', { text: 'Cameras' }), grid);
  if (can('admin')) view.append(cameraForm());
  let tick = 0;
  every(2000, async () => {
    const r = await api('GET', '/api/v1/cameras');
    if (!r.ok) { grid.replaceChildren(el('p', { class: 'error', text: errorText(r) })); tiles.clear(); return; }
    const cams = list(r.data, 'cameras');
    // history-service answers 404 for a camera it has not seen a frame of yet: ask it only about the ones it knows
    const hr = await api('GET', '/api/v1/history/cameras');
    const known = new Set(hr.ok ? list(hr.data, 'cameras').map((h) => h.camera) : []);
    if (cams.length === 0 && tiles.size === 0) grid.replaceChildren(el('p', { class: 'muted', text: 'No cameras yet.' + (can('admin') ? ' Add one below.' : '') }));
    for (const [id, t] of tiles) if (!cams.some((c) => c.id === id)) { t.node.remove(); tiles.delete(id); }
    for (const cam of cams) {
      let t = tiles.get(cam.id);
      if (!t) { if (tiles.size === 0) grid.replaceChildren(); t = cameraTile(cam); tiles.set(cam.id, t); grid.append(t.node); }
      t.update(cam, tick % 5 === 0, known.has(cam.id));
    }
    tick++;
  });
}
function cameraTile(cam) {
  const frame = frameView(cam.id, 'Latest frame from camera ' + cam.id);
  const badge = el('span', { class: 'badge' });
  const fps = el('span', { class: 'muted' });
  const caption = el('p', { class: 'caption' });
  const labels = el('ul', { class: 'labels', 'aria-label': 'Detected labels' });
  const extra = el('div');
  const node = el('article', { class: 'tile card', 'data-camera': cam.id },
    el('a', { href: '#/camera/' + enc(cam.id), 'aria-label': 'Open camera ' + cam.id }, frame.node),
    el('h2', {}, el('a', { href: '#/camera/' + enc(cam.id), text: cam.id }), ' ', badge),
    fps, caption, labels, extra);
  let lastCaption = null;
  return {
    node,
    update: async (c, slow, inHistory) => {
      const st = c.status || {};
      badge.textContent = st.state || 'unknown';
      badge.className = 'badge ' + (st.state || '');
      fps.textContent = 'fps in ' + (st.fps_in ?? 0).toFixed(1) + ' · out ' + (st.fps_out ?? 0).toFixed(1)
        + (st.last_frame_at ? ' · last frame ' + ago(Date.now() - toMillis(st.last_frame_at)) : '');
      if ((st.frames_published || 0) > 0) frame.refresh();
      const cr = inHistory ? await api('GET', '/api/v1/captions?camera=' + enc(c.id) + '&limit=1') : { ok: false };
      const latest = cr.ok ? list(cr.data, 'captions')[0] : null;
      if (latest && latest.frame_id !== lastCaption) {
        lastCaption = latest.frame_id;
        caption.textContent = latest.text;
        caption.title = 'Caption by ' + latest.backend + ', ' + time(latest.captured_at);
      } else if (!latest) caption.textContent = 'No caption yet';
      if (slow || (inHistory && !labels.dataset.loaded)) {
        labels.dataset.loaded = inHistory ? '1' : '';
        // labels of the events still open around the newest one (what the camera shows now)
        const er = inHistory ? await api('GET', '/api/v1/history/events?camera=' + enc(c.id) + '&limit=10') : { ok: false };
        const evs = er.ok ? list(er.data, 'events') : [];
        const newest = evs.length ? Math.max(...evs.map((e) => e.end_at || 0)) : 0;
        const now = [...new Set(evs.filter((e) => e.label && newest - (e.end_at || 0) < 60000).map((e) => e.label))];
        labels.replaceChildren(...now.map((l) => el('li', { text: l })));
        extra.replaceChildren(...(c.source && c.source.type === 'push' ? [pushHint(c.id)] : []),
          ...(can('admin') ? [adminCameraButtons(c)] : []));
      }
    },
  };
}
function pushHint(id) {
  // the kcat line writes a frame record exactly as capture-service does (docs/topics.md): key = camera id, the image
  // bytes as the value, frame-id (a UUID, required), camera, content-type and captured-at headers
  const broker = (state.me && state.me.kafka_bootstrap) || '<kafka bootstrap>';
  return el('details', { class: 'push-hint' }, el('summary', { text: 'Feed this push camera' }),
    el('p', { class: 'muted', text: 'Through the gateway (sampled, change-gated and resized by capture-service; needs an operator key):' }),
    el('pre', { class: 'cmd', 'data-feed': 'curl', text: 'curl -H "Authorization: Bearer $SIGHTLINE_KEY" -H \'Content-Type: image/jpeg\' \\\n  --data-binary @frame.jpg '
      + location.origin + '/api/v1/frames/' + id }),
    el('p', { class: 'muted', text: 'Or straight into Kafka, topic frames (no gateway, no capture-service: the frame goes to captioning as it is):' }),
    el('pre', { class: 'cmd', 'data-feed': 'kcat', text: 'kcat -P -b ' + broker + ' -t frames -k ' + id + ' \\\n'
      + '  -H frame-id=$(cat /proc/sys/kernel/random/uuid) -H camera=' + id + ' \\\n'
      + '  -H content-type=image/jpeg -H captured-at=$(date +%s%3N) frame.jpg' }));
}
function adminCameraButtons(c) {
  const remove = el('button', { type: 'button', class: 'danger', 'data-action': 'remove-camera', text: 'Remove' });
  remove.addEventListener('click', async () => {
    if (remove.dataset.armed !== '1') { remove.dataset.armed = '1'; remove.textContent = 'Confirm remove ' + c.id; return; }
    const r = await api('DELETE', '/api/v1/cameras/' + enc(c.id));
    say(r.ok ? 'Camera ' + c.id + ' removed.' : errorText(r));
  });
  const edit = el('button', { type: 'button', class: 'secondary', 'data-action': 'edit-camera', text: 'Edit',
    onclick: () => { fillCameraForm(c); $('#cam-id').focus(); } });
  return el('div', { class: 'admin-controls' }, edit, ' ', remove);
}
function cameraForm() {
  const error = el('p', { class: 'error', role: 'alert', id: 'cam-error' });
  const form = el('form', { class: 'card admin-controls', id: 'camera-form' },
    el('h2', { text: 'Add or edit a camera' }),
    el('div', { class: 'row' },
      el('div', {}, el('label', { for: 'cam-id', text: 'Camera id' }), el('input', { id: 'cam-id', required: true })),
      el('div', {}, el('label', { for: 'cam-type', text: 'Source' }), el('select', { id: 'cam-type' },
        ['push', 'rtsp', 'mjpeg', 'snapshot', 'file', 'folder'].map((t) => el('option', { value: t, text: t })))),
      el('div', {}, el('label', { for: 'cam-url', text: 'URL or path (not for push)' }), el('input', { id: 'cam-url' })),
      el('div', {}, el('label', { for: 'cam-fps', text: 'Frames per second' }), el('input', { id: 'cam-fps', type: 'number', step: 'any', min: '0' }))),
    el('button', { type: 'submit', text: 'Save camera' }), error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const id = $('#cam-id').value.trim();
    const type = $('#cam-type').value;
    const source = { type };
    const url = $('#cam-url').value.trim();
    if (url) source[type === 'file' || type === 'folder' ? 'path' : 'url'] = url;
    const body = { source };
    if ($('#cam-fps').value) body.fps = Number($('#cam-fps').value);
    const r = await api('PUT', '/api/v1/cameras/' + enc(id), body);
    error.textContent = r.ok ? '' : errorText(r);
    if (r.ok) { say('Camera ' + id + ' saved.'); form.reset(); }
  });
  return form;
}
function fillCameraForm(c) {
  $('#cam-id').value = c.id;
  $('#cam-type').value = (c.source && c.source.type) || 'push';
  $('#cam-url').value = (c.source && (c.source.url || c.source.path)) || '';
  $('#cam-fps').value = c.fps || '';
}

// ---- Camera ------------------------------------------------------------------------------------------------
function cameraPage(view, id) {
  const frame = frameView(id, 'Live view of camera ' + id);
  const live = el('ul', { class: 'stream', id: 'live-captions', 'aria-live': 'polite', 'aria-label': 'Live captions' });
  const day = el('input', { id: 'day', type: 'date', value: new Date().toLocaleDateString('en-CA') });
  const timeline = el('ol', { class: 'timeline', id: 'timeline', 'aria-label': 'Events of the day' });
  const dayNote = el('p', { class: 'muted' });
  const shift = (n) => { const d = new Date(day.value + 'T00:00'); d.setDate(d.getDate() + n); day.value = d.toLocaleDateString('en-CA'); loadDay(); };
  view.append(el('h1', {}, 'Camera ', el('span', { text: id })),
    el('div', { class: 'two' },
      el('section', { 'aria-label': 'Live view' }, frame.node, el('h2', { text: 'Live captions' }), live),
      el('section', { 'aria-label': 'Timeline' }, el('h2', { text: 'Timeline' }),
        el('div', { class: 'row' }, el('div', {}, el('label', { for: 'day', text: 'Day' }), day),
          el('button', { type: 'button', class: 'secondary', text: '← Earlier day', onclick: () => shift(-1) }),
          el('button', { type: 'button', class: 'secondary', text: 'Later day →', onclick: () => shift(1) })),
        dayNote, timeline)),
    el('h2', { text: 'Ask about this camera' }), askBox([id], id));
  day.addEventListener('change', loadDay);
  every(1000, frame.refresh);
  const addLive = (c) => {
    live.prepend(el('li', {}, el('span', { class: 'muted', text: time(c.captured_at) }), el('span', { text: c.text })));
    while (live.children.length > 50) live.lastChild.remove();
  };
  api('GET', '/api/v1/captions?camera=' + enc(id) + '&limit=10').then((r) => list(r.data, 'captions').slice().reverse().forEach(addLive));
  stream('/api/v1/captions/stream?camera=' + enc(id), { caption: addLive });
  async function loadDay() {
    const start = new Date(day.value + 'T00:00');
    const end = new Date(start.getTime() + 86400000 - 1);
    const r = await api('GET', '/api/v1/history/events?camera=' + enc(id) + '&since=' + start.getTime() + '&until=' + end.getTime() + '&limit=200');
    if (!r.ok) { dayNote.textContent = 'History not available: ' + errorText(r); timeline.replaceChildren(); return; }
    const events = list(r.data, 'events');
    dayNote.textContent = events.length === 0 ? 'No events on ' + start.toLocaleDateString() + '.' : events.length + (events.length === 1 ? ' event on ' : ' events on ') + start.toLocaleDateString() + '.';
    timeline.replaceChildren(...events.map((ev) => {
      const img = el('img', { alt: (ev.label || ev.kind || 'Event') + ' at ' + time(ev.start_at), hidden: true });
      const url = ev.thumbnail_url || (ev.peak_frame_id ? '/api/v1/history/frames/' + ev.peak_frame_id + '/thumbnail.jpg' : null);
      if (url) loadImage(img, [url]);
      const captions = [...new Set(ev.captions || [])];
      return el('li', { class: 'event' }, img, el('div', {},
        el('div', { class: 'muted', text: time(ev.start_at) + (ev.end_at && ev.end_at !== ev.start_at ? ' – ' + time(ev.end_at) : '') + (ev.kind ? ' · ' + ev.kind : '') + (ev.frames ? ' · ' + ev.frames + ' frames' : '') }),
        ev.label ? el('ul', { class: 'labels' }, el('li', { text: ev.label + (ev.peak_count > 1 ? ' ×' + ev.peak_count : '') })) : null,
        el('div', { text: ev.text || captions[0] || '' }),
        captions.length > 1 ? el('div', { class: 'muted', text: captions.slice(1, 3).join(' · ') }) : null));
    }));
  }
  loadDay();
  every(15000, () => { if (day.value === new Date().toLocaleDateString('en-CA')) loadDay(); });
}

// ---- Ask ---------------------------------------------------------------------------------------------------
function askPage(view) {
  view.append(el('h1', { text: 'Ask' }));
  cameraIds().then((ids) => view.append(askBox(ids, ids[0])));
}
function askBox(ids, selected) {
  if (!can('operator')) return el('p', { class: 'muted', text: 'Asking needs an operator key; this key is ' + state.me.role + '.' });
  const out = el('div', { id: 'answer', 'aria-live': 'polite' });
  const form = el('form', { class: 'card', id: 'ask-form' },
    el('div', { class: 'row' },
      el('div', {}, el('label', { for: 'ask-camera', text: 'Camera' }), cameraSelect('ask-camera', ids, selected)),
      el('div', { style: null }, el('label', { for: 'ask-question', text: 'Question' }),
        el('input', { id: 'ask-question', placeholder: 'how many people are there?', required: true })),
      el('div', {}, el('label', { for: 'ask-confidence', text: 'Ask the VLM below confidence (optional)' }),
        el('input', { id: 'ask-confidence', type: 'number', min: '0', max: '1', step: '0.05' }))),
    el('button', { type: 'submit', text: 'Ask' }), out);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const camera = $('#ask-camera').value;
    const body = { camera, query: $('#ask-question').value };
    if ($('#ask-confidence').value) body.confidence = Number($('#ask-confidence').value);
    const started = Date.now();
    out.replaceChildren(el('p', { class: 'muted' }, el('progress', { 'aria-label': 'Waiting for the answer' }), ' Asking…'));
    const r = await askStreaming(body, out);
    out.setAttribute('aria-busy', 'false');
    out.replaceChildren(renderAnswer(camera, r, Date.now() - started));
  });
  return form;
}

// The question with Accept: text/event-stream (fetch, since EventSource cannot POST): while the VLM generates,
// its text appears in the answer area as it arrives; the final answer (or error) event resolves like api() does.
// A refusal before the stream (400, 401, 404, 503) is plain JSON and handled as api() handles it.
async function askStreaming(body, out) {
  const headers = { Accept: 'text/event-stream', 'Content-Type': 'application/json', 'X-CSRF-Token': state.me ? state.me.csrf_token : '' };
  let res;
  try {
    res = await fetch('/api/v1/query', { method: 'POST', headers, credentials: 'same-origin', cache: 'no-store', body: JSON.stringify(body) });
  } catch (e) {
    return { status: 0, ok: false, data: { message: 'The gateway is not reachable (' + e.message + ').' } };
  }
  const type = res.headers.get('Content-Type') || '';
  if (!type.includes('text/event-stream') || !res.body) {
    const data = type.includes('json') ? await res.json().catch(() => null) : null;
    if (res.status === 401) showSignIn('Your session has ended; sign in again.');
    return { status: res.status, ok: res.ok, data };
  }
  const partial = el('p', { class: 'answer streaming', id: 'answer-stream' });
  let tokens = 0;
  let result = { status: 502, ok: false, data: { message: 'The answer stream ended without an answer.' } };
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  const handle = (block) => {
    let name = 'message';
    const data = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) name = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length === 0) return;
    let payload;
    try { payload = JSON.parse(data.join('\n')); } catch (e) { return; }
    if (name === 'token') {
      if (tokens === 0) { out.setAttribute('aria-busy', 'true'); out.replaceChildren(partial); }
      tokens++;
      partial.append(payload.text || '');
      out.dataset.tokens = String(tokens);
    } else if (name === 'answer') {
      result = { status: 200, ok: true, data: payload };
    } else if (name === 'error') {
      result = { status: 502, ok: false, data: payload };
    }
  };
  for (;;) {
    let chunk;
    try { chunk = await reader.read(); } catch (e) { result = { status: 0, ok: false, data: { message: 'The answer stream broke (' + e.message + ').' } }; break; }
    if (chunk.done) break;
    buffered += decoder.decode(chunk.value, { stream: true });
    let end;
    while ((end = buffered.search(/\r?\n\r?\n/)) >= 0) {
      handle(buffered.slice(0, end));
      buffered = buffered.slice(end).replace(/^\r?\n\r?\n/, '');
    }
  }
  if (buffered.trim()) handle(buffered);
  if (tokens > 0) out.dataset.streamed = 'true';
  return result;
}
function renderAnswer(camera, r, tookMs) {
  if (!r.ok) return el('p', { class: 'error', role: 'alert', text: errorText(r) });
  const a = r.data;
  const how = { template: 'from what the pipeline already saw (template)', history: 'from history', vlm_image: 'by the VLM with the frame',
    vlm_text: 'by the VLM from the captions' }[a.response_mode] || a.response_mode;
  const node = el('div', { class: 'card answer-card' },
    el('p', { class: 'answer', id: 'answer-text', text: a.answer }),
    facts([['How', how], ['Backend', a.backend], ['Question type', a.query_type],
      ['Confidence', typeof a.confidence === 'number' ? a.confidence.toFixed(2) : a.confidence],
      ['Why this path', a.decision_reason], ['Took', (a.processing_time_ms ?? tookMs) + ' ms'],
      ['Evidence frame', a.frame ? a.frame.id + ' · captured ' + time(a.frame.captured_at) + ', ' + ago(a.frame.age_ms) + ' when answered' : 'none']]));
  if (a.frame) {
    const img = el('img', { alt: 'Evidence frame ' + a.frame.id + ' from camera ' + camera, hidden: true, id: 'evidence-image' });
    const box = el('div', { class: 'evidence' }, img);
    if (a.box) {
      const b = a.box;
      const pct = (v) => Math.round(v * 100);
      box.append(el('div', { class: 'answerbox', id: 'answer-box', role: 'img',
        style: 'left:' + (b.x * 100) + '%;top:' + (b.y * 100) + '%;width:' + (b.width * 100) + '%;height:' + (b.height * 100) + '%',
        'aria-label': 'Box around ' + (b.label || 'what was asked about') + ': from ' + pct(b.x) + '%, ' + pct(b.y) + '% to '
          + pct(b.x + b.width) + '%, ' + pct(b.y + b.height) + '% of the frame', title: b.rule || 'The box the VLM drew' },
        b.label ? el('span', { text: b.label }) : null));
    }
    if (a.point) {
      box.append(el('div', { class: 'marker', id: 'answer-point', style: 'left:' + (a.point.x * 100) + '%;top:' + (a.point.y * 100) + '%',
        title: 'The point the VLM named', role: 'img', 'aria-label': 'Point at ' + Math.round(a.point.x * 100) + '%, ' + Math.round(a.point.y * 100) + '% of the frame' }));
    }
    loadImage(img, ['/api/v1/history/frames/' + enc(a.frame.id) + '/thumbnail.jpg', '/api/v1/cameras/' + enc(camera) + '/frame.jpg']);
    node.append(box);
  }
  return node;
}

// ---- Search ------------------------------------------------------------------------------------------------
function searchPage(view) {
  const results = el('div', { class: 'results', id: 'search-results', 'aria-live': 'polite' });
  const note = el('p', { class: 'muted' });
  const form = el('form', { class: 'card', id: 'search-form' },
    el('div', { class: 'row' },
      el('div', {}, el('label', { for: 'q', text: 'Search for' }), el('input', { id: 'q', required: true, placeholder: 'a person in a spacesuit' })),
      el('div', {}, el('label', { for: 's-camera', text: 'Camera' }), el('select', { id: 's-camera' }, el('option', { value: '', text: 'any' }))),
      el('div', {}, el('label', { for: 's-label', text: 'Label' }), el('input', { id: 's-label', placeholder: 'person' })),
      el('div', {}, el('label', { for: 's-since', text: 'From' }), el('input', { id: 's-since', type: 'datetime-local' })),
      el('div', {}, el('label', { for: 's-until', text: 'To' }), el('input', { id: 's-until', type: 'datetime-local' }))),
    el('button', { type: 'submit', text: 'Search' }));
  view.append(el('h1', { text: 'Search history' }), form, note, results);
  cameraIds().then((ids) => ids.forEach((c) => $('#s-camera').append(el('option', { value: c, text: c }))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const p = new URLSearchParams({ q: $('#q').value, limit: '40' });
    if ($('#s-camera').value) p.set('camera', $('#s-camera').value);
    if ($('#s-label').value.trim()) p.set('label', $('#s-label').value.trim());
    if ($('#s-since').value) p.set('since', String(new Date($('#s-since').value).getTime()));
    if ($('#s-until').value) p.set('until', String(new Date($('#s-until').value).getTime()));
    const r = await api('GET', '/api/v1/history/search?' + p);
    if (!r.ok) { note.textContent = errorText(r); results.replaceChildren(); return; }
    const found = list(r.data, 'results', 'hits');
    note.textContent = found.length + ' results' + (r.data.semantic ? ' (full text + ' + r.data.semantic + ')' : '') + '.';
    results.replaceChildren(...found.map((h) => {
      const img = el('img', { alt: 'Thumbnail of frame ' + h.frame_id, hidden: true });
      loadImage(img, [h.thumbnail_url || '/api/v1/history/frames/' + h.frame_id + '/thumbnail.jpg']);
      return el('article', { class: 'card result' }, img, el('p', { text: h.text }),
        el('p', { class: 'muted', text: (h.camera || '') + ' · ' + dateTime(h.captured_at ?? h.at) + (h.occurrences ? ' · seen ' + h.occurrences + '×' : '') }),
        h.camera ? el('a', { href: '#/camera/' + enc(h.camera), text: 'Open camera' }) : null);
    }));
  });
}

// ---- Watch -------------------------------------------------------------------------------------------------
function watchPage(view) {
  const jobs = el('div', { id: 'watch-jobs' });
  const logs = new Map();
  view.append(el('h1', { text: 'Watch' }));
  if (can('operator')) cameraIds().then((ids) => view.insertBefore(watchForm(ids, refresh), jobs.previousSibling));
  else view.append(el('p', { class: 'muted', text: 'Creating and cancelling watch jobs needs an operator key.' }));
  const channels = el('div', { id: 'channels' });
  const notes = el('div', { id: 'notifications' });
  view.append(el('h2', { text: 'Jobs' }), jobs, el('h2', { text: 'Notification channels' }), channels,
    el('h2', { text: 'Notifications and delivery' }), notes);
  async function refresh() {
    const r = await api('GET', '/api/v1/watch');
    if (!r.ok) { jobs.replaceChildren(el('p', { class: 'error', text: errorText(r) })); return; }
    const all = list(r.data, 'jobs', 'watches').sort((a, b) => (b.created_at || 0) - (a.created_at || 0));
    // re-render only on a change, so keyboard focus (e.g. on a Cancel button) is not lost every few seconds
    const signature = JSON.stringify(all) + JSON.stringify([...logs]);
    if (signature === jobs.dataset.signature) return;
    jobs.dataset.signature = signature;
    if (all.length === 0) { jobs.replaceChildren(el('p', { class: 'muted', text: 'No watch jobs.' })); return; }
    jobs.replaceChildren(el('table', {}, el('caption', { class: 'muted', text: all.length + ' jobs, newest first' }),
      el('thead', {}, el('tr', {}, ['Camera', 'Condition', 'Status', 'Iterations', 'Latest reasoning', ''].map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, all.map((j) => el('tr', { 'data-job': j.id },
        el('td', { text: j.camera }),
        el('td', {}, j.condition, (j.labels && j.labels.length) ? el('div', { class: 'muted', text: 'labels: ' + j.labels.join(', ') }) : null,
          (j.zones && j.zones.length) ? el('div', { class: 'muted', text: 'zones: ' + j.zones.map((z) => z.name || 'zone').join(', ') }) : null),
        el('td', {}, el('span', { class: 'badge ' + String(j.status).toLowerCase(), 'data-status': j.status, text: j.status }),
          el('div', { class: 'muted', text: j.expires_at ? 'until ' + time(j.expires_at) : '' })),
        el('td', { text: j.iterations ?? 0 }),
        el('td', {}, el('div', { text: j.last_reasoning || j.error || '' }), el('div', { class: 'muted', text: (j.last_outcome || '') + (j.last_run_at ? ' · ' + time(j.last_run_at) : '') }),
          logs.get(j.id) ? el('details', {}, el('summary', { text: 'Iterations seen here (' + logs.get(j.id).length + ')' }),
            el('ol', {}, logs.get(j.id).map((x) => el('li', { text: x })))) : null),
        el('td', {}, can('operator') && isActive(j.status) ? el('button', { type: 'button', class: 'danger', 'data-action': 'cancel-watch', text: 'Cancel',
          'aria-label': 'Cancel watch job on ' + j.camera, onclick: async () => {
            const c = await api('DELETE', '/api/v1/watch/' + enc(j.id));
            say(c.ok ? 'Watch job cancelled.' : errorText(c)); refresh();
          } }) : null))))));
  }
  every(5000, refresh);
  // every status change of every job (the job as JSON): kept here as the iterations seen while the page is open
  stream('/api/v1/watch/events', { message: onEvent });
  function onEvent(job) {
    if (job && job.id) {
      const seen = logs.get(job.id) || [];
      const line = time(job.last_run_at || Date.now()) + ' · iteration ' + (job.iterations ?? 0) + ' · ' + job.status
        + (job.last_outcome ? ' · ' + job.last_outcome : '') + (job.last_reasoning ? ': ' + job.last_reasoning : '');
      if (seen[seen.length - 1] !== line) logs.set(job.id, [...seen, line]);
    }
    refresh();
  }
  loadChannels(channels);
  every(5000, () => loadNotifications(notes));
}
const isActive = (s) => ['ACTIVE', 'PENDING', 'RUNNING', 'active', 'pending', 'running'].includes(s);
function watchForm(ids, refresh) {
  const zones = [];
  const error = el('p', { class: 'error', role: 'alert', id: 'watch-error' });
  const img = el('img', { alt: 'Latest frame of the chosen camera; drag on it to draw a zone', hidden: true, draggable: 'false' });
  const drawer = el('div', { class: 'drawer', id: 'zone-drawer' }, img);
  const zoneList = el('ul', { id: 'zone-list' });
  const select = cameraSelect('w-camera', ids, ids[0]);
  const loadFrame = () => loadImage(img, ['/api/v1/cameras/' + enc(select.value) + '/frame.jpg']);
  select.addEventListener('change', loadFrame);
  loadFrame();
  const drawZones = () => {
    drawer.querySelectorAll('.zonebox').forEach((z) => z.remove());
    zones.forEach((z) => drawer.append(el('div', { class: 'zonebox', style: `left:${z.x * 100}%;top:${z.y * 100}%;width:${z.width * 100}%;height:${z.height * 100}%` },
      el('span', { text: z.name }))));
    zoneList.replaceChildren(...zones.map((z, i) => el('li', {}, `${z.name}: x ${z.x.toFixed(2)}, y ${z.y.toFixed(2)}, ${z.width.toFixed(2)} × ${z.height.toFixed(2)} `,
      el('button', { type: 'button', class: 'secondary', text: 'Remove ' + z.name, onclick: () => { zones.splice(i, 1); drawZones(); } }))));
  };
  let start = null;
  const rel = (e) => { const b = img.getBoundingClientRect(); return { x: Math.min(1, Math.max(0, (e.clientX - b.left) / b.width)), y: Math.min(1, Math.max(0, (e.clientY - b.top) / b.height)) }; };
  drawer.addEventListener('pointerdown', (e) => { if (!img.hidden) { start = rel(e); drawer.setPointerCapture(e.pointerId); } });
  drawer.addEventListener('pointerup', (e) => {
    if (!start) return;
    const end = rel(e);
    const z = { name: 'zone' + (zones.length + 1), x: Math.min(start.x, end.x), y: Math.min(start.y, end.y), width: Math.abs(end.x - start.x), height: Math.abs(end.y - start.y) };
    start = null;
    if (z.width > 0.01 && z.height > 0.01) { zones.push(z); drawZones(); }
  });
  // keyboard alternative to drawing: a zone typed as x,y,width,height in 0-1
  const typed = el('input', { id: 'w-zone-typed', placeholder: '0.1,0.2,0.5,0.5' });
  const addTyped = el('button', { type: 'button', class: 'secondary', text: 'Add zone', onclick: () => {
    const n = typed.value.split(',').map(Number);
    if (n.length !== 4 || n.some((v) => isNaN(v) || v < 0 || v > 1)) { error.textContent = 'A zone is x,y,width,height, each between 0 and 1.'; return; }
    zones.push({ name: 'zone' + (zones.length + 1), x: n[0], y: n[1], width: n[2], height: n[3] }); typed.value = ''; error.textContent = ''; drawZones();
  } });
  const form = el('form', { class: 'card', id: 'watch-form' }, el('h2', { text: 'New watch job' }),
    el('div', { class: 'two' },
      el('div', {},
        el('label', { for: 'w-camera', text: 'Camera' }), select,
        el('label', { for: 'w-condition', text: 'Condition' }), el('input', { id: 'w-condition', required: true, placeholder: 'a package is at the door' }),
        el('div', { class: 'row' },
          el('div', {}, el('label', { for: 'w-duration', text: 'For how many minutes' }), el('input', { id: 'w-duration', type: 'number', min: '1', max: '1440', value: '60' })),
          el('div', {}, el('label', { for: 'w-labels', text: 'Labels (comma separated, optional)' }), el('input', { id: 'w-labels', placeholder: 'person, dog' }))),
        el('label', { for: 'w-zone-typed', text: 'Zone as x,y,width,height (or drag on the frame)' }), typed, addTyped, zoneList,
        el('button', { type: 'submit', text: 'Start watching' }), error),
      el('div', {}, el('p', { class: 'muted', text: 'Zones: drag a rectangle on the frame.' }), drawer)));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { camera: select.value, condition: $('#w-condition').value, max_duration_minutes: Number($('#w-duration').value) };
    const labels = $('#w-labels').value.split(',').map((s) => s.trim()).filter(Boolean);
    if (labels.length) body.labels = labels;
    if (zones.length) body.zones = zones;
    const r = await api('POST', '/api/v1/watch', body);
    error.textContent = r.ok ? '' : errorText(r);
    if (r.ok) { say('Watch job started.'); $('#w-condition').value = ''; zones.length = 0; drawZones(); refresh(); }
  });
  return form;
}
async function loadChannels(node) {
  const r = await api('GET', '/api/v1/notification-channels');
  if (!r.ok) { node.replaceChildren(notAvailable('Notification channels', r)); return; }
  const channels = list(r.data, 'channels');
  node.replaceChildren(channels.length === 0 ? el('p', { class: 'muted', text: 'No channels: notifications go nowhere but the history.' })
    : el('table', {}, el('thead', {}, el('tr', {}, ['Name', 'Type', 'Config', 'Default', ''].map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, channels.map((c) => el('tr', {}, el('td', { text: c.name }), el('td', { text: c.type }),
        el('td', {}, el('code', { text: JSON.stringify(c.config || {}) })), el('td', { text: c.default ? 'yes' : '' }),
        el('td', {}, can('admin') ? [
          el('button', { type: 'button', class: 'secondary', text: 'Send test', onclick: async () => { const t = await api('POST', '/api/v1/notification-channels/' + enc(c.name) + '/test'); say(t.ok ? 'Test sent to ' + c.name + '.' : errorText(t)); } }), ' ',
          el('button', { type: 'button', class: 'danger', text: 'Delete', onclick: async () => { const t = await api('DELETE', '/api/v1/notification-channels/' + enc(c.name)); say(t.ok ? 'Channel deleted.' : errorText(t)); loadChannels(node); } })] : null))))));
  if (can('admin')) node.append(channelForm(() => loadChannels(node)));
}
function channelForm(done) {
  const error = el('p', { class: 'error', role: 'alert' });
  const form = el('form', { class: 'card admin-controls' }, el('h2', { text: 'Add or replace a channel' }),
    el('div', { class: 'row' },
      el('div', {}, el('label', { for: 'ch-name', text: 'Name' }), el('input', { id: 'ch-name', required: true, pattern: '[a-z0-9][a-z0-9_-]{0,62}' })),
      el('div', {}, el('label', { for: 'ch-type', text: 'Type' }), el('select', { id: 'ch-type' }, ['webhook', 'mqtt', 'ntfy'].map((t) => el('option', { value: t, text: t })))),
      el('div', {}, el('label', { for: 'ch-config', text: 'Config (JSON)' }), el('input', { id: 'ch-config', value: '{"url":"http://127.0.0.1:9000/hook"}' })),
      el('div', {}, el('label', { for: 'ch-default' }, el('input', { id: 'ch-default', type: 'checkbox', style: 'width:auto' }), ' Default route'))),
    el('button', { type: 'submit', text: 'Save channel' }), error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    let config;
    try { config = JSON.parse($('#ch-config').value || '{}'); } catch (x) { error.textContent = 'Config is not JSON: ' + x.message; return; }
    const r = await api('PUT', '/api/v1/notification-channels/' + enc($('#ch-name').value), { type: $('#ch-type').value, config, default: $('#ch-default').checked });
    error.textContent = r.ok ? '' : errorText(r);
    if (r.ok) done();
  });
  return form;
}
async function loadNotifications(node) {
  const r = await api('GET', '/api/v1/notifications?limit=20');
  if (!r.ok) { node.replaceChildren(notAvailable('Notification delivery state', r)); return; }
  const items = list(r.data, 'notifications');
  if (items.length === 0) { node.replaceChildren(el('p', { class: 'muted', text: 'No notifications yet.' })); return; }
  const delivery = (d) => el('li', { text: `${d.channel} (${d.type}): ${d.state}, ${d.attempts} attempts${d.last_error ? ', ' + d.last_error : ''}` });
  const item = (n) => el('li', {}, el('div', {},
    el('span', { class: 'badge ' + n.state, text: n.state }), ' ', el('strong', { text: n.camera }), ' ', n.message,
    el('div', { class: 'muted', text: dateTime(n.at) + ' · ' + n.condition }),
    el('ul', {}, (n.deliveries || []).map(delivery))));
  node.replaceChildren(el('ul', { class: 'timeline' }, items.map(item)));
}

// ---- System ------------------------------------------------------------------------------------------------
function systemPage(view) {
  const updated = el('p', { class: 'muted', id: 'system-updated', 'aria-live': 'off' });
  const health = el('div', { id: 'health' });
  const backends = el('div', { id: 'backends' });
  const models = el('div', { id: 'models' });
  const queue = el('div', { id: 'queue' });
  const lifecycle = el('div', { id: 'lifecycle' });
  view.append(el('h1', { text: 'System' }), updated,
    el('h2', { text: 'Service health' }), health, el('h2', { text: 'Caption backends and tiers' }), backends,
    el('h2', { text: 'Models' }), models, el('h2', { text: 'VLM queue per priority class' }), queue,
    el('h2', { text: 'Model server lifecycle' }), lifecycle);
  const modelRows = modelsPanel(models);
  every(2000, async () => {
    const [h, b, m, q] = await Promise.all([api('GET', '/q/health/ready'), api('GET', '/api/v1/backends'), api('GET', '/api/v1/models'), api('GET', '/api/v1/queue')]);
    updated.textContent = 'Updated ' + new Date().toLocaleTimeString() + ' (every 2 s; models live).';
    renderHealth(health, h);
    renderBackends(backends, lifecycle, b);
    modelRows.render(m);
    renderQueue(queue, q);
  });
}
function renderHealth(node, r) {
  const checks = (r.data && r.data.checks) || [];
  const rows = [];
  for (const c of checks) {
    rows.push([c.name, c.status, '']);
    if (c.name === 'downstream-services' && c.data) for (const [k, v] of Object.entries(c.data)) rows.push(['  ' + k, typeof v === 'string' ? v.split(' ')[0] : '', typeof v === 'string' ? v : JSON.stringify(v)]);
  }
  node.replaceChildren(el('p', {}, 'Gateway readiness: ', el('span', { class: 'badge ' + (r.data && r.data.status), text: (r.data && r.data.status) || ('HTTP ' + r.status) })),
    el('table', {}, el('thead', {}, el('tr', {}, ['Check', 'Status', 'Detail'].map((x) => el('th', { scope: 'col', text: x })))),
      el('tbody', {}, rows.map(([n, s, d]) => el('tr', {}, el('td', { text: n }), el('td', {}, el('span', { class: 'badge ' + s, text: s })), el('td', { text: d }))))));
}
function renderBackends(node, lifeNode, r) {
  if (!r.ok) { node.replaceChildren(notAvailable('Backends', r)); lifeNode.replaceChildren(); return; }
  const b = r.data.backends || {};
  const tiers = list(b, 'backends');
  const passed = b.passed_over || {};
  const hw = b.hardware || {};
  const lat = (l) => (l && l.samples ? 'p50 ' + l.p50 + ' ms · p95 ' + l.p95 + ' ms (' + l.samples + ')' : '');
  node.replaceChildren(
    el('p', {}, 'Selected tier: ', el('strong', { id: 'selected-tier', text: b.selected || 'none' }), b.selection ? ' (' + b.selection + ')' : '',
      hw.cores ? ' · ' + hw.cores + ' cores, ' + Math.round((hw.ram_mb || 0) / 1024) + ' GB RAM, hardware tier ' + hw.tier : '',
      b.queue ? ' · caption queue ' + b.queue.waiting + ' waiting, ' + b.queue.in_flight + ' in flight' : ''),
    el('table', {}, el('thead', {}, el('tr', {}, ['Tier', 'Available', 'Breaker', 'Latency', 'Failures', 'Lifecycle', 'Detail'].map((x) => el('th', { scope: 'col', text: x })))),
      el('tbody', {}, tiers.map((t) => el('tr', { 'data-tier': t.name },
        el('td', {}, t.name, t.selected ? el('strong', { text: ' (selected)' }) : null),
        el('td', { text: t.available ? 'yes' : 'no' }),
        el('td', {}, t.breaker ? el('span', { class: 'badge ' + String(t.breaker).toLowerCase(), text: t.breaker }) : ''),
        el('td', { text: lat(t.latency_ms) }), el('td', { text: t.failures ?? '' }), el('td', { text: t.lifecycle || '' }),
        el('td', { text: t.unavailable_reason || passed[t.name] || (t.model ? t.model.name : '') }))))));
  const life = Object.entries(r.data.lifecycle || {});
  lifeNode.replaceChildren(life.length === 0 ? el('p', { class: 'muted', text: 'No lifecycle events yet (no model server was started).' })
    : el('table', {}, el('thead', {}, el('tr', {}, ['Backend', 'State', 'Last event'].map((x) => el('th', { scope: 'col', text: x })))),
      el('tbody', {}, life.map(([k, v]) => el('tr', {}, el('td', { text: k }), el('td', {}, el('span', { class: 'badge ' + v.state, text: v.state })),
        el('td', { text: typeof v.last_event === 'object' ? JSON.stringify(v.last_event) : String(v.last_event) }))))));
}
// Models: one row per model, kept (not re-created) so a focused Start/Stop button keeps its focus. The poll every 2 s
// updates it, and while a hosted model downloads, starts or stops its own SSE stream (/api/v1/models/{id}/events:
// state, in flight, download progress at each change) does, so the progress is shown as it happens.
function modelsPanel(node) {
  const tbody = el('tbody');
  const rows = new Map();
  const streams = new Map();
  const headers = ['Model', 'State', 'Progress', 'Slots', 'Detail'].concat(can('admin') ? ['Actions'] : []);
  const table = el('table', { id: 'models-table' }, el('thead', {}, el('tr', {}, headers.map((x) => el('th', { scope: 'col', text: x })))), tbody);
  const hosted = (m) => m.placement && m.placement !== 'remote';
  function row(id) {
    const badge = el('span', { class: 'badge', 'data-state': '' });
    const bar = el('progress', { max: '100', 'aria-label': 'Progress of model ' + id, hidden: true });
    const barText = el('span', { class: 'progress-text' });
    const slots = el('td');
    const detail = el('td');
    const name = el('td', { text: id });
    const error = el('span', { class: 'error', role: 'alert', 'data-error-for': id });
    const cells = [name, el('td', {}, badge), el('td', {}, bar, ' ', barText), slots, detail];
    let start = null;
    let stop = null;
    const act = async (button, action) => {
      error.textContent = '';
      button.disabled = true;
      const r = await api('POST', '/api/v1/models/' + enc(id) + '/' + action);
      if (r.ok && r.data && r.data.id) update(r.data); // the whole panel's update: it follows the model's stream while it moves
      else if (!r.ok) error.textContent = (action === 'start' ? 'Start' : 'Stop') + ' failed: ' + errorText(r);
      if (!r.ok) button.disabled = false;
    };
    if (can('admin')) {
      start = el('button', { type: 'button', class: 'secondary', 'data-action': 'start-model', 'aria-label': 'Start model ' + id, text: 'Start', hidden: true });
      stop = el('button', { type: 'button', class: 'secondary', 'data-action': 'stop-model', 'aria-label': 'Stop model ' + id, text: 'Stop', hidden: true });
      start.addEventListener('click', () => act(start, 'start'));
      stop.addEventListener('click', () => act(stop, 'stop'));
      cells.push(el('td', { class: 'admin-controls' }, start, ' ', stop, ' ', error));
    }
    const tr = el('tr', { 'data-model': id }, cells);
    function show(m) {
      name.textContent = m.id + (m.is_default ? ' (default)' : '') + (m.placement ? ' · ' + m.placement : '');
      badge.textContent = m.state;
      badge.className = 'badge ' + m.state;
      badge.dataset.state = m.state;
      const d = m.download;
      const downloading = d && !d.done && m.state === 'downloading';
      if (downloading && d.total) {
        const pct = Math.round((100 * d.bytes) / d.total);
        bar.value = pct;
        bar.hidden = false;
        barText.textContent = pct + '% of ' + Math.round(d.total / 1048576) + ' MiB' + (d.eta_seconds ? ', ' + d.eta_seconds + ' s left' : '');
      } else if (downloading || ['starting', 'stopping'].includes(m.state)) {
        bar.removeAttribute('value'); // indeterminate: under way, no byte count to show
        bar.hidden = false;
        barText.textContent = downloading ? Math.round((d.bytes || 0) / 1048576) + ' MiB so far' : m.state + '…';
      } else {
        bar.hidden = true;
        barText.textContent = d && d.done ? 'downloaded' : (d && d.error ? 'download failed' : '');
      }
      slots.textContent = m.slots !== undefined ? (m.in_flight || 0) + '/' + m.slots : '';
      detail.textContent = m.unavailable_reason || m.last_failure || (d && d.error) || '';
      if (start) {
        const canHost = hosted(m);
        start.hidden = !canHost;
        stop.hidden = !canHost;
        start.disabled = ['ready', 'starting', 'downloading'].includes(m.state);
        stop.disabled = ['stopped', 'stopping'].includes(m.state);
      }
    }
    return { tr, show };
  }
  function update(m) {
    if (!m || !m.id) return;
    let r = rows.get(m.id);
    if (!r) { r = row(m.id); rows.set(m.id, r); tbody.append(r.tr); }
    r.show(m);
    // a stream only while the model is on its way somewhere (a browser has few connections per server to spare)
    const moving = ['downloading', 'starting', 'stopping'].includes(m.state);
    if (hosted(m) && moving && !streams.has(m.id)) streams.set(m.id, stream('/api/v1/models/' + enc(m.id) + '/events', { message: update }));
    else if (!moving && streams.has(m.id)) { streams.get(m.id).close(); streams.delete(m.id); }
  }
  return {
    render(r) {
      if (!r.ok) { node.replaceChildren(notAvailable('Model states', r)); rows.clear(); tbody.replaceChildren(); return; }
      if (!node.contains(table)) node.replaceChildren(table);
      list(r.data, 'data', 'models').forEach(update);
    },
  };
}
function renderQueue(node, r) {
  if (!r.ok) { node.replaceChildren(notAvailable('The VLM queue', r)); return; }
  const rows = [];
  for (const m of list(r.data, 'queues')) for (const [cls, v] of Object.entries(m.classes || {})) rows.push([m.model, cls, v.depth, v.served, v.wait_p50_ms, v.wait_p99_ms, v.rejected]);
  node.replaceChildren(el('table', {}, el('thead', {}, el('tr', {}, ['Model', 'Class', 'Waiting', 'Served', 'Wait p50 ms', 'Wait p99 ms', 'Rejected'].map((x) => el('th', { scope: 'col', text: x })))),
    el('tbody', {}, rows.map((row) => el('tr', {}, row.map((v) => el('td', { text: typeof v === 'number' ? String(Math.round(v * 10) / 10) : v })))))));
}

// ---- start -------------------------------------------------------------------------------------------------
window.addEventListener('hashchange', route);
document.addEventListener('DOMContentLoaded', async () => {
  $('#signin-form').addEventListener('submit', signIn);
  $('#signout').addEventListener('click', signOut);
  const r = await api('GET', '/console/session');
  if (r.ok && r.data && r.data.signed_in) signedIn(r.data); else showSignIn();
  window.sightlineReadyAt = performance.now();
});
