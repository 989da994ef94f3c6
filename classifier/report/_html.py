"""report.html: one self-contained page (inline CSS, JS and SVG; no network)."""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from html import escape
from typing import IO, Any

from .._fonts import cjk_font_subset
from ..labels import NATIONAL, PROVINCES
from ._aggregate import LOW_CONFIDENCE, Aggregates, Event
from ._map import china_svg

#: Rows of the events table rendered at once (the page adds more on request).
PAGE_ROWS = 500
#: Rows of the top cities / counties tables.
TOP_PLACES = 20

_NO_REGION = "(no region)"
_NO_YEAR = "(no year)"

_CSS = """
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --low: #fff4d6; --accent: #0b57d0; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px; color: var(--fg); background: #fff; line-height: 1.45;
  font: 14px/1.45 "Report CJK", "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB",
  "Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans SC", system-ui, sans-serif; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; }
.muted { color: var(--muted); }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 120px; }
.card .num { font-size: 22px; font-weight: 700; font-variant-numeric: tabular-nums; }
.card.warn { background: var(--low); }
.grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 24px; align-items: start; }
@media (max-width: 1000px) { .grid { grid-template-columns: 1fr; } }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 7px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; position: sticky; top: 0; white-space: nowrap; }
td.n, th.n { text-align: right; }
td.zero { color: #b0b7bf; }
tr.total td { font-weight: 700; border-top: 2px solid var(--line); }
.scroll { max-height: 560px; overflow: auto; border: 1px solid var(--line); border-radius: 6px; }
#china-map { width: 100%; height: auto; max-width: 820px; }
#china-map .prov { stroke: #fff; stroke-width: 0.6; cursor: pointer; }
#china-map .marker { stroke: #555; stroke-width: 0.8; }
#china-map .prov:hover { stroke: #d9480f; stroke-width: 1.5; }
#china-map .sea { fill: none; stroke: #7a8894; stroke-width: 1.2; }
#china-map .inset-bg { fill: #fff; stroke: #7a8894; stroke-width: 2.5; }
#china-map .legend text { font-size: 17px; fill: var(--muted); }
.filters { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin: 8px 0; }
.filters select { font: inherit; padding: 3px 6px; }
#events { width: 100%; }
#events td.title { max-width: 460px; }
#events td:first-child, #events td:nth-child(2) { white-space: nowrap; }
.row { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
.row .scroll { max-width: 100%; }
#events td.url { max-width: 220px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
#events tr.low td { background: var(--low); }
.flag { color: #b35900; font-weight: 700; }
button { font: inherit; padding: 4px 12px; margin: 8px 0; }
"""

_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var S = data.strings, T = data.topics, E = data.events, LOW = data.low_confidence;
  var fTopic = document.getElementById("f-topic"), fRegion = document.getElementById("f-region"),
      fYear = document.getElementById("f-year"), fSort = document.getElementById("f-sort"),
      body = document.querySelector("#events tbody"),
      count = document.getElementById("match-count"), more = document.getElementById("more");
  var shown = 0, matches = [];
  function yearOf(d) { return /^\d{4}/.test(d) ? d.slice(0, 4) : ""; }
  function option(sel, value, label) {
    var o = document.createElement("option"); o.value = value; o.textContent = label; sel.appendChild(o);
  }
  var regionCount = {}, yearCount = {};
  E.forEach(function (e) {
    var r = S[e[1]], y = yearOf(e[0]);
    regionCount[r] = (regionCount[r] || 0) + 1; yearCount[y] = (yearCount[y] || 0) + 1;
  });
  T.forEach(function (t) { option(fTopic, t, t); });
  Object.keys(regionCount).sort(function (a, b) { return regionCount[b] - regionCount[a]; })
    .forEach(function (r) { option(fRegion, r, (r || data.no_region) + " (" + regionCount[r] + ")"); });
  Object.keys(yearCount).sort().forEach(function (y) {
    option(fYear, y, (y || data.no_year) + " (" + yearCount[y] + ")");
  });
  function cell(tr, text, cls) {
    var td = document.createElement("td");
    td.textContent = text; if (cls) td.className = cls;
    tr.appendChild(td); return td;
  }
  function row(e) {
    var tr = document.createElement("tr"), conf = e[6];
    cell(tr, e[0]); cell(tr, S[e[1]]); cell(tr, S[e[2]]); cell(tr, S[e[3]]); cell(tr, T[e[4]] || "");
    cell(tr, e[5], "title");
    var td = cell(tr, conf.toFixed(2), "n");
    if (conf < LOW) {
      tr.className = "low";
      var f = document.createElement("span"); f.className = "flag"; f.textContent = " \u26a0";
      f.title = "low confidence (< " + LOW + ")"; td.appendChild(f);
    }
    var u = cell(tr, "", "url");
    if (/^https?:\/\//i.test(e[7])) {
      var a = document.createElement("a"); a.href = e[7]; a.textContent = e[7]; a.rel = "noopener noreferrer";
      a.target = "_blank"; u.appendChild(a);
    } else { u.textContent = e[7]; }
    cell(tr, String(e[8]), "n");
    return tr;
  }
  function renderMore() {
    var frag = document.createDocumentFragment(), end = Math.min(matches.length, shown + data.page_rows);
    for (var i = shown; i < end; i++) frag.appendChild(row(E[matches[i]]));
    body.appendChild(frag); shown = end;
    count.textContent = "showing " + shown.toLocaleString("en") + " of " + matches.length.toLocaleString("en") +
      " matching events";
    count.setAttribute("data-matching", String(matches.length));
    count.setAttribute("data-shown", String(shown));
    more.hidden = shown >= matches.length;
  }
  function apply() {
    var t = fTopic.value, r = fRegion.value, y = fYear.value, ti = t === "*" ? -1 : T.indexOf(t);
    matches = [];
    for (var i = 0; i < E.length; i++) {
      var e = E[i];
      if (ti >= 0 && e[4] !== ti) continue;
      if (r !== "*" && S[e[1]] !== r) continue;
      if (y !== "*" && yearOf(e[0]) !== y) continue;
      matches.push(i);
    }
    var order = fSort.value;
    if (order === "new" || order === "old") {
      var sign = order === "new" ? -1 : 1;  // dates without a year ("--MM-DD", "") go last
      matches.sort(function (a, b) {
        var da = E[a][0], db = E[b][0], ya = /^\d/.test(da), yb = /^\d/.test(db);
        if (ya !== yb) return ya ? -1 : 1;
        return da < db ? -sign : da > db ? sign : a - b;
      });
    } else if (order === "conf") {
      matches.sort(function (a, b) { return E[a][6] - E[b][6] || a - b; });
    }
    body.textContent = ""; shown = 0; renderMore();
  }
  [fTopic, fRegion, fYear, fSort].forEach(function (s) { s.addEventListener("change", apply); });
  more.addEventListener("click", renderMore);
  document.getElementById("reset").addEventListener("click", function () {
    fTopic.value = "*"; fRegion.value = "*"; fYear.value = "*"; fSort.value = "input"; apply();
  });
  Array.prototype.forEach.call(document.querySelectorAll("#china-map .prov, [data-filter-region]"), function (el) {
    el.addEventListener("click", function () {
      var r = el.getAttribute("data-region");
      if (!regionCount[r]) return;
      fRegion.value = r; apply(); document.getElementById("events-section").scrollIntoView();
    });
  });
  apply();
})();
"""


def _json_for_script(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element (no ``<``, ``>`` or ``&``)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _n(value: int) -> str:
    return f'<td class="n{" zero" if not value else ""}" data-value="{value}">{value:,}</td>'


def _cross_table(
    table_id: str,
    key_name: str,
    head: str,
    keys: Sequence[str],
    labels: Sequence[str],
    topics: Sequence[str],
    counts: Counter[tuple[str, str]],
) -> str:
    """Rows = keys, columns = topics + total; cells carry ``data-<key_name>``, ``data-topic``, ``data-value``."""
    out = [f'<table id="{table_id}"><thead><tr><th>{escape(head)}</th>']
    out += [f'<th class="n">{escape(t)}</th>' for t in topics]
    out.append('<th class="n">total</th></tr></thead><tbody>')
    for key, label in zip(keys, labels):
        out.append(f'<tr data-{key_name}="{escape(key)}"><th scope="row">{escape(label)}</th>')
        total = 0
        for t in topics:
            n = counts.get((key, t), 0)
            total += n
            out.append(_n(n).replace("<td ", f'<td data-topic="{escape(t)}" ', 1))
        out.append(_n(total).replace("<td ", '<td data-topic="*" ', 1) + "</tr>")
    out.append('<tr class="total"><td>total</td>')
    grand = 0
    for t in topics:
        n = sum(counts.get((k, t), 0) for k in keys)
        grand += n
        out.append(_n(n))
    out.append(_n(grand) + "</tr></tbody></table>")
    return "".join(out)


def _top_table(table_id: str, heads: Sequence[str], items: Sequence[tuple[tuple[str, ...], int]]) -> str:
    out = [f'<table id="{table_id}"><thead><tr>']
    out += [f"<th>{escape(h)}</th>" for h in heads]
    out.append('<th class="n">events</th></tr></thead><tbody>')
    for key, n in items:
        out.append("<tr>" + "".join(f"<td>{escape(k)}</td>" for k in key) + _n(n) + "</tr>")
    if not items:
        out.append(f'<tr><td colspan="{len(heads) + 1}" class="muted">none</td></tr>')
    out.append("</tbody></table>")
    return "".join(out)


def _card(card_id: str, label: str, value: int, note: str = "", warn: bool = False) -> str:
    cls = "card warn" if warn else "card"
    extra = f'<div class="muted">{note}</div>' if note else ""
    return (
        f'<div class="{cls}"><div class="num" id="{card_id}" data-value="{value}">{value:,}</div>'
        f"<div>{escape(label)}</div>{extra}</div>"
    )


def _region_order(agg: Aggregates) -> list[str]:
    totals = agg.region_totals()
    return sorted(totals, key=lambda r: (r == "", r == NATIONAL, -totals[r], r))


def write_html(
    fh: IO[str], events: Iterable[Event], agg: Aggregates, *, sources: Sequence[str], generated: str
) -> None:
    """Write the report page to ``fh``, streaming the events into its embedded JSON."""
    topics = agg.topic_list
    regions = _region_order(agg)
    years = sorted(agg.year_totals(), key=lambda y: (y == "", y))
    pct = f"{agg.low_confidence / agg.events:.1%}" if agg.events else "0%"
    low_note = f'{pct}: topic probability &lt; {LOW_CONFIDENCE:g} (<span class="flag">\u26a0</span>)'
    cards = "".join(
        [
            _card("n-events", "events (distinct articles)", agg.events),
            _card("n-records", "prediction records read", agg.records),
            _card(
                "n-duplicates",
                "mirror copies (counted once)",
                agg.duplicates,
                f"{agg.orphans:,} of an event not in the input" if agg.orphans else "",
            ),
            _card("n-errors", "error records skipped", agg.errors, warn=agg.errors > 0),
            _card("n-low", "low-confidence events", agg.low_confidence, low_note, warn=agg.low_confidence > 0),
        ]
    )
    region_counts = agg.region_totals()
    city_items = [((city, region or _NO_REGION), n) for (region, city), n in agg.cities.most_common(TOP_PLACES)]
    county_items = [
        ((county, city, region or _NO_REGION), n) for (region, city, county), n in agg.counties.most_common(TOP_PLACES)
    ]
    src = ", ".join(escape(s) for s in sources)
    fh.write(
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; font-src data:\">"
        f"<title>Events report</title><style>{_font_face(agg, regions)}{_CSS}</style></head><body>"
    )
    fh.write(
        f'<h1>Events report</h1><p class="muted">From {src} · generated {escape(generated)} · '
        "an event is an article counted once however many mirror copies the input holds</p>"
    )
    fh.write(f'<div class="cards">{cards}</div>')
    fh.write('<div class="grid"><section><h2>Events per province</h2>')
    fh.write(china_svg(region_counts))
    fh.write('<p class="muted">Click a province to list its events. South China Sea in the inset.</p></section>')
    fh.write('<section><h2>Events per province and topic</h2><div class="scroll">')
    fh.write(
        _cross_table(
            "by-region", "region", "province", regions, [r or _NO_REGION for r in regions], topics, agg.by_region_topic
        )
    )
    fh.write("</div></section></div>")
    fh.write('<div class="row"><section><h2>Events per year and topic</h2><div class="scroll">')
    fh.write(_cross_table("by-year", "year", "year", years, [y or _NO_YEAR for y in years], topics, agg.by_year_topic))
    fh.write("</div></section>")
    fh.write(f"<section><h2>Top cities</h2>{_top_table('top-cities', ['city', 'province'], city_items)}</section>")
    fh.write(
        f"<section><h2>Top counties</h2>{_top_table('top-counties', ['county', 'city', 'province'], county_items)}"
        "</section></div>"
    )
    fh.write(
        '<section id="events-section"><h2>Events</h2><div class="filters">'
        '<label>topic <select id="f-topic"><option value="*">all</option></select></label>'
        '<label>province <select id="f-region"><option value="*">all</option></select></label>'
        '<label>year <select id="f-year"><option value="*">all</option></select></label>'
        '<label>order <select id="f-sort"><option value="input">as in the input</option>'
        '<option value="new">newest first</option><option value="old">oldest first</option>'
        '<option value="conf">least confident first</option></select></label>'
        '<button id="reset" type="button">reset</button>'
        '<span id="match-count" class="muted"></span></div>'
        '<div class="scroll" style="max-height:none"><table id="events"><thead><tr><th>date</th><th>province</th>'
        '<th>city</th><th>county</th><th>topic</th><th>title</th><th class="n">confidence</th><th>url</th>'
        '<th class="n">copies</th></tr></thead><tbody></tbody></table></div>'
        '<button id="more" type="button" hidden>show more</button>'
        "<noscript><p>The events table needs JavaScript; events.csv and events.xlsx hold the same rows."
        "</p></noscript></section>"
    )
    _write_data(fh, events, agg, topics)
    fh.write(f"<script>{_JS}</script></body></html>\n")


def _font_face(agg: Aggregates, regions: Sequence[str]) -> str:
    """A CSS rule embedding the shipped CJK font, cut down to the characters this page shows."""
    text = "".join(agg.characters) + "".join(regions) + "".join(PROVINCES) + NATIONAL
    # Latin text keeps the page's own font: a word drawn half from each would look broken.
    font = base64.b64encode(cjk_font_subset("".join({ch for ch in text if ord(ch) > 0x7F}))).decode("ascii")
    return f'@font-face {{ font-family: "Report CJK"; src: url(data:font/otf;base64,{font}) format("opentype"); }}\n'


def _write_data(fh: IO[str], events: Iterable[Event], agg: Aggregates, topics: list[str]) -> None:
    """The embedded JSON: events as compact rows, repeated names interned in ``strings``."""
    strings: dict[str, int] = {}
    topic_index = {t: i for i, t in enumerate(topics)}

    def intern(s: str) -> int:
        i = strings.get(s)
        if i is None:
            i = strings[s] = len(strings)
        return i

    fh.write('<script type="application/json" id="report-data">{"events":[')
    first = True
    for e in events:
        row = [
            e.date,
            intern(e.region),
            intern(e.city),
            intern(e.county),
            topic_index.get(e.topic, -1),
            e.title,
            round(e.confidence, 3),
            e.url,
            agg.copies_of(e.id),
        ]
        fh.write(("" if first else ",\n") + _json_for_script(row))
        first = False
    meta = {
        "strings": list(strings),
        "topics": topics,
        "low_confidence": LOW_CONFIDENCE,
        "page_rows": PAGE_ROWS,
        "no_region": _NO_REGION,
        "no_year": _NO_YEAR,
    }
    fh.write("]," + _json_for_script(meta)[1:] + "</script>")
