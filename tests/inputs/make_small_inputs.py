"""Write the small exports of tests/inputs/ (generated, deterministic).

The files stand for what an analyst brings from a spreadsheet or a small
scrape: a few hundred posts over 20 days, with one planted burst of two
words.  Run from the repository root to write them again; the same bytes
come out every time::

    python tests/inputs/make_small_inputs.py

=======================  ===================================================
small_en.csv             441 English posts, 2024-03-01 .. 03-20, ISO times;
                         "volcano" and "eruption" burst on 2024-03-14
small_ja.jsonl           300 Japanese posts, 2024-03-01 .. 03-20; 停電 and
                         台風 burst on 2024-03-09
dayfirst.csv             small_en's posts, times written 14/03/2024 09:05
ambiguous.csv            every 7th post of 1-12 March, times written 01/03/2024
                         (no day above 12: day or month first cannot be told)
semicolon_bom.csv        small_en's posts as a European spreadsheet writes
                         them: UTF-8 with a byte-order mark, ';' separated,
                         columns date;message
dotted.csv               small_en's posts, times written 14.03.2024 09:05
empty_text.csv           30 posts of which two have an empty text
=======================  ===================================================
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
START = dt.datetime(2024, 3, 1)

EN_WORDS = (
    "coffee morning train work meeting lunch music weekend friends garden book movie "
    "football dinner walk city park school office rain sunny shopping market bread cake "
    "phone laptop email project deadline holiday beach mountain river bike bus traffic "
    "news game team match kitchen recipe soup pasta pizza tea window street neighbour "
    "dog cat bird flowers spring colour paint photo camera song concert ticket museum "
    "library lesson class teacher student exam homework sleep dream night evening"
).split()
EN_GLUE = "the a my our this that today really so just again with at for and".split()
EN_BURST = (
    "volcano eruption near the coast, ash everywhere",
    "the volcano eruption is on every channel",
    "watching the eruption live, that volcano is huge",
    "flights cancelled after the volcano eruption",
    "eruption update: the volcano is still active",
)
JA_NOUNS = (
    "天気 電車 仕事 学校 映画 音楽 ラーメン 猫 犬 友達 週末 買い物 旅行 本 試合 野球 "
    "サッカー 料理 カフェ 公園 会議 宿題 散歩 写真 花見 桜 弁当 ゲーム 漫画 ドラマ"
).split()
JA_TAILS = ("が楽しかった", "に行った", "を見た", "が好き", "で疲れた", "の話をした",
            "がよかった", "を待っている")
JA_BURST = ("台風で停電した", "台風のせいでまだ停電している", "停電が続いている、台風がすごい",
            "台風が来て停電、ろうそくを探す", "近所も停電。台風こわい")


def _per_day(rng, n_days, low, high, total):
    """Posts per day between ``low`` and ``high`` that add up to ``total``."""
    days = [rng.randint(low, high) for _ in range(n_days)]
    k = 0
    while sum(days) != total:  # nudge, day by day, within the bounds
        step = 1 if sum(days) < total else -1
        if low <= days[k % n_days] + step <= high:
            days[k % n_days] += step
        k += 1
    return days


def _times(rng, per_day):
    for day, n in enumerate(per_day):
        for m in sorted(rng.randrange(24 * 60) for _ in range(n)):
            yield START + dt.timedelta(days=day, minutes=m)


def _en_text(rng):
    words = rng.sample(EN_WORDS, rng.randint(4, 7))
    for _ in range(rng.randint(1, 3)):
        words.insert(rng.randrange(len(words) + 1), rng.choice(EN_GLUE))
    return " ".join(words)


def english_posts():
    """441 posts over 20 days; the burst words in 12 posts on 14 March, 5
    on the 15th, 2 on the 13th, and one now and then before."""
    rng = random.Random(441)
    per_day = _per_day(rng, 20, 16, 28, 441)
    burst = {12: 2, 13: 12, 14: 5, 3: 1, 8: 1}
    posts = []
    for k, time in enumerate(_times(rng, per_day)):
        posts.append([f"p{k + 1:04d}", time, _en_text(rng)])
    for day, n in burst.items():
        todays = [p for p in posts if (p[1] - START).days == day]
        for post in rng.sample(todays, n):
            post[2] = f"{rng.choice(EN_BURST)} {_en_text(rng)}"
    return posts


def japanese_posts():
    """300 posts over 20 days; 停電 and 台風 together in 9 posts on 9 March,
    4 on the 10th and 1 on the 8th."""
    rng = random.Random(300)
    per_day = _per_day(rng, 20, 11, 20, 300)
    posts = []
    for k, time in enumerate(_times(rng, per_day)):
        a, b = rng.sample(JA_NOUNS, 2)
        text = f"{a}{rng.choice(JA_TAILS)}。{b}{rng.choice(JA_TAILS)}"
        posts.append([f"j{k + 1:04d}", time, text])
    for day, n in {7: 1, 8: 9, 9: 4}.items():
        todays = [p for p in posts if (p[1] - START).days == day]
        for post in rng.sample(todays, n):
            post[2] = f"{rng.choice(JA_BURST)}。{rng.choice(JA_NOUNS)}{rng.choice(JA_TAILS)}"
    return posts


def _csv(rows, header, delimiter=","):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def write_all(folder=HERE):
    folder = Path(folder)
    en = english_posts()
    iso = [(pid, t.strftime("%Y-%m-%d %H:%M"), text) for pid, t, text in en]
    (folder / "small_en.csv").write_text(_csv(iso, ["id", "date", "text"]), encoding="utf-8")
    dayfirst = [(t.strftime("%d/%m/%Y %H:%M"), text) for _, t, text in en]
    (folder / "dayfirst.csv").write_text(_csv(dayfirst, ["date", "text"]), encoding="utf-8")
    dotted = [(t.strftime("%d.%m.%Y %H:%M"), text) for _, t, text in en]
    (folder / "dotted.csv").write_text(_csv(dotted, ["date", "text"]), encoding="utf-8")
    semicolon = [(t.strftime("%Y-%m-%d %H:%M"), text) for _, t, text in en]
    (folder / "semicolon_bom.csv").write_text("\ufeff" + _csv(semicolon, ["date", "message"], ";"),
                                              encoding="utf-8")
    ambiguous = [row for row in dayfirst if int(row[0][:2]) <= 12][::7]
    (folder / "ambiguous.csv").write_text(_csv(ambiguous, ["date", "text"]), encoding="utf-8")
    empty = [list(row) for row in iso[:30]]
    empty[4][2] = ""
    empty[17][2] = "   "
    (folder / "empty_text.csv").write_text(_csv(empty, ["id", "date", "text"]), encoding="utf-8")
    ja = japanese_posts()
    with open(folder / "small_ja.jsonl", "w", encoding="utf-8", newline="\n") as fh:
        for pid, t, text in ja:
            record = {"id": pid, "created_at": t.strftime("%Y-%m-%dT%H:%M:%S"), "text": text}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    write_all()
