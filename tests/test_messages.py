"""CSV formula escaping, CJK plot labels, robustness drops, messages that say what to do, README set-up."""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import pytest

from classifier.errors import InputError, ModelError
from classifier.io import iter_records, read_output, write_csv

ROOT = Path(__file__).resolve().parents[1]


# ----------------------------------------------------------------------------- 19: CSV injection


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_escaped_and_read_back(tmp_path):
    values = ["=1+2", "+cmd", "-5", "@SUM(A1)", "\tTAB", "\rCR", "'quoted", "plain", "数=1"]
    recs = [{"id": v, "note": v} for v in values]
    out = tmp_path / "out.csv"
    write_csv(recs, out, ["id", "note"], [])
    with open(out, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))[1:]
    for value, row in zip(values, rows):
        dangerous = value[0] in "=+-@\t\r'"
        assert row == ([f"'{value}"] * 2 if dangerous else [value] * 2)
    assert [r["note"] for r in read_output(out)] == values


# ----------------------------------------------------------------------------- 21: plots


def test_plots_draw_chinese_region_names_with_the_shipped_font():
    pytest.importorskip("matplotlib")
    from classifier.evaluation import _plots

    assert _plots.cjk_font() == "Noto Sans CJK SC"
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font.*")
        fig = _plots.plot_region_counts({"region_counts": {"江苏省": 3, "全国": 2, "内蒙古自治区": 1}})
        fig.savefig(Path("/dev/null"), format="png")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["江苏省", "全国", "内蒙古自治区"]


def test_the_shipped_font_has_every_character_of_every_division_name():
    import csv
    from importlib import resources

    from fontTools.ttLib import TTFont

    data = resources.files("classifier") / "data"
    cmap = TTFont(str(data / "fonts" / "NotoSansCJKsc-subset.otf")).getBestCmap()
    with (data / "divisions.tsv").open(encoding="utf-8") as f:
        names = [row["name"] for row in csv.DictReader(f, delimiter="\t")]
    missing = {ch for name in names for ch in name if ord(ch) not in cmap}
    assert len(names) > 4000 and not missing


def test_robustness_plot_shows_the_drop_from_clean_text():
    pytest.importorskip("matplotlib")
    from classifier.evaluation._plots import plot_robustness

    rob = {
        "clean": {"topic_macro_f1": 0.9, "region_accuracy": 0.8},
        "perturbations": {
            "pinyin": {"topic_macro_f1": 0.85, "region_accuracy": 0.8},
            "first_300_chars": {"topic_macro_f1": 0.5, "region_accuracy": 0.7},
        },
    }
    ax = plot_robustness(rob).axes[0]
    heights = sorted(round(p.get_height(), 6) for p in ax.patches)
    assert heights == sorted([-0.05, -0.4, 0.0, -0.1])


# ----------------------------------------------------------------------------- 22: messages say what to do


@pytest.mark.parametrize(
    ("name", "data", "hint"),
    [
        ("report.docx", b"PK\x03\x04" + b"\x00" * 40, "pandoc"),
        ("scan.pdf", b"%PDF-1.7\n" + b"\x00" * 40, "pdftotext"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, "CSV"),
        ("notes.odt", b"PK\x03\x04" + b"\x00" * 40, "pandoc"),
    ],
)
def test_a_document_input_says_how_to_get_its_text(tmp_path, name, data, hint):
    (tmp_path / name).write_bytes(data)
    (rec,) = iter_records([tmp_path / name])
    assert hint in rec["error"]


def test_a_csv_without_the_text_column_suggests_text_column_with_the_columns_found(tmp_path):
    (tmp_path / "dump.csv").write_text("id,title,content\n1,标题,正文内容\n", encoding="utf-8")
    (rec,) = iter_records([tmp_path / "dump.csv"])
    assert "--text-column content" in rec["error"] and "id, title, content" in rec["error"]


def test_a_missing_sidecar_says_what_to_do_without_a_loaded_model(tmp_path):
    from classifier.model import load_artifact, save_artifact

    path = save_artifact({"x": 1}, tmp_path / "m.joblib", {})
    (tmp_path / "m.joblib.sha256").unlink()
    with pytest.raises(ModelError) as err:
        load_artifact(path, trusted=True)
    assert "classifier.save()" not in str(err.value)
    assert "sha256sum" in str(err.value) and "classifier convert" in str(err.value)


@pytest.mark.parametrize(("given", "meant"), [("江苏", "江苏省"), ("江苏身", "江苏省"), ("广西", "广西壮族自治区")])
def test_an_unknown_region_gets_a_did_you_mean(given, meant):
    from classifier.labels import check_label

    with pytest.raises(InputError, match=f"did you mean '{meant}'"):
        check_label({"topic": "symposium", "region": given}, "row 3")


# ----------------------------------------------------------------------------- 23: README


def test_readme_gives_the_venv_advice_before_the_set_up_commands_and_explains_shared():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.index("python3 -m venv") < readme.index("pip install . &&")
    assert "../shared" in readme and "Without it" in readme
