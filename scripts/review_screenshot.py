"""The README's screenshot of the review page, on invented articles (no corpus text in the picture).

    python scripts/review_screenshot.py [--train ../shared/corpus/dev.jsonl --train seeds/] [--out docs/review.png]

Starts `classifier review` on a few articles written for this picture, labels two through the
page's keyboard, corrects a region with the autocomplete, optionally retrains (with --train),
and saves a screenshot. Needs Chromium (`apt-get install chromium fonts-noto-cjk`) and playwright.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = [
    (
        "丹阳市召开义务教育优质均衡发展推进会\n5月8日，丹阳市义务教育优质均衡发展推进会在市教育局召开。会议总结了去年创建工作，"
        "部署今年重点任务，各镇（区）分管负责人和中小学校长参加会议。会上，三所学校交流了集团化办学、教师交流轮岗的做法。"
        "市政府分管领导要求，对照国家督导评估标准逐项补齐短板，确保年底前通过省级督导评估。"
    ),
    (
        "省督导评估组来我县开展义务教育优质均衡发展督导评估\n近日，省人民政府教育督导室组织评估组对我县义务教育优质均衡发展情况"
        "进行实地督导评估。评估组听取了县政府工作汇报，随机抽查了12所中小学校，召开校长、教师座谈会并开展问卷调查。"
        "反馈会上，评估组肯定了我县在学校标准化建设方面的成效，也指出了部分学校音体美教师不足的问题。"
    ),
    (
        "教育厅负责人就县域义务教育优质均衡发展答记者问\n问：今年全省优质均衡创建进展如何？答：截至目前，已有15个县通过省级评估，"
        "另有20个县完成自评。问：下一步有哪些举措？答：我们将加大省级统筹，重点支持农村学校和薄弱学校。"
    ),
    (
        "关于做好2024年县域义务教育优质均衡发展督导评估工作的通知\n各市、县（市、区）教育局：为做好今年县域义务教育优质均衡发展"
        "督导评估工作，现将有关事项通知如下。一、评估对象。二、评估程序。三、工作要求。请各地认真组织，按时报送材料。"
    ),
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--train", action="append", default=[], help="base training data for the retrain button")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "review.png")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    from classifier.report import launch_chromium

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "articles.jsonl"
        src.write_text(
            "".join(
                json.dumps({"id": f"example-{i}", "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(ARTICLES)
            ),
            encoding="utf-8",
        )
        cmd = [
            sys.executable,
            "-m",
            "classifier",
            "review",
            str(src),
            "--labels",
            str(Path(tmp) / "labels.jsonl"),
            "--port",
            "0",
            "--no-browser",
            *[a for p in args.train for a in ("--train", p)],
            "--new-model",
            str(Path(tmp) / "new.npz"),
        ]
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"},
        )
        try:
            assert proc.stdout is not None
            url = ""
            for line in proc.stdout:
                m = re.search(r"(http://\S+\?token=\S+)", line)
                if m:
                    url = m.group(1)
                    break
            with sync_playwright() as p:
                browser = launch_chromium(p)
                page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
                page.goto(url)
                page.wait_for_function("() => document.getElementById('article-id').textContent.length > 0")
                for _ in range(2):
                    before = page.locator("#article-id").text_content()
                    page.keyboard.press("Enter")
                    page.wait_for_function("(b) => document.getElementById('article-id').textContent !== b", arg=before)
                if args.train:
                    page.click("#retrain")
                    page.wait_for_function(
                        "() => document.getElementById('retrain-status').dataset.state === 'done'", timeout=180_000
                    )
                page.keyboard.press("/")
                page.keyboard.type("丹阳")
                page.locator("#suggestions li").first.wait_for()
                args.out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.out))
                browser.close()
        finally:
            proc.kill()
            proc.wait()
    print(f"screenshot -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
