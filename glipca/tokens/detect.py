"""Which tokeniser: language detection and the tokeniser factory."""

from __future__ import annotations

import itertools
import re

from .chinese import ChineseTokenizer
from .english import EnglishTokenizer
from .japanese import JapaneseTokenizer
from .normalise import _KANA, _KANJI, _LETTER, _strip

__all__ = ["make_tokenizer", "detect_language", "LANGUAGES"]

#: Languages with a tokeniser of their own; ``auto`` picks among them.
LANGUAGES = ("en", "ja", "zh")

# Languages without spaces between words, which a regex tokeniser cannot split.
_UNSPACED = frozenset({"th", "lo", "km", "my", "bo", "dz"})

# ISO 639-1 codes: any other language written with spaces is tokenised by
# the regex tokeniser, without stop words.
_ISO_639_1 = frozenset(
    """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy
    da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu
    hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb
    lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om
    or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw
    ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
    """.split()
)

_SUPPORTED = (
    "supported: auto, en, ja, zh, or the ISO 639-1 code of another language "
    "written with spaces (such as de or fr; tokenised like English, without stop words)"
)

# Share of kana among the kana and kanji of a sample above which it is
# Japanese: Japanese text has 40-80 % kana (0.65 on livedoor news, 0.78 on
# tweets), Chinese none, or a stray の.
_KANA_SHARE = 0.05


def make_tokenizer(lang, **kwargs):
    """Make the tokeniser for a language.

    Parameters
    ----------
    lang : str
        ``"ja"`` gives a :class:`JapaneseTokenizer`, ``"zh"`` a
        :class:`ChineseTokenizer`; ``"en"`` and the other ISO 639-1 codes of
        space-separated languages an :class:`EnglishTokenizer` (with English
        stop words only for ``"en"``).  Region suffixes (``"en-US"``,
        ``"zh-TW"``) are ignored.
    **kwargs
        Passed to the tokeniser.  An empty ``mecab_args`` is accepted for
        any language, and ``compounds`` (Japanese) is ignored for the others,
        so that one set of options serves ``lang="auto"``.

    Raises
    ------
    ValueError
        For an unknown code (the message lists what is supported), and for
        languages written without spaces that have no segmenter here (Thai,
        Lao, Khmer, Burmese, Tibetan, Dzongkha).
    """
    code = re.split(r"[-_]", str(lang).strip().lower(), maxsplit=1)[0]
    if code == "ja":
        return JapaneseTokenizer(**kwargs)
    kwargs.pop("compounds", None)
    if kwargs.pop("mecab_args", None):
        raise ValueError(f"MeCab options apply to Japanese (lang 'ja') only, not to {lang!r}")
    if code == "zh":
        return ChineseTokenizer(**kwargs)
    if code in _UNSPACED:
        raise ValueError(
            f"no tokenizer for language {lang!r}: it is written without spaces between words; {_SUPPORTED}"
        )
    if code not in _ISO_639_1:
        raise ValueError(f"unknown language {lang!r}; {_SUPPORTED}")
    return EnglishTokenizer(lang=code, **kwargs)


def detect_language(texts, sample=1000) -> str:
    """Tell Japanese, Chinese and space-separated text apart.

    Parameters
    ----------
    texts : iterable of str
        Only the first ``sample`` texts are looked at (an iterator is
        consumed that far).
    sample : int, default 1000

    Returns
    -------
    {"ja", "zh", "en"}
        When most letters (outside URLs and mentions) are kana or Han
        characters: ``"ja"`` if kana make more than 5 % of them, else
        ``"zh"``.  Otherwise ``"en"``.
    """
    kana = han = letters = 0
    for text in itertools.islice(texts, sample):
        if not isinstance(text, str):
            continue
        text = _strip(text[:500])
        letters += len(_LETTER.findall(text))
        kana += len(_KANA.findall(text))
        han += len(_KANJI.findall(text))
    if not letters or 2 * (kana + han) <= letters:
        return "en"
    return "ja" if kana > _KANA_SHARE * (kana + han) else "zh"
