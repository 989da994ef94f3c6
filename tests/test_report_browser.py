"""report.html in headless Chromium: the page shows the aggregates and its filters work.

Needs Debian's ``chromium`` (``apt-get install -y chromium fonts-noto-cjk``, done by .ci/run) and
the ``playwright`` Python package. Skipped when either is missing, except in CI (``CI`` set), where
that is a failure.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from classifier.report import LOW_CONFIDENCE, build_report, chromium_path, launch_chromium, write_synthetic_predictions

CHROMIUM = chromium_path()
N_RECORDS = 20_000


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser test cannot run in CI: {reason}")
    pytest.skip(reason)


def expected_counts(path: Path) -> dict[str, Any]:
    """The report's figures computed here, straight from the records (events: empty duplicate_of)."""
    region_topic: Counter[tuple[str, str]] = Counter()
    year_topic: Counter[tuple[str, str]] = Counter()
    out = {"records": 0, "errors": 0, "duplicates": 0, "low": 0}
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            out["records"] += 1
            if r.get("error"):
                out["errors"] += 1
                continue
            if r.get("duplicate_of"):
                out["duplicates"] += 1
                continue
            region_topic[(r.get("region", ""), r["topic"])] += 1
            date = r.get("date", "")
            year_topic[(date[:4] if date[:4].isdigit() else "", r["topic"])] += 1
            out["low"] += r["topic_proba"][r["topic"]] < LOW_CONFIDENCE
    out["events"] = sum(region_topic.values())
    out["region_topic"], out["year_topic"] = region_topic, year_topic
    return out


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Any:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    if not Path(CHROMIUM).exists():
        _unavailable(f"no chromium at {CHROMIUM} (apt-get install -y chromium fonts-noto-cjk)")
    tmp = tmp_path_factory.mktemp("report")
    src = write_synthetic_predictions(tmp / "predictions.jsonl", N_RECORDS, seed=7)
    build_report(src, tmp / "out")
    with sync_playwright() as p:
        browser = launch_chromium(p, CHROMIUM)
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        problems: list[str] = []
        requests: list[str] = []
        pg.on("pageerror", lambda e: problems.append(str(e)))
        pg.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
        pg.on("request", lambda r: requests.append(r.url))
        pg.goto((tmp / "out" / "report.html").as_uri())
        pg.wait_for_selector("#events tbody tr")
        yield {"page": pg, "expected": expected_counts(src), "problems": problems, "requests": requests, "tmp": tmp}
        browser.close()


def _value(pg: Any, selector: str) -> int:
    return int(pg.get_attribute(selector, "data-value"))


def _cells(pg: Any, table: str, key: str) -> dict[tuple[str, str], int]:
    return pg.eval_on_selector_all(
        f"#{table} tbody tr[data-{key}] td[data-topic]:not([data-topic='*'])",
        f"""cells => cells.map(td => [td.parentElement.getAttribute('data-{key}'), td.getAttribute('data-topic'),
                                       Number(td.getAttribute('data-value')), td.textContent])""",
    )


def test_page_numbers_equal_the_aggregates(page: dict) -> None:
    pg, exp = page["page"], page["expected"]
    assert _value(pg, "#n-records") == exp["records"] == N_RECORDS
    assert _value(pg, "#n-errors") == exp["errors"] > 0
    assert _value(pg, "#n-duplicates") == exp["duplicates"] > 0
    assert _value(pg, "#n-events") == exp["events"]
    assert _value(pg, "#n-low") == exp["low"] > 0
    shown = {(r, t): n for r, t, n, _ in _cells(pg, "by-region", "region")}
    assert shown == {(r, t): exp["region_topic"].get((r, t), 0) for r, t in shown}
    assert {k: n for k, n in shown.items() if n} == dict(exp["region_topic"])
    shown_years = {(y, t): n for y, t, n, _ in _cells(pg, "by-year", "year")}
    assert {k: n for k, n in shown_years.items() if n} == dict(exp["year_topic"])
    for _, _, n, text in _cells(pg, "by-region", "region"):
        assert text == f"{n:,}"  # what a reader sees is the number
    matching = int(pg.get_attribute("#match-count", "data-matching"))
    assert matching == exp["events"]
    assert pg.locator("#events tbody tr").count() == min(500, exp["events"])
    assert page["problems"] == []  # no script error, no alert from a hostile title
    assert all(u.startswith("file:") for u in page["requests"]), page["requests"]


def test_map_shades_provinces_by_their_events(page: dict) -> None:
    pg, exp = page["page"], page["expected"]
    paths = pg.eval_on_selector_all(
        "#china-map #china-shapes path.prov",
        "ps => ps.map(p => [p.getAttribute('data-region'), Number(p.dataset.count), getComputedStyle(p).fill])",
    )
    assert len(paths) == 34
    per_region = Counter()
    for (region, _), n in exp["region_topic"].items():
        per_region[region] += n
    for region, count, _ in paths:
        assert count == per_region.get(region, 0)
    busiest = max(paths, key=lambda p: p[1])
    quietest = min(paths, key=lambda p: p[1])
    assert busiest[2] != quietest[2]
    dots = pg.eval_on_selector_all("#china-map circle.prov", "cs => cs.map(c => c.getAttribute('data-region'))")
    assert set(dots) == {"香港特别行政区", "澳门特别行政区"}  # too small to see as shapes


def test_filters_change_the_table(page: dict) -> None:
    pg, exp = page["page"], page["expected"]
    topic = "progress_qa"
    pg.select_option("#f-topic", topic)
    want = sum(n for (_, t), n in exp["region_topic"].items() if t == topic)
    assert int(pg.get_attribute("#match-count", "data-matching")) == want
    topics = pg.eval_on_selector_all("#events tbody tr td:nth-child(5)", "tds => tds.map(td => td.textContent)")
    assert set(topics) == {topic}
    region = max(
        (r for r, _ in exp["region_topic"] if r and r != "全国"), key=lambda r: exp["region_topic"][(r, topic)]
    )
    pg.select_option("#f-region", region)
    assert int(pg.get_attribute("#match-count", "data-matching")) == exp["region_topic"][(region, topic)]
    assert set(pg.eval_on_selector_all("#events tbody tr td:nth-child(2)", "t => t.map(x => x.textContent)")) == {
        region
    }
    pg.select_option("#f-year", "2015")
    want_year = int(pg.get_attribute("#match-count", "data-matching"))
    assert 0 < want_year < exp["region_topic"][(region, topic)]
    assert all(
        d.startswith("2015")
        for d in pg.eval_on_selector_all("#events tbody tr td:nth-child(1)", "t => t.map(x => x.textContent)")
    )
    pg.click("#reset")
    assert int(pg.get_attribute("#match-count", "data-matching")) == exp["events"]
    pg.select_option("#f-sort", "new")
    dates = pg.eval_on_selector_all("#events tbody tr td:nth-child(1)", "t => t.map(x => x.textContent)")
    assert dates == sorted(dates, reverse=True) and dates[0][:4] == "2024"
    pg.select_option("#f-sort", "conf")
    conf = pg.eval_on_selector_all("#events tbody tr td:nth-child(7)", "t => t.map(x => parseFloat(x.textContent))")
    assert conf == sorted(conf) and conf[0] < LOW_CONFIDENCE
    assert pg.locator("#events tbody tr.low").count() > 0  # low-confidence rows are marked
    pg.click("#reset")
    pg.click("#china-map #china-shapes .prov[data-region='四川省']")  # a map click filters by province
    assert pg.input_value("#f-region") == "四川省"
    assert int(pg.get_attribute("#match-count", "data-matching")) == sum(
        n for (r, _), n in exp["region_topic"].items() if r == "四川省"
    )
    pg.click("#reset")


def test_screenshot_is_not_blank(page: dict) -> None:
    from PIL import Image, ImageStat

    pg = page["page"]
    pg.evaluate("window.scrollTo(0, 0)")
    shot = page["tmp"] / "report.png"
    pg.screenshot(path=str(shot))
    image = Image.open(shot).convert("L")
    assert image.size == (1400, 1000)
    assert ImageStat.Stat(image).var[0] > 500  # text, tables and a shaded map, not a blank page
    colours = Image.open(shot).convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50
