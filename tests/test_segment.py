"""Segmenter: domain terms whole, stopwords / punctuation / numbers handled, one private tokenizer."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import jieba
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier import segment
from classifier.errors import InputError
from classifier.normalize import normalize
from classifier.segment import (
    NUM_TOKEN,
    cut,
    domain_terms,
    get_tokenizer,
    stopwords,
    tokenize,
    tokenize_lead,
)


@pytest.mark.parametrize(
    "sentence, terms",
    [
        ("省政府召开义务教育优质均衡督导评估反馈会。", ["优质均衡", "督导评估", "反馈会"]),
        ("教育部有关负责人就学前教育普及普惠答记者问", ["学前教育普及普惠", "答记者问"]),
        ("督导组开展实地督导并出席自评汇报会", ["督导组", "实地督导", "自评汇报会"]),
        ("全县通过基本均衡评估认定后召开推进会和座谈会", ["基本均衡", "评估认定", "推进会", "座谈会"]),
        ("市里举行新闻发布会和现场会以及研讨会", ["新闻发布会", "现场会", "研讨会"]),
    ],
)
def test_domain_terms_stay_whole_in_sentences(sentence: str, terms: list[str]) -> None:
    tokens = tokenize(sentence)
    for term in terms:
        assert term in tokens, (term, tokens)


def test_every_dictionary_term_is_one_token() -> None:
    split = [t for t in domain_terms() if t not in stopwords() and tokenize(t) != [t.lower()]]
    assert not split, f"domain terms cut apart: {split[:10]}"


def test_dictionary_has_a_sensible_size_and_no_duplicates() -> None:
    terms = domain_terms()
    assert 100 <= len(terms) <= 400
    assert len(set(terms)) == len(terms)


def test_stopwords_punctuation_and_space_are_dropped() -> None:
    tokens = tokenize("我们的学校 和  他们的学校,都是“好学校”!!\n\t")
    assert not {"的", "我们", "他们", "和", "都", "是"} & set(tokens)
    assert all(any(ch.isalnum() for ch in t) for t in tokens)
    assert "学校" in tokens


def test_numbers_become_a_placeholder() -> None:
    tokens = tokenize("2019年共有148个县,占比达到95.5%。")
    assert not [t for t in tokens if t != NUM_TOKEN and any(ch.isdigit() for ch in t)]
    assert tokens.count(NUM_TOKEN) >= 3


def test_latin_is_lowercased() -> None:
    assert "pisa" in tokenize("PISA测试")


def test_empty_text_gives_no_tokens() -> None:
    assert tokenize("") == []
    assert tokenize(" ,。\n") == []


def test_non_str_input_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="str"):
        tokenize(b"bytes")  # type: ignore[arg-type]


def test_tokenize_lead_counts_the_tokens_that_start_in_the_lead() -> None:
    text = "座谈会召开。" + "学校" * 50
    tokens, n_lead = tokenize_lead(text, 6)
    assert tokens == tokenize(text)
    assert tokens[:n_lead] == ["座谈会", "召开"]
    assert tokenize_lead(text, 0)[1] == 0
    assert tokenize_lead(text, 10_000)[1] == len(tokens)


def test_the_dictionary_loads_once_and_is_reused() -> None:
    cut("学校")
    assert segment.dictionary() is segment.dictionary()
    assert segment.init_seconds is not None
    assert get_tokenizer() is get_tokenizer()


def test_concurrent_first_use_loads_one_dictionary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(segment, "_DICTIONARY", None)
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(segment.dictionary())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 4 and all(g is got[0] for g in got)


def test_concurrent_first_use_builds_one_tokenizer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(segment, "_TOKENIZER", None)
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(get_tokenizer())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 4 and all(g is got[0] for g in got)


def test_dictionary_cache_is_written_for_the_next_process() -> None:
    cut("学校")
    assert segment._cache_path().is_file()


def test_the_cached_dictionary_is_the_built_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "dict.cache"
    monkeypatch.setattr(segment, "_cache_path", lambda: path)
    monkeypatch.setattr(segment, "_DICTIONARY", None)
    built = segment.dictionary()  # no cache yet: built from jieba's, then written
    assert path.is_file()
    monkeypatch.setattr(segment, "_DICTIONARY", None)
    assert segment.dictionary() == built


@pytest.mark.parametrize("content", [b"", b"not marshal", b"\xe9\x00\x00\x00\x00"])
def test_a_damaged_cache_is_rebuilt_not_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    path = tmp_path / "dict.cache"
    path.write_bytes(content)
    monkeypatch.setattr(segment, "_cache_path", lambda: path)
    monkeypatch.setattr(segment, "_DICTIONARY", None)
    logp, unknown = segment.dictionary()
    assert logp["学校"] is not None and unknown < 0
    assert cut("义务教育优质均衡") == _jieba_cut("义务教育优质均衡")


def test_the_global_jieba_is_left_untouched() -> None:
    get_tokenizer()
    assert get_tokenizer() is not jieba.dt
    assert "学前教育普及普惠" not in jieba.dt.FREQ


def _jieba_cut(text: str) -> list[str]:
    return get_tokenizer().lcut(text, HMM=False)


def test_cut_gives_jiebas_pieces_on_every_corpus_article(corpus_path: Path) -> None:
    with open(corpus_path, encoding="utf-8") as fh:
        raw = [json.loads(line)["text"] for line in fh if line.strip()]
    for text in raw + [normalize(t) for t in raw]:
        assert cut(text) == _jieba_cut(text)


# Dictionary words and their pieces, Latin letters, digits, jieba's block symbols, space and
# punctuation: the places where the word graph, the ties and the block rules matter.
_ALPHABET = st.sampled_from(
    list("义务教育优质均衡发展督导评估反馈会座谈省市县区中华人民共和国学校")
    + list("abcXYZ0189+#&._%-é０１Ⅱ，。、 \t\r\n")
    + ["\r\n"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_cut_gives_jiebas_pieces_on_arbitrary_text(text: str) -> None:
    assert cut(text) == _jieba_cut(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_cut_pieces_put_back_together_are_the_text(text: str) -> None:
    pieces = cut(text)
    assert "".join(pieces) == text
    assert pieces == _jieba_cut(text)
