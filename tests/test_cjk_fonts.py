"""Figures render Chinese and Japanese labels with real glyphs."""

import io
import warnings

import pytest

from glipca.report.plots import FONT_FAMILY, figure_style

matplotlib = pytest.importorskip("matplotlib")

LABEL = "新冠肺炎 疫情 们这说 钟南山 雷神山 ソフトバンク 東京 Wi-Fi"


def test_chinese_label_has_glyphs_without_warnings():
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties, findfont
    from matplotlib.ft2font import FT2Font

    with warnings.catch_warnings():
        # matplotlib warns "Glyph ... missing from font(s)" for each box it draws.
        warnings.simplefilter("error")
        with figure_style():
            fig = Figure()
            ax = fig.subplots()
            ax.set_title(LABEL)
            ax.plot([0, 1], label="战疫")
            ax.legend()
            fig.savefig(io.BytesIO(), format="png")
            paths = [findfont(FontProperties(family=f), fallback_to_default=False) for f in FONT_FAMILY]
    charmaps = [FT2Font(p).get_charmap() for p in paths]
    missing = [c for c in LABEL if not c.isspace() and not any(ord(c) in cm for cm in charmaps)]
    assert not missing
    # Simplified characters that the Japanese font lacks come from the Chinese one.
    assert ord("们") not in charmaps[FONT_FAMILY.index("IPAexGothic")]
    assert ord("们") in charmaps[FONT_FAMILY.index("Noto Sans SC")]


def test_fonts_leave_global_settings_alone():
    before = dict(matplotlib.rcParams)
    with figure_style():
        pass
    assert dict(matplotlib.rcParams) == before
