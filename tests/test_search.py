"""journal search: the query language, Korean matching, ranking, snippets, the text index
cache and the command line."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pyarrow as pa
import pytest
from conftest import cli_env, run_cli
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import journal
from journal.errors import JournalError, ValidationError
from journal.model import make_entry
from journal.search import textindex as ti
from journal.search.parse import Condition, parse_query
from journal.search.query import search, search_in
from journal.search.snippets import snippet
from journal.store import SideState
from journal.store import local as store

# Real Korean commentary (particles attached, 재학습/사전학습 compounds, mixed English).
ENTRIES = [
    dict(
        title="Diffusion Distillation Without Retraining",
        date="2024-05-01",
        authors="Minji Kim, Li Dong",
        abstract="We distill a diffusion model into a few-step sampler.",
        commentary="디퓨전 모델을 거의 학습을 다시 하지 않고 증류하는 방법이네요.\n\n재학습 비용이 크게 줄어듭니다.",
        tags="diffusion distillation",
    ),
    dict(
        title="Scaling Laws for Neural Language Models",
        date="2024-04-20",
        authors="Jared Kaplan, Sam McCandlish",
        abstract="We study empirical scaling laws for language model performance. Language model loss scales "
        "as a power law with model size, dataset size and compute.",
        commentary="스케일링 법칙에 대한 고전적인 논문. 사전학습 데이터와 파라미터 수의 관계를 정리했습니다.",
        tags="llm scaling",
    ),
    dict(
        title="Key Value Cache Compression",
        date="2024-05-03",
        authors="Li Dong, Yutao Sun",
        abstract="We compress the key value\ncache of transformers by a factor of four.",
        commentary="KV 캐시를 압축하는 방법은 많지만 이건 학습이 필요 없네요.",
        tags="efficiency",
    ),
    dict(
        title="A Survey of Self-Supervised Learning",
        date="2023-12-01",
        authors="Ana Souza",
        abstract="A survey of contrastive and generative self-supervised methods.",
        commentary="자기지도학습 전반을 정리한 서베이입니다. 대조 학습은 여전히 강력하군요.",
        tags="self_supervised",
    ),
    dict(
        title="Reward Models and Preference Data",
        date="2024-02-11",
        authors="OpenAI",
        abstract="",
        commentary="선호 데이터의 품질이 보상 모델의 성능을 좌우한다는 이야기. RLHF 파이프라인 전체를 다시 "
        "생각해보게 합니다.",
        tags="alignment rlhf Self-Supervised",
    ),
    dict(
        title="Training Diffusion Models Faster",
        date="2024-05-05",
        authors="Hyunwoo Park",
        abstract="Tricks that make diffusion training faster.",
        commentary="학습 속도를 높이는 트릭 모음. 노이즈 스케줄을 바꾸는 것만으로도 효과가 큽니다.",
        tags="diffusion",
    ),
    dict(
        title="Notes on Sampling",
        date="2024-03-02",
        authors="",
        abstract="",
        commentary="샘플링 스텝을 줄이는 여러 방법. diffusion, DIFFUSION, Diffusion: 같은 단어가 여러 번 나옵니다.",
        tags="",
    ),
]


def _add(path, specs):
    j = journal.open(str(path))
    j.add_many([make_entry(**spec) for spec in specs], on_existing="error")
    return j


@pytest.fixture
def j(tmp_path):
    return _add(tmp_path / "entries.parquet", ENTRIES)


def titles(results):
    return [h.title for h in results.hits]


def found(j, query, **options):
    return set(titles(search(j, query, limit=None, **options)))


# --- Korean and case-insensitive matching --------------------------------------------------


def test_korean_word_matches_with_particles_and_inside_compounds(j):
    hits = found(j, "학습")
    # 학습을, 학습이, 학습은 (particles); 재학습, 사전학습, 자기지도학습 (compounds)
    assert hits == {
        "Diffusion Distillation Without Retraining",
        "Scaling Laws for Neural Language Models",
        "Key Value Cache Compression",
        "A Survey of Self-Supervised Learning",
        "Training Diffusion Models Faster",
    }
    assert found(j, "재학습") == {"Diffusion Distillation Without Retraining"}
    assert found(j, "캐시를") == {"Key Value Cache Compression"}


def test_latin_text_is_case_insensitive(j):
    assert found(j, "DIFFUSION") == found(j, "diffusion") == found(j, "DiFfUsIoN")
    assert "Notes on Sampling" in found(j, "diffusion")
    assert found(j, "rlhf") == {"Reward Models and Preference Data"}


def test_authors_are_searched(j):
    assert found(j, "kaplan") == {"Scaling Laws for Neural Language Models"}


def test_all_words_must_match(j):
    assert found(j, "diffusion 재학습") == {"Diffusion Distillation Without Retraining"}
    assert found(j, "diffusion 스케일링") == set()


def test_phrase_matches_words_in_order_across_white_space(j):
    assert found(j, '"key value cache"') == {"Key Value Cache Compression"}  # "key value\ncache"
    assert found(j, '"cache value"') == set()
    assert found(j, '"대조 학습은"') == {"A Survey of Self-Supervised Learning"}


def test_excluded_words_and_phrases(j):
    assert found(j, "diffusion -재학습") == {"Training Diffusion Models Faster", "Notes on Sampling"}
    assert found(j, 'diffusion -"diffusion training"') == {
        "Diffusion Distillation Without Retraining",
        "Notes on Sampling",
    }


def test_only_exclusions_return_the_rest(j):
    assert found(j, "-학습 -diffusion") == {"Reward Models and Preference Data"}


def test_tag_qualifier_ignores_case_and_separators(j):
    assert found(j, "tag:diffusion") == {
        "Diffusion Distillation Without Retraining",
        "Training Diffusion Models Faster",
    }
    assert found(j, "tag:self-supervised") == {
        "A Survey of Self-Supervised Learning",
        "Reward Models and Preference Data",
    }
    assert found(j, "tag:#Diffusion -tag:distillation") == {"Training Diffusion Models Faster"}
    assert found(j, "학습", tag="efficiency") == {"Key Value Cache Compression"}


def test_author_qualifier(j):
    assert found(j, "author:dong") == {
        "Diffusion Distillation Without Retraining",
        "Key Value Cache Compression",
    }
    assert found(j, 'author:"li dong" 캐시') == {"Key Value Cache Compression"}
    assert found(j, "author:openai") == {"Reward Models and Preference Data"}
    assert "Reward Models and Preference Data" not in found(j, "-author:openai 데이터")


def test_date_range(j):
    assert found(j, "학습", start="2024-05-01") == {
        "Diffusion Distillation Without Retraining",
        "Key Value Cache Compression",
        "Training Diffusion Models Faster",
    }
    assert found(j, "학습", end="2024-01-01") == {"A Survey of Self-Supervised Learning"}


# --- ranking and snippets ----------------------------------------------------------------


def test_title_matches_rank_first(j):
    ranked = titles(search(j, "diffusion"))
    assert set(ranked[:2]) == {
        "Diffusion Distillation Without Retraining",
        "Training Diffusion Models Faster",
    }
    assert ranked[2] == "Notes on Sampling"  # three times in the commentary, but not in the title


def test_more_and_rarer_matches_rank_higher(tmp_path):
    filler = [dict(title=f"Filler {i}", date="2024-01-01", commentary="model") for i in range(6)]
    j = _add(
        tmp_path / "j.parquet",
        [
            *filler,
            dict(title="Rare twice", date="2024-01-02", commentary="zeta zeta model"),
            dict(title="Common twice", date="2024-01-03", commentary="zeta model model"),
            dict(title="Once", date="2024-01-04", commentary="zeta model"),
        ],
    )
    assert titles(search(j, "zeta model")) == ["Rare twice", "Common twice", "Once"]
    # one word: more occurrences first, then (a tie) the more recent
    assert titles(search(j, "zeta")) == ["Rare twice", "Once", "Common twice"]


def test_ties_go_to_the_most_recent(tmp_path):
    j = _add(
        tmp_path / "j.parquet",
        [
            dict(title=f"Day {d}", date=f"2024-01-{d:02d}", commentary="같은 내용의 학습 노트")
            for d in (3, 1, 2)
        ],
    )
    assert titles(search(j, "학습")) == ["Day 3", "Day 2", "Day 1"]


def test_scores_decrease_and_limit_keeps_the_best(j):
    results = search(j, "학습", limit=3)
    assert results.total == 5 and len(results.hits) == 3
    scores = [h.score for h in search(j, "학습", limit=None).hits]
    assert scores == sorted(scores, reverse=True)
    assert [h.id for h in results.hits] == [h.id for h in search(j, "학습", limit=None).hits[:3]]


def test_snippet_shows_the_match_with_context(j):
    hit = next(h for h in search(j, "재학습").hits)
    assert "재학습" in hit.snippet
    hit = next(h for h in search(j, "power").hits)  # only in the abstract
    assert "power law" in hit.snippet


def test_snippet_is_cut_at_words_with_ellipses():
    body = " ".join(f"단어{i}" for i in range(100)) + " 목표어 " + " ".join(f"word{i}" for i in range(100))
    text = ti.SEP.join(["Title", "", "", body])
    cut = snippet(text, [Condition("text", ("목표어",))], width=80)
    assert "목표어" in cut and cut.startswith("…") and cut.endswith("…")
    assert len(cut) <= 82
    assert all(part in body for part in cut.strip("…").split())


def test_snippet_without_a_body_match_starts_the_commentary():
    text = ti.SEP.join(["Zeta title", "", "an abstract", "the commentary"])
    assert snippet(text, [Condition("text", ("zeta",))]) == "the commentary"


# --- the query language --------------------------------------------------------------------


def test_parse_query():
    q = parse_query('학습 "key value" -노이즈 -"a b" tag:Self_Supervised -tag:x author:"Li  Dong" arxiv:2405')
    assert [str(c) for c in q.conditions] == [
        "학습",
        '"key value"',
        "-노이즈",
        '-"a b"',
        "tag:selfsupervised",
        "-tag:x",
        'author:"Li Dong"',
        "arxiv:2405",
    ]


def test_unclosed_quote_runs_to_the_end():
    assert [c.words for c in parse_query('diffusion "key value').conditions] == [
        ("diffusion",),
        ("key", "value"),
    ]


@pytest.mark.parametrize("query", ["", "   ", '""', '-""'])
def test_empty_query_is_a_clear_error(j, query):
    with pytest.raises(ValidationError, match="empty"):
        search(j, query)


def test_a_lone_dash_is_a_word(j):
    assert parse_query("a - b").conditions[1] == Condition("text", ("-",))
    with_dash = {
        e["title"]
        for e in ENTRIES
        if any("-" in e[f] for f in ("title", "authors", "abstract", "commentary"))
    }
    assert (
        found(j, "-")
        == with_dash
        == {"Diffusion Distillation Without Retraining", "A Survey of Self-Supervised Learning"}
    )


@pytest.mark.parametrize("query", ["tag:", "tag:#", 'author:""', "-author:"])
def test_qualifier_without_value_is_a_clear_error(j, query):
    with pytest.raises(ValidationError, match="after the colon"):
        search(j, query)


def test_unpaired_surrogate_is_a_clear_error(j):
    with pytest.raises(ValidationError, match="not valid text"):
        search(j, "abc\udcff")


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parser_raises_only_journal_errors(text):
    try:
        query = parse_query(text)
    except JournalError:
        return
    for c in query.conditions:
        assert c.words and all(w and not any(ch.isspace() for ch in w) for w in c.words)


@pytest.fixture(scope="module")
def small_index():
    return _index(ENTRIES)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=30))
def test_search_raises_only_journal_errors(small_index, text):
    try:
        search_in(small_index, text, limit=5)
    except JournalError:
        pass


# --- every entry containing a term is found (the correctness contract) ---------------------


def _index(specs):
    from journal.store.schema import SCHEMA, empty_table, encode, merge, rows_to_table

    entries = [make_entry(**spec) for spec in specs]
    stamped = [
        e.replace(created_at=journal.model.utc_now(), updated_at=journal.model.utc_now()) for e in entries
    ]
    table = merge(empty_table(SCHEMA), rows_to_table(b"".join(encode(e) for e in stamped)))
    return ti.build(table)


# Hangul, Latin (with letters whose case folding is special), digits, punctuation.
ALPHABET = "가각간학습재모델을는의 abcxyzABCXYZßẞΣσςKkµΜÅåǅǆ0129.-_:#\"'()[]\n"
fields = st.text(alphabet=ALPHABET, max_size=40)
entry_specs = st.lists(
    st.fixed_dictionaries(
        {
            "title": st.text(alphabet=ALPHABET, min_size=1, max_size=20).filter(str.strip),
            "authors": st.lists(st.text(alphabet="abcABC가나 ", min_size=1, max_size=8), max_size=3),
            "abstract": fields,
            "commentary": fields,
        }
    ),
    min_size=1,
    max_size=8,
)


def _contains(spec_entry, term):
    texts = [spec_entry.title, ", ".join(spec_entry.authors), spec_entry.abstract, spec_entry.commentary]
    return any(re.search(re.escape(term), t, re.IGNORECASE) for t in texts)


def _searchable(term):
    return (
        term
        and not any(c.isspace() for c in term)
        and term[0] not in '-"'
        and not re.match(r"(?i)(tags?|authors?):", term)
    )


@settings(max_examples=150, deadline=None)
@given(entry_specs, st.data())
def test_every_entry_containing_a_term_is_found(specs, data):
    for i, spec in enumerate(specs):
        spec["date"] = f"2024-01-{i + 1:02d}"
    entries = [make_entry(**spec) for spec in specs]
    assume(all(len(e.title) for e in entries))
    # a term cut from some field of some entry, possibly in another case
    source = data.draw(st.sampled_from(entries))
    text = data.draw(
        st.sampled_from([source.title, source.abstract, source.commentary, ", ".join(source.authors)])
    )
    assume(text)
    start = data.draw(st.integers(0, len(text) - 1))
    term = text[start : data.draw(st.integers(start + 1, min(len(text), start + 6)))]
    if data.draw(st.booleans()):
        term = term.swapcase()
    assume(_searchable(term))
    index = _index(specs)
    ids = {h.id for h in search_in(index, term, limit=None).hits}
    assert ids == {e.id for e in entries if _contains(e, term)}


@settings(max_examples=60, deadline=None)
@given(
    entry_specs,
    st.lists(st.sampled_from(["가", "학습", "a", "X", "ß", "σ", "1", "."]), min_size=1, max_size=3),
)
def test_several_terms_find_the_entries_containing_all(specs, terms):
    for i, spec in enumerate(specs):
        spec["date"] = f"2024-01-{i + 1:02d}"
    entries = [make_entry(**spec) for spec in specs]
    ids = {h.id for h in search_in(_index(specs), " ".join(terms), limit=None).hits}
    assert ids == {e.id for e in entries if all(_contains(e, t) for t in terms)}


def test_multi_chunk_index_finds_the_same():
    half = len(ENTRIES) // 2
    one = _index(ENTRIES)
    two = pa.concat_tables([_index(ENTRIES[:half]), _index(ENTRIES[half:])])
    assert two["text"].num_chunks == 2
    for query in ["학습", "diffusion", '"key value"', "학습 -재학습", "tag:diffusion", "author:dong"]:
        a = search_in(one, query, limit=None).hits
        b = search_in(two, query, limit=None).hits
        assert [(h.id, h.score, h.snippet) for h in a] == [(h.id, h.score, h.snippet) for h in b]


@settings(deadline=None)  # the first example imports the Arrow kernels (~0.7 s when run alone)
@given(st.lists(st.integers(0, 9), min_size=1, max_size=5), st.data())
def test_take_across_chunks(sizes, data):
    values = [f"v{i}" for i in range(sum(sizes))]
    assume(values)
    chunks, at = [], 0
    for size in sizes:
        chunks.append(pa.array(values[at : at + size], pa.string()))
        at += size
    column = pa.chunked_array(chunks, pa.string())
    positions = data.draw(st.lists(st.integers(0, len(values) - 1), max_size=12))
    import numpy as np

    taken = ti.take(column, np.array(positions, dtype=np.int64))
    assert ti.strings(taken) == [values[p] for p in positions]


# --- the text index cache --------------------------------------------------------------


@pytest.fixture
def cached(tmp_path, monkeypatch):
    monkeypatch.setattr(ti, "DISK_MIN_ROWS", 1)
    return _add(tmp_path / "entries.parquet", ENTRIES)


def test_big_journals_keep_the_index_beside_them(cached):
    search(cached, "학습")
    path = cached.side_path(SideState.SEARCH_INDEX)
    assert path.exists()
    fresh = journal.open(str(cached.path))
    calls = []
    original = ti.build
    try:
        ti.build = lambda table: calls.append(1) or original(table)
        assert found(fresh, "재학습") == {"Diffusion Distillation Without Retraining"}
    finally:
        ti.build = original
    assert calls == []  # read from the cache, not rebuilt


def test_a_stale_or_damaged_cache_is_rebuilt(cached):
    search(cached, "학습")
    path = cached.side_path(SideState.SEARCH_INDEX)
    cached.add(
        title="Another Note", date="2024-06-01", commentary="새로운 학습 기록"
    )  # compacts: new snapshot
    assert "Another Note" in found(journal.open(str(cached.path)), "학습")
    path.write_bytes(b"not arrow at all")
    assert "Another Note" in found(journal.open(str(cached.path)), "학습")
    assert pa.ipc.open_file(pa.memory_map(str(path))).read_all().num_rows == len(ENTRIES) + 1


def test_pending_changes_apply_on_top_of_the_cache(cached, monkeypatch):
    search(cached, "학습")
    monkeypatch.setattr(store, "SMALL_JOURNAL_ROWS", 0)  # writes leave change files
    j = journal.open(str(cached.path))
    added = j.add(title="Pending Entry", date="2024-06-02", commentary="대기 중인 학습 변경")
    target = next(e for e in j.entries() if e.title == "Key Value Cache Compression")
    j.update(target.id, commentary="이제 이 항목에는 그 단어가 없습니다")
    gone = next(e for e in j.entries() if e.title == "Training Diffusion Models Faster")
    j.delete(gone.id)
    assert j.pending_changes() == 3
    hits = found(journal.open(str(cached.path)), "학습")
    assert "Pending Entry" in hits
    assert "Key Value Cache Compression" not in hits
    assert "Training Diffusion Models Faster" not in hits
    assert found(j, "대기") == {added.title}


def test_small_journals_write_no_cache(j):
    search(j, "학습")
    assert not j.side_path(SideState.SEARCH_INDEX).exists()


def test_empty_and_missing_journals(tmp_path):
    j = journal.open(str(tmp_path / "none.parquet"))
    assert search(j, "학습").hits == []
    assert not (tmp_path / "none.parquet").exists()


def test_journal_search_returns_a_dataframe(j):
    df = j.search("학습", limit=2)
    assert list(df.columns) == ["id", "date", "title", "score", "snippet", "tags"]
    assert len(df) == 2 and df["score"].is_monotonic_decreasing


# --- the command line ----------------------------------------------------------------------


def test_cli_search_prints_hits_and_counts(j, cli):
    code, out, err = cli("search", "학습", "--journal", str(j.path), "--limit", "2")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 4 and lines[1].startswith("    ")
    assert "5 matches (showing 2" in err


def test_cli_exclusion_needs_no_quotes(j, cli):
    code, out, _ = cli("search", "diffusion", "-재학습", "--json", "--journal", str(j.path))
    assert code == 0
    assert {json.loads(line)["title"] for line in out.splitlines()} == {
        "Training Diffusion Models Faster",
        "Notes on Sampling",
    }


def test_cli_json_lines(j, cli):
    code, out, _ = cli("search", "캐시", "--json", "--journal", str(j.path))
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [sorted(r) for r in rows] == [["date", "id", "score", "snippet", "title"]]
    assert rows[0]["title"] == "Key Value Cache Compression" and rows[0]["date"] == "2024-05-03"
    assert "캐시를" in rows[0]["snippet"]


def test_cli_filters(j, cli):
    _, out, _ = cli(
        "search", "학습", "--tag", "diffusion", "--from", "2024-05-02", "--json", "--journal", str(j.path)
    )
    assert [json.loads(line)["title"] for line in out.splitlines()] == ["Training Diffusion Models Faster"]


def test_cli_no_match_and_errors(j, cli):
    assert cli("search", "없는단어", "--journal", str(j.path)) == (0, "", "no matches\n")
    code, out, err = cli("search", "--journal", str(j.path))
    assert code == 1 and out == "" and "empty" in err
    code, _, err = cli("search", "x", "--from", "yesterday-ish", "--journal", str(j.path))
    assert code == 1 and err.startswith("journal: error: --from:")


def test_cli_mistyped_option_is_not_a_search_word(j, capsys):
    from journal.cli import main

    with pytest.raises(SystemExit):
        main(["search", "x", "--lmit", "3", "--journal", str(j.path)])
    assert "unrecognized arguments: --lmit" in capsys.readouterr().err


def test_cli_help_describes_the_query_language(cli, capsys):
    from journal.cli import main

    with pytest.raises(SystemExit):
        main(["search", "--help"])
    out = capsys.readouterr().out
    for word in ["phrase", "-word", "tag:", "author:", "--json", "--limit", "--from", "--to", "--tag"]:
        assert word in out


def test_cli_search_in_a_real_process_without_pandas(j):
    script = (
        "import sys; from journal.cli import main; code = main(sys.argv[1:]); "
        "print('pandas' in sys.modules, file=sys.stderr); sys.exit(code)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, "search", "재학습", "--json", "--journal", str(j.path)],
        capture_output=True,
        text=True,
        env=cli_env(),
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["title"] == "Diffusion Distillation Without Retraining"
    assert proc.stderr.strip() == "False"


def test_cli_subprocess_korean_argv(j):
    proc = run_cli("search", "학습을", "--json", journal=j.path)
    assert proc.returncode == 0
    assert [json.loads(line)["title"] for line in proc.stdout.splitlines()] == [
        "Diffusion Distillation Without Retraining"
    ]


def test_terminal_lines_keep_the_first_match_in_view():
    from journal.search.query import Hit, Results, hits_text
    from journal.text.termtable import width

    long = "앞부분 " * 40 + "목표어 뒤에 오는 문장"
    hit = Hit("abc123", __import__("datetime").date(2024, 5, 9), "제목", 1.0, long)
    results = Results([hit], 1, parse_query("목표어"))
    title, line = hits_text(results, width=60).splitlines()
    assert title.startswith("abc123  2024-05-09  제목")
    assert "목표어" in line and line.startswith("    …") and width(line) <= 60
    colored = hits_text(results, width=60, color=True).splitlines()[1]
    assert "\x1b[1m목표어\x1b[0m" in colored


# --- phrases across punctuation ------------------------------------------------------------

PUNCTUATED = [
    dict(title="Linear-Time Sequence Modeling", date="2024-06-01", authors="Albert Gu, Tri Dao"),
    dict(title="Attention", date="2024-06-02", commentary="It runs in linear, time-bounded steps."),
    dict(title="Runs in linear", date="2024-06-03", authors="Time Lord", commentary="separate fields"),
    dict(title="Lineartime", date="2024-06-04", commentary="lineartime has no gap"),
    dict(title="학습", date="2024-06-05", commentary="재학습, 방법을 바꾸면 (학습·방법) 달라집니다."),
]


@pytest.fixture
def punctuated(tmp_path):
    return _add(tmp_path / "entries.parquet", PUNCTUATED)


def test_phrase_matches_words_across_punctuation(punctuated):
    both = {"Linear-Time Sequence Modeling", "Attention"}
    assert found(punctuated, '"linear time"') == both
    assert found(punctuated, '"Linear, Time"') == both  # punctuation typed between words is a gap too
    assert found(punctuated, '"linear - time"') == both
    assert found(punctuated, '"time linear"') == set()
    assert found(punctuated, "linear-time") == {"Linear-Time Sequence Modeling"}  # one word: as typed
    assert found(punctuated, '"학습 방법"') == {"학습"}  # Korean words still match inside longer ones
    assert found(punctuated, 'author:"gu tri"') == set()  # never from one author to the next
    assert found(punctuated, 'author:"albert gu"') == {"Linear-Time Sequence Modeling"}
    (attention,) = [h for h in search(punctuated, '"linear time"').hits if h.title == "Attention"]
    assert "linear, time" in attention.snippet


def test_a_phrase_never_spans_two_fields(punctuated):
    # "Runs in linear" + authors "Time Lord": the fields are joined by a separator in the index
    assert "Runs in linear" not in found(punctuated, '"linear time"')
    assert found(punctuated, '"in linear"') == {"Runs in linear", "Attention"}


GAP_CHARS = " \n\t.,;:!?-–—_/()[]{}'`*&%·…、。「」"
WORD_CHARS = "abcxyzABCXYZ0129가각학습모델ßΣσ"


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.text(alphabet=WORD_CHARS, min_size=1, max_size=6), min_size=2, max_size=5),
    st.data(),
)
def test_a_phrase_matches_its_words_joined_by_any_punctuation(words, data):
    gaps = [data.draw(st.text(alphabet=GAP_CHARS, min_size=1, max_size=4)) for _ in words[1:]]
    joined = words[0] + "".join(g + w for g, w in zip(gaps, words[1:], strict=True))
    before = data.draw(st.text(alphabet=WORD_CHARS + GAP_CHARS, max_size=8))
    after = data.draw(st.text(alphabet=WORD_CHARS + GAP_CHARS, max_size=8))
    # another case (simple case folding: a letter for a letter, so not ß -> SS)
    typed = ["".join(c.swapcase() if len(c.swapcase()) == 1 else c for c in w) for w in words]
    typed = [t if data.draw(st.booleans()) else w for t, w in zip(typed, words, strict=True)]
    index = _index(
        [
            dict(title="x", date="2024-01-01", commentary=before + joined + after),
            dict(title="y", date="2024-01-02", commentary=" ".join(reversed(words)) + "없음"),
        ]
    )
    query = '"' + " ".join(typed) + '"'
    results = search_in(index, query, limit=None)
    assert "x" in titles(results)
    (hit,) = [h for h in results.hits if h.title == "x"]
    assert re.search(r"[\W_]+".join(map(re.escape, words)), hit.snippet, re.IGNORECASE)
