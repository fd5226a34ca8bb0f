"""Tests for glipca.tokens: English, Japanese and Chinese tokenisers."""

import importlib.util
import json
import pickle
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glipca.tokens import (
    ChineseTokenizer,
    EnglishTokenizer,
    JapaneseTokenizer,
    detect_language,
    english_stop_words,
    make_tokenizer,
)

HAS_MECAB = all(importlib.util.find_spec(m) is not None for m in ("MeCab", "unidic_lite"))
needs_mecab = pytest.mark.skipif(not HAS_MECAB, reason="mecab-python3 and unidic-lite are not installed")
HAS_JIEBA = importlib.util.find_spec("jieba") is not None
needs_jieba = pytest.mark.skipif(not HAS_JIEBA, reason="jieba is not installed")


# -- English ------------------------------------------------------------------


def test_english_basic():
    tok = EnglishTokenizer()
    assert tok("The Cat sat on THE mat") == ["cat", "sat", "mat"]
    assert tok("") == []


def test_english_removes_urls_mentions_emails_numbers():
    tok = EnglishTokenizer()
    text = (
        "RT @bob: Prices up 12% to $114.97 in 2020 https://t.co/Gr76pcrLWh "
        "www.example.com pic.twitter.com/abc mail me at jane.doe@example.org"
    )
    assert tok(text) == ["prices", "mail"]


def test_english_hashtags_apostrophes_hyphens():
    tok = EnglishTokenizer()
    assert tok("#BlackLivesMatter #COVID19 #2020") == ["blacklivesmatter", "covid19"]
    assert tok("Trump\u2019s wall isn't done, don't") == ["trump", "wall"]
    assert tok("covid-19 self-isolation 'quoted'") == ["covid-19", "self-isolation", "quoted"]
    assert EnglishTokenizer(split_hyphens=True)("self-isolation") == ["self", "isolation"]


def test_english_html_entities_and_casefold():
    assert EnglishTokenizer()("Stocks &amp; BONDS &gt; Straße") == ["stocks", "bonds", "strasse"]


def test_english_options():
    assert EnglishTokenizer(min_length=4)("flu and fever") == ["fever"]
    assert EnglishTokenizer(extra_stop_words=["Coronavirus"])("coronavirus lockdown") == ["lockdown"]
    assert EnglishTokenizer(stop_words=())("the end") == ["the", "end"]
    assert EnglishTokenizer(stop_words=["end"])("the end") == ["the"]


def test_other_scripts_keep_whole_words():
    tok = EnglishTokenizer(lang="hi")
    assert tok("हिन्दी भाषा") == ["हिन्दी", "भाषा"]  # vowel signs do not split words
    assert EnglishTokenizer(lang="ru")("Москва и Россия") == ["москва", "россия"]


def test_english_stop_list_is_function_words():
    stop = english_stop_words()
    assert {"the", "and", "don't", "rt", "amp"} <= stop
    assert not {"fire", "bill", "system", "trump", "virus"} & stop


def test_params_are_json_and_change_with_options():
    a = EnglishTokenizer().params()
    b = EnglishTokenizer(extra_stop_words=["covid"]).params()
    json.dumps(a)
    assert a["lang"] == "en" and a != b
    assert a == EnglishTokenizer().params()


def test_english_pickles():
    tok = EnglishTokenizer(extra_stop_words=["x1"])
    again = pickle.loads(pickle.dumps(tok))
    assert again("x1 hello") == ["hello"]


# -- factory and detection ------------------------------------------------------


def test_make_tokenizer():
    en = make_tokenizer("en")
    assert isinstance(en, EnglishTokenizer) and en.lang == "en" and "the" in en.stop_words
    de = make_tokenizer("de-AT")
    assert isinstance(de, EnglishTokenizer) and de.lang == "de" and not de.stop_words
    assert make_tokenizer("de", stop_words=["und"])("Haus und Hof") == ["haus", "hof"]
    with pytest.raises(ValueError, match="without spaces"):
        make_tokenizer("th")
    for bad in ("xx", "english!", "eng"):
        with pytest.raises(ValueError, match=r"unknown language .*supported: auto, en, ja, zh, or the ISO 639-1"):
            make_tokenizer(bad)
    with pytest.raises(ValueError, match="Japanese"):
        make_tokenizer("zh", mecab_args="-u x.dic")


@needs_jieba
def test_make_tokenizer_zh():
    tok = make_tokenizer("zh-CN", mecab_args="")
    assert isinstance(tok, ChineseTokenizer) and tok.lang == "zh"


def test_make_tokenizer_ignores_compounds_outside_japanese():
    # One set of options serves lang="auto", whatever it finds.
    assert make_tokenizer("en", compounds=False).params() == make_tokenizer("en").params()


@needs_mecab
def test_make_tokenizer_ja():
    tok = make_tokenizer("ja")
    assert isinstance(tok, JapaneseTokenizer) and tok.lang == "ja"


def test_detect_language():
    assert detect_language(["東京で地震が発生しました https://t.co/abcdefghij"] * 3) == "ja"
    assert detect_language(["An earthquake hit Tokyo", "東京"]) == "en"
    assert detect_language([]) == "en"
    assert detect_language(iter(["ニュース"] * 5000)) == "ja"  # samples a prefix


def test_detect_language_tells_chinese_from_japanese():
    zh = "武汉新增确诊病例，医院收治患者。我们一起加油！"
    assert detect_language([zh] * 3) == "zh"
    assert detect_language(["【快讯】国务院联防联控机制发布会 https://t.co/x @央视新闻"]) == "zh"
    # Kanji-heavy Japanese still has kana; a stray の in Chinese is not Japanese.
    assert detect_language(["政府は緊急事態宣言を発令した"]) == "ja"
    assert detect_language([zh + "の" ] * 3) == "zh"
    assert detect_language([zh, "東京で地震が発生しました。" * 3]) == "ja"


def test_default_zone_per_language():
    from glipca.counting.options import default_tz

    assert default_tz("zh") == default_tz("zh-TW") == "Asia/Shanghai"
    assert default_tz("ja") == "Asia/Tokyo" and default_tz("en") == default_tz("de") == "UTC"


# -- Japanese -----------------------------------------------------------------


@pytest.fixture(scope="module")
def ja():
    if not HAS_MECAB:
        pytest.skip("mecab-python3 and unidic-lite are not installed")
    return JapaneseTokenizer()


@needs_mecab
def test_japanese_nouns(ja):
    assert ja("東京で地震が発生しました") == ["東京", "地震", "発生"]
    assert ja("政府は緊急事態宣言を発令した") == ["政府", "緊急事態宣言", "発令"]
    short = JapaneseTokenizer(compounds=False)
    assert short("政府は緊急事態宣言を発令した") == ["政府", "緊急", "事態", "宣言", "発令"]


@needs_mecab
def test_japanese_compounds_keep_names_whole(ja):
    assert ja("ソフトバンクのWi-Fiが繋がらない") == ["ソフトバンク", "wi-fi"]
    assert ja("コウメ太夫のチクショー") == ["コウメ太夫", "チクショー"]
    assert ja("ＣＯＶＩＤ－１９の感染者が増加") == ["covid-19", "感染者", "増加"]
    assert ja("コロナ禍で安倍首相が会見") == ["コロナ禍", "安倍首相", "会見"]
    # White space, numerals, counters and particles end a compound.
    assert ja("ソフトバンク 孫社長") == ["ソフトバンク", "孫社長"]
    assert ja("東京5人、大阪10件") == ["東京", "大阪"]
    short = JapaneseTokenizer(compounds=False)
    assert short("ソフトバンクのWi-Fi") == ["ソフト", "バンク", "wi", "fi"]
    assert short("コウメ太夫") == ["コウ", "太夫"]


@needs_mecab
def test_japanese_compounds_do_not_span_long_text_pieces(ja):
    # Texts over 8192 characters are parsed in pieces cut at white space.
    text = ("東京" + "あ" * 99 + " ") * 90 + "大阪"
    words = ja(text)
    assert words.count("東京") == 90 and words[-1] == "大阪"


@needs_mecab
def test_japanese_drops_weekday_markers():
    for tok in (JapaneseTokenizer(), JapaneseTokenizer(compounds=False)):
        assert tok("10月20日(木)と22日（土・祝）に花火大会") == tok("10月20日と22日に花火大会")
        assert tok("６月２９・３０日｛月・火｝放送、月〜木の22時、2017/05/20/土") == tok("6月29・30日放送、の22時、2017/05/20")
        assert "木" in tok("庭の木が倒れた")  # the word tree stays
        assert "水" in tok("池の水(冷たい)")


@needs_mecab
def test_japanese_drops_numbers_pronouns_counters_and_kana(ja):
    words = ja("彼は3人と2020年に東京へ行った。それはね")
    assert words == ["東京"]


@needs_mecab
def test_japanese_strips_urls_mentions_and_normalises(ja):
    words = ja("@tanaka 大阪の情報 https://t.co/xyz ＡＢＣニュース ｺﾛﾅ")
    assert words == ["大阪", "情報", "abcニュース", "コロナ"]
    words = JapaneseTokenizer(compounds=False)("@tanaka 大阪の情報 https://t.co/xyz ＡＢＣニュース ｺﾛﾅ")
    assert words == ["大阪", "情報", "abc", "ニュース", "コロナ"]


@needs_mecab
def test_japanese_stop_words_and_options():
    tok = JapaneseTokenizer(extra_stop_words=["コロナ"])
    assert tok("コロナの影響") == ["影響"]
    assert JapaneseTokenizer(keep_pos=["名詞-固有名詞"])("東京で地震") == ["東京"]
    assert "こと" not in JapaneseTokenizer()("大事なことを話す")


@needs_mecab
def test_japanese_pickle_drops_tagger(ja):
    ja("東京")  # create the tagger
    state = ja.__getstate__()
    assert state["_tagger"] is None
    again = pickle.loads(pickle.dumps(ja))
    assert again("東京で地震") == ["東京", "地震"]
    assert ja._tagger is not None  # the original keeps its own


@needs_mecab
def test_japanese_params(ja):
    params = ja.params()
    json.dumps(params, ensure_ascii=False)
    assert params["lang"] == "ja" and params["keep_pos"][0].startswith("名詞")
    assert params != JapaneseTokenizer(mecab_args="-u none.dic").params()
    # Compounds change the counts, so they change the cache key.
    assert params["compounds"] is True and params != JapaneseTokenizer(compounds=False).params()


def test_japanese_missing_mecab_message(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "MeCab" else real(name, *a))
    with pytest.raises(ImportError, match="pip install mecab-python3 unidic-lite"):
        JapaneseTokenizer()


@needs_mecab
def test_japanese_missing_module_at_first_use(monkeypatch):
    tok = JapaneseTokenizer()
    monkeypatch.setitem(sys.modules, "MeCab", None)  # makes "import MeCab" fail
    with pytest.raises(ImportError, match="pip install mecab-python3 unidic-lite"):
        tok("東京")


@needs_mecab
def test_japanese_bad_mecab_args_message():
    with pytest.raises(RuntimeError) as info:
        JapaneseTokenizer(mecab_args="-r /nonexistent/mecabrc")("東京")
    message = str(info.value)
    assert "\n" not in message and "/nonexistent/mecabrc" in message


# -- Chinese ------------------------------------------------------------------


@pytest.fixture(scope="module")
def zh():
    if not HAS_JIEBA:
        pytest.skip("jieba is not installed")
    return ChineseTokenizer()


@needs_jieba
def test_chinese_keeps_nouns_and_names(zh):
    # Verbs (新增, 确诊), pronouns, numbers, particles and single
    # characters are dropped.
    assert zh("武汉新增确诊病例，医院收治患者") == ["武汉", "病例", "医院", "收治", "患者"]
    assert zh("习近平在北京会见世界卫生组织总干事") == ["习近平", "北京", "会见", "世界卫生组织", "总干事"]
    assert zh("我们今天去了3个地方，他说很好") == []
    assert zh("") == []


@needs_jieba
def test_chinese_strips_urls_mentions_and_normalises(zh):
    words = zh("@央视新闻 钟南山：戴口罩 https://t.co/abc ＩＣＵ床位 #抗疫# ...展开全文")
    assert words == ["钟南山", "口罩", "icu", "床位", "抗疫"]


@needs_jieba
def test_chinese_options():
    assert ChineseTokenizer(extra_stop_words=["口罩"])("医院的口罩") == ["医院"]
    assert ChineseTokenizer(keep_pos=["ns"])("武汉医院") == ["武汉"]
    assert ChineseTokenizer(min_length=1)("人和车") == ["人", "车"]
    assert ChineseTokenizer(user_words=["火神山医院"])("火神山医院建成") == ["火神山医院"]
    assert "火神山医院" not in ChineseTokenizer()("火神山医院建成")


@needs_jieba
def test_chinese_pickle_and_params(zh):
    zh("武汉")  # load jieba
    assert zh.__getstate__()["_segmenter"] is None
    again = pickle.loads(pickle.dumps(zh))
    assert again("武汉医院") == ["武汉", "医院"]
    params = zh.params()
    json.dumps(params, ensure_ascii=False)
    assert params["lang"] == "zh" and params["segmenter"].startswith("jieba")
    assert params != ChineseTokenizer(min_length=1).params()


@needs_jieba
def test_chinese_loads_silently(capfd):
    ChineseTokenizer()("武汉")
    assert capfd.readouterr().err == ""


@needs_jieba
def test_chinese_tags_unknown_runs_as_jieba_does(zh):
    # Remembering the tags of runs missing from the dictionary must not
    # change them: compare with a plain jieba tagger.
    import jieba.posseg

    texts = ["王伟超和李兰娟在援鄂医疗队", "朱广权直播带货", "张定宇院长说王伟超很好"]
    plain = jieba.posseg.POSTokenizer(zh.segmenter.tokenizer)
    for text in texts * 2:
        assert [tuple(p) for p in zh.segmenter.cut(text)] == [tuple(p) for p in plain.cut(text)]


@pytest.mark.parametrize(
    "name, lang", [("cctv_weibo_2020", "zh"), ("livedoor_news", "ja"), ("koume_tweets", "ja"), ("corona_nlp", "en")]
)
def test_detect_language_on_real_posts(name, lang):
    import itertools

    from .conftest import shared_dataset
    from glipca.counting.prepare import LANGUAGE_SAMPLE
    from glipca.ingest import read_posts

    posts = read_posts(shared_dataset(name), on_error="skip")
    assert detect_language(p.text for p in itertools.islice(posts, LANGUAGE_SAMPLE)) == lang


@needs_jieba
def test_chinese_words_of_real_posts(zh):
    import collections
    import itertools

    from .conftest import shared_dataset
    from glipca.ingest import read_posts

    # January 2020 on the CCTV Weibo account: the outbreak in Wuhan.
    posts = itertools.islice(read_posts(shared_dataset("cctv_weibo_2020")), 1500, 1800)
    counts = collections.Counter(w for p in posts for w in set(zh(p.text)))
    top = [w for w, _ in counts.most_common(15)]
    assert {"武汉", "肺炎", "疫情"} <= set(top)
    assert all(len(w) >= 2 for w in counts)
    assert not {"全文", "微博", "视频", "我们", "今天"} & set(counts)


@needs_mecab
def test_no_compounds_flag_reaches_the_tokenizer(tmp_path):
    import pyarrow.parquet as pq
    from click.testing import CliRunner

    from glipca.cli import main

    lines = [
        json.dumps({"id": str(i), "created_at": f"2020-03-{1 + i % 20:02d}T12:00:00+09:00",
                    "text": "ソフトバンクのWi-Fiが繋がらない"}, ensure_ascii=False)
        for i in range(60)
    ]
    posts = tmp_path / "posts.jsonl"
    posts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    words = {}
    for flag in ([], ["--no-compounds"]):
        out = tmp_path / f"out{len(flag)}"
        result = CliRunner().invoke(main, ["count", str(posts), "--out", str(out), "--no-cache", "-q", *flag])
        assert result.exit_code == 0, result.output
        meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
        assert meta["params"]["tokenizer"]["compounds"] is not bool(flag)
        words[bool(flag)] = sorted(set(pq.read_table(out / "counts.parquet").column("word").to_pylist()))
    assert words[False] == ["wi-fi", "ソフトバンク"]
    assert words[True] == sorted(["fi", "wi", "バンク", "ソフト"])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(alphabet=st.characters(max_codepoint=127), max_size=60),
                 st.text(alphabet="aZ9_'- .#@", max_size=30)))
def test_ascii_text_gives_the_tokens_of_the_unicode_pattern(text):
    from glipca.tokens import english

    for fast, full in ((english._ASCII_WITH_HYPHENS, english._TOKEN_WITH_HYPHENS),
                       (english._ASCII_NO_HYPHENS, english._TOKEN_NO_HYPHENS)):
        assert fast.findall(text) == full.findall(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["the", "it's", "don't", "covid-19", "2020", "a1", "x", "Flu", "café",
                                 "naïve", "e\u0301t\u00e9", "_", "-", "'", ",", "Bob's", "o'neil-smith"]),
                max_size=8).map(" ".join))
def test_a_long_text_gives_the_tokens_of_its_parts(text):
    """Over 64 tokens, each distinct token is decided once; the output is the same."""
    tok = EnglishTokenizer()
    assert tok(" ".join([text] * 70)) == tok(text) * 70
