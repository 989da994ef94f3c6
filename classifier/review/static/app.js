// classifier review page. Article text and every other value from the server go into the
// page through textContent / value only: never innerHTML.
"use strict";

const TOKEN = document.querySelector('meta[name="review-token"]').content;
let TOPICS = ["supervision_visit", "symposium", "progress_qa", "other"]; // replaced by the model's topics
const MODES = ["teach", "audit", "disagreements"];
const $ = (id) => document.getElementById(id);
let state = { article: null, chosen: null, raw: false, busy: false, suggestions: [], active: -1, polling: null };

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

async function api(path, body) {
  const opts = body === undefined ? {} : {
    method: "POST", body: JSON.stringify(body),
    headers: { "Content-Type": "application/json", "X-Review-Token": TOKEN },
  };
  const res = await fetch(path, { credentials: "same-origin", ...opts });
  const data = await res.json().catch(() => ({ error: res.status + " " + res.statusText }));
  if (!res.ok) throw new Error(data.error || res.statusText);
  return data;
}

function message(text, ok) {
  const m = $("message");
  m.textContent = text || "";
  m.className = ok ? "message ok" : "message";
}

// ------------------------------------------------------------------ rendering

function highlighted(text, article) {
  const marks = new Array(text.length).fill("");
  for (const [term, weight] of article.topic_terms || []) {
    if (!term || term.length < 2 || weight <= 0) continue;  // one-character terms would mark half the text
    let at = text.indexOf(term);
    while (at >= 0) {
      for (let i = at; i < at + term.length; i++) if (!marks[i]) marks[i] = "term";
      at = text.indexOf(term, at + term.length);
    }
  }
  for (const ev of article.region_evidence || []) {
    const start = Number(ev.start), end = ev.end !== undefined ? Number(ev.end) : start + String(ev.surface || "").length;
    for (let i = start; i >= 0 && i < end && i < text.length; i++) marks[i] = "place";
  }
  const frag = document.createDocumentFragment();
  let i = 0;
  while (i < text.length) {
    let j = i;
    while (j < text.length && marks[j] === marks[i]) j++;
    const piece = text.slice(i, j);
    frag.appendChild(marks[i] ? el("mark", piece, marks[i]) : document.createTextNode(piece));
    i = j;
  }
  return frag;
}

function renderText() {
  const a = state.article, box = $("text");
  box.replaceChildren();
  if (!a) return;
  box.appendChild(state.raw ? document.createTextNode(a.raw) : highlighted(a.clean, a));
  $("toggle-raw").textContent = state.raw ? "clean text (t)" : "raw text (t)";
}

function renderTopics() {
  const a = state.article, box = $("topics");
  box.replaceChildren();
  if (!a) return;
  TOPICS.forEach((t, k) => {
    const p = a.prediction.topic_proba[t] || 0;
    const row = el("div", null, "topic" + (t === a.prediction.topic ? " predicted" : "") + (t === state.chosen ? " chosen" : ""));
    row.dataset.topic = t;
    row.appendChild(el("span", k + 1, "key"));
    row.appendChild(el("span", t));
    const bar = el("div", null, "bar"), fill = el("span");
    fill.style.width = Math.round(p * 100) + "%";
    bar.appendChild(fill);
    row.appendChild(bar);
    row.appendChild(el("span", p.toFixed(2)));
    row.addEventListener("click", () => decide(t));
    box.appendChild(row);
  });
}

function setPlace(fields) {
  for (const k of ["region", "city", "county"]) {
    $("f-" + k).value = fields[k] || "";
    $("c-" + k).textContent = fields[k + "_code"] || "";
  }
}

function renderArticle() {
  const a = state.article;
  $("article-why").textContent = "";
  if (!a) {
    $("title").textContent = "Nothing left in this queue";
    $("lead").textContent = "Choose another queue, retrain, or stop the app (Ctrl-C).";
    $("article-id").textContent = "";
    $("pred-topic").textContent = "";
    $("evidence").textContent = "";
    setPlace({});
    state.chosen = null;
    renderTopics();
    renderText();
    return;
  }
  $("article-id").textContent = a.id;
  $("article-why").textContent = `${a.mode} · topic margin ${a.margin.toFixed(2)} · region confidence ${a.region_confidence.toFixed(2)}`
    + (a.existing && a.existing.topic ? ` · existing label ${a.existing.topic} / ${a.existing.region || ""}` : "")
    + (a.previous ? ` · your earlier decision ${a.previous.topic} / ${a.previous.region}` : "");
  $("title").textContent = a.title;
  $("lead").textContent = a.lead;
  $("pred-topic").textContent = a.prediction.topic;
  const start = a.previous || a.prediction;
  state.chosen = start.topic;
  setPlace(a.previous ? { ...a.previous } : a.prediction);
  const ev = $("evidence");
  ev.replaceChildren();
  ev.appendChild(el("span", `model: ${a.prediction.region} ${a.prediction.city} ${a.prediction.county} · evidence: `));
  const seen = new Set();
  for (const e of a.region_evidence || []) {
    const s = `${e.surface}${e.name && e.name !== e.surface ? "→" + e.name : ""}${e.code ? " " + e.code : ""}`;
    if (seen.has(s)) continue;
    seen.add(s);
    ev.appendChild(el("mark", s, "place"));
    ev.appendChild(document.createTextNode(" "));
  }
  renderTopics();
  renderText();
}

function pct(x) { return x === null || x === undefined ? "–" : (100 * x).toFixed(0) + "%"; }
function ci(pair) { return pair ? ` [${pct(pair[0])}, ${pct(pair[1])}]` : ""; }

function renderStats(stats) {
  if (stats.topics && stats.topics.length) TOPICS = stats.topics;
  const per = TOPICS.map((t) => `${t} ${stats.per_topic[t]}`).join(" · ");
  $("counters").textContent = `labeled ${stats.labeled} (${per}) · agreement with model: topic ${pct(stats.topic_agreement)}, `
    + `region ${pct(stats.region_agreement)} · ${stats.remaining} left in queue`;
  $("mode").value = stats.mode;
  const box = $("figures");
  box.replaceChildren();
  box.appendChild(el("h2", "Audit: estimated accuracy on this corpus"));
  if (!stats.audit.length) box.appendChild(el("p", "Label articles in the audit queue (a uniform random sample) to estimate the model's accuracy here."));
  for (const f of stats.audit) {
    box.appendChild(el("h3", `model ${f.model_version}${f.current ? " (current)" : ""}: ${f.n} audited`));
    box.appendChild(el("p", `topic accuracy ${pct(f.topic_accuracy)}${ci(f.topic_accuracy_ci)} · region accuracy `
      + `${pct(f.region_accuracy)}${ci(f.region_accuracy_ci)} (95% bootstrap intervals)`));
    const table = el("table"), head = el("tr");
    head.appendChild(el("th", "label \\ model"));
    f.confusion.labels.forEach((l) => head.appendChild(el("th", l)));
    table.appendChild(head);
    f.confusion.matrix.forEach((row, r) => {
      const tr = el("tr");
      tr.appendChild(el("th", f.confusion.labels[r]));
      row.forEach((v) => tr.appendChild(el("td", v)));
      table.appendChild(tr);
    });
    box.appendChild(table);
  }
}

function scoreLine(s) {
  if (!s || !s.topic) return "–";
  const t = s.topic, r = s.region || {};
  return `topic macro-F1 ${t.macro_f1.toFixed(3)}${t.macro_f1_ci ? ` [${t.macro_f1_ci[0].toFixed(3)}, ${t.macro_f1_ci[1].toFixed(3)}]` : ""}`
    + `, province accuracy ${r.accuracy !== undefined ? r.accuracy.toFixed(3) : "–"}`
    + `${r.accuracy_ci ? ` [${r.accuracy_ci[0].toFixed(3)}, ${r.accuracy_ci[1].toFixed(3)}]` : ""}`;
}

function renderRetrain(st) {
  const box = $("retrain-status");
  $("retrain").disabled = !st.available || st.state === "running";
  if (st.state === "running") box.textContent = `retraining on base + ${st.n_labels} labels …`;
  else if (st.state === "failed") box.textContent = "retraining failed: " + st.error;
  else if (st.state === "done") box.textContent = `retrained (${st.seconds} s, model ${st.model_version}) · grouped CV before: `
    + `${scoreLine(st.before)} · after: ${scoreLine(st.after)}`;
  else box.textContent = st.available ? "" : "(retraining needs --new-model)";
  box.dataset.state = st.state;
  if (st.state === "running" && !state.polling) state.polling = setInterval(pollRetrain, 1000);
  if (st.state !== "running" && state.polling) { clearInterval(state.polling); state.polling = null; }
}

async function pollRetrain() {
  try {
    const st = await api("/api/retrain");
    renderRetrain(st);
    if (st.state === "done") await load();  // re-ranked with the new model
  } catch (e) { message(e.message); }
}

function show(data) {
  state.article = data.article;
  renderStats(data.stats);
  renderArticle();
  renderRetrain(data.retrain);
}

// ------------------------------------------------------------------ actions

async function run(path, body, note) {
  if (state.busy) { message("still saving the last action: press again"); return; }
  state.busy = true;
  document.body.dataset.busy = "1";
  try {
    show(await api(path, body));
    message(note || "", true);
  } catch (e) {
    message(e.message);
  } finally {
    state.busy = false;
    document.body.dataset.busy = "0";
  }
}

async function load() { await run("/api/next"); }

function decide(topic) {
  const a = state.article;
  if (!a) return;
  const body = { index: a.index, topic, region: $("f-region").value.trim(), city: $("f-city").value.trim(),
    county: $("f-county").value.trim() };
  run("/api/decide", body, `saved ${a.id}: ${topic} / ${body.region} ${body.city} ${body.county}`);
}

function accept() { if (state.article) decide(state.chosen || state.article.prediction.topic); }
function skip() { if (state.article) run("/api/skip", { index: state.article.index }, "skipped " + state.article.id); }
function undo() { run("/api/undo", {}, "undo: decide this article again (the new decision replaces the old one)"); }

// ------------------------------------------------------------------ place autocomplete

function renderSuggestions() {
  const list = $("suggestions");
  list.replaceChildren();
  state.suggestions.forEach((o, k) => {
    const li = el("li", o.label, k === state.active ? "active" : "");
    li.setAttribute("role", "option");
    li.addEventListener("mousedown", (ev) => { ev.preventDefault(); choose(k); });
    list.appendChild(li);
  });
}

function choose(k) {
  const o = state.suggestions[k];
  if (!o) return;
  setPlace(o);
  $("place").value = "";
  state.suggestions = [];
  state.active = -1;
  renderSuggestions();
  $("place").blur();
  message(`place set: ${o.label}`, true);
}

let placeTimer = null;
$("place").addEventListener("input", () => {
  clearTimeout(placeTimer);
  placeTimer = setTimeout(async () => {
    const q = $("place").value.trim();
    state.suggestions = q ? await api("/api/places?q=" + encodeURIComponent(q)).catch(() => []) : [];
    state.active = state.suggestions.length ? 0 : -1;
    renderSuggestions();
  }, 120);
});

$("place").addEventListener("keydown", (ev) => {
  if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
    const n = state.suggestions.length;
    if (n) state.active = (state.active + (ev.key === "ArrowDown" ? 1 : n - 1)) % n;
    renderSuggestions();
    ev.preventDefault();
  } else if (ev.key === "Enter") {
    ev.preventDefault();
    if (!ev.isComposing) choose(Math.max(state.active, 0));
  } else if (ev.key === "Escape") {
    state.suggestions = [];
    renderSuggestions();
    $("place").blur();
  }
  ev.stopPropagation();
});

for (const k of ["region", "city", "county"]) {
  $("f-" + k).addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" || ev.key === "Escape") { ev.preventDefault(); ev.target.blur(); }
    ev.stopPropagation();
  });
  $("f-" + k).addEventListener("input", () => { $("c-" + k).textContent = ""; });
}

// ------------------------------------------------------------------ keyboard and buttons

document.addEventListener("keydown", (ev) => {
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const tag = (ev.target && ev.target.tagName) || "";
  if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || (tag === "BUTTON" && ev.key === "Enter")) return;
  const k = ev.key;
  if (k >= "1" && k <= "9" && Number(k) <= TOPICS.length) decide(TOPICS[Number(k) - 1]);
  else if (k === "Enter" || k === "a") accept();
  else if (k === "s") skip();
  else if (k === "u" || k === "Backspace") undo();
  else if (k === "/" || k === "r") $("place").focus();
  else if (k === "t") { state.raw = !state.raw; renderText(); }
  else if (k === "m") run("/api/mode", { mode: MODES[(MODES.indexOf($("mode").value) + 1) % MODES.length] });
  else return;
  ev.preventDefault();
});

$("mode").addEventListener("change", () => { run("/api/mode", { mode: $("mode").value }); $("mode").blur(); });
$("accept").addEventListener("click", accept);
$("skip").addEventListener("click", skip);
$("undo").addEventListener("click", undo);
$("toggle-raw").addEventListener("click", () => { state.raw = !state.raw; renderText(); });
$("retrain").addEventListener("click", async () => {
  try { renderRetrain(await api("/api/retrain", {})); } catch (e) { message(e.message); }
  $("retrain").blur();
});
load();
