"""Which tokeniser: language detection and the tokeniser factory."""

from __future__ import annotations

import itertools
import re

from .english import EnglishTokenizer
from .japanese import JapaneseTokenizer
from .normalise import _KANA, _KANJI, _LETTER, _strip

__all__ = ["make_tokenizer", "detect_language"]

# Languages without spaces between words, which a regex tokeniser cannot split.
_UNSPACED = frozenset({"zh", "th", "lo", "km", "my", "bo", "dz"})


def make_tokenizer(lang, **kwargs):
    """Make the tokeniser for a language.

    Parameters
    ----------
    lang : str
        ``"ja"`` gives a :class:`JapaneseTokenizer`; ``"en"`` and other ISO
        codes of space-separated languages an :class:`EnglishTokenizer`
        (with English stop words only for ``"en"``).  Region suffixes
        (``"en-US"``) are ignored.
    **kwargs
        Passed to the tokeniser.  An empty ``mecab_args`` is accepted for
        any language.

    Raises
    ------
    ValueError
        For languages written without spaces other than Japanese (Chinese,
        Thai, ...), which would need a segmenter of their own.
    """
    code = re.split(r"[-_]", str(lang).strip().lower(), maxsplit=1)[0]
    if code == "ja":
        return JapaneseTokenizer(**kwargs)
    if kwargs.pop("mecab_args", None):
        raise ValueError(f"MeCab options apply to Japanese (lang 'ja') only, not to {lang!r}")
    if code in _UNSPACED:
        raise ValueError(
            f"no tokenizer for language {lang!r}: it is written without spaces "
            "between words; lang='ja' (MeCab) is a rough fallback for Chinese"
        )
    if not re.fullmatch(r"[a-z]{2,3}", code):
        raise ValueError(f"lang must be an ISO 639 code such as 'en' or 'ja', got {lang!r}")
    return EnglishTokenizer(lang=code, **kwargs)


def detect_language(texts, sample=1000) -> str:
    """Tell Japanese from space-separated text.

    Parameters
    ----------
    texts : iterable of str
        Only the first ``sample`` texts are looked at (an iterator is
        consumed that far).
    sample : int, default 1000

    Returns
    -------
    {"ja", "en"}
        ``"ja"`` when most letters (outside URLs and mentions) are kana or
        kanji.  Chinese therefore gives ``"ja"``: MeCab is the only
        segmenter for unspaced text here.
    """
    cjk = letters = 0
    for text in itertools.islice(texts, sample):
        if not isinstance(text, str):
            continue
        text = _strip(text[:500])
        letters += len(_LETTER.findall(text))
        cjk += len(_KANA.findall(text)) + len(_KANJI.findall(text))
    return "ja" if letters and 2 * cjk > letters else "en"
