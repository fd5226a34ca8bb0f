"""Synthetic corpora with a planted truth.

:func:`make_trend_corpus` writes a dump of posts in which a known set of
single-peak trends, distractor words and background words has been planted,
so that every stage of the pipeline can be scored against the truth (see
:mod:`glipca.evaluation`). The generator knows nothing about the pipeline: it
only produces posts (id, timestamp, text) and the list of what it planted.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["PlantedCorpus", "make_trend_corpus"]

# Concrete English nouns: lower-case ASCII letters, at least three letters,
# in neither scikit-learn's English stop words nor glipca's, so that an
# English tokenizer that casefolds and removes stop words returns them as is.
_EN_WORDS = """
badger beaver bison buffalo camel cheetah chicken cobra cougar coyote crab
crane crow deer dolphin donkey dove duck eagle falcon ferret finch flamingo
gazelle gecko gerbil giraffe goat goose gorilla hamster hare hawk hedgehog
heron hippo hornet horse hyena ibis iguana jackal jaguar jellyfish kangaroo
koala lemur leopard lion lizard llama lobster lynx magpie mole mongoose
monkey moose mosquito moth mouse mule newt octopus ostrich otter owl panda
panther parrot peacock pelican penguin pheasant pigeon piranha porcupine
possum puffin python rabbit raccoon raven rhino robin salmon sardine
scorpion seal shark sheep shrimp skunk sloth snail snake sparrow spider
squid squirrel stork swan tiger toad tortoise trout tuna turkey turtle viper
vulture walrus wasp weasel whale wolf wombat woodpecker yak zebra beetle
butterfly caterpillar dragonfly termite flea almond anchovy apple apricot
avocado bacon bagel banana barley basil biscuit blueberry bread broccoli
brownie burrito butter cabbage cake candy carrot cashew cauliflower celery
cereal cheese cherry chestnut chili chocolate cinnamon coconut coffee cookie
corn cracker cranberry cucumber cupcake curry custard donut dumpling
eggplant garlic ginger grape grapefruit guava hazelnut honey hummus jam kale
ketchup kiwi lasagna lemon lentil lettuce lime mango margarine marmalade
mayonnaise melon muffin mushroom mustard noodle nutmeg oatmeal olive
omelette onion oregano pancake papaya paprika parsley pasta peach peanut
pear pepper pickle pineapple pistachio pizza plum popcorn potato pretzel
pudding pumpkin quinoa radish raisin raspberry rice risotto salad salami
sandwich sausage spinach squash strawberry sushi syrup taco tofu tomato
turnip vanilla vinegar waffle walnut watermelon yogurt zucchini anchor anvil
backpack balloon bandage barrel basket battery bicycle blanket bottle
bracelet broom bucket buckle button cabinet calendar camera candle canoe
carpet chisel compass crayon cushion drill envelope eraser faucet feather
flashlight funnel glove hammer hammock helmet kettle ladder lamp lantern
magnet mattress microscope mirror needle notebook padlock paddle pencil
pillow pliers projector puzzle rake ribbon saddle scissors screwdriver
shovel sponge spoon stapler telescope thermometer thimble toaster towel
trumpet umbrella vase wallet whistle wrench zipper beach canyon cave cliff
desert forest glacier harbor island jungle lagoon marsh meadow mountain
oasis ocean pond prairie reef savanna swamp valley volcano waterfall creek
dune fjord geyser plateau ridge summit tundra accountant architect astronaut
baker banker barber butcher carpenter cashier chef dentist detective
electrician engineer farmer firefighter fisherman florist gardener
journalist lawyer librarian lifeguard mechanic musician nurse painter
pharmacist photographer pilot plumber poet professor sailor scientist
sculptor surgeon tailor translator veterinarian waiter bakery barn cafe
castle cathedral cinema clinic factory garage gym hotel museum palace
pharmacy prison restaurant stadium supermarket temple theater warehouse
accordion banjo cello clarinet flute guitar harp harmonica oboe piano
saxophone trombone tuba ukulele violin xylophone archery badminton baseball
basketball bowling boxing cycling fencing football golf gymnastics hockey
judo karate marathon rowing rugby skating skiing soccer surfing swimming
tennis volleyball wrestling yoga aluminum brass bronze cement ceramic clay
copper cotton granite leather linen marble nylon porcelain rubber silk steel
timber velvet wool zinc ambulance bulldozer caravan helicopter jeep kayak
limousine motorcycle scooter submarine taxi tractor tram truck yacht apron
blouse cardigan coat jacket jeans kimono mitten necktie overalls pajamas
poncho sandal scarf shirt sneaker sock sweater tuxedo vest blizzard breeze
drizzle drought fog frost hail hurricane lightning monsoon rainbow sleet
snowflake thunder tornado typhoon asteroid atom comet crystal electron
enzyme fossil galaxy meteor molecule neutron nebula oxygen planet proton
protein quasar acorn birch cactus cedar clover daisy dandelion fern hibiscus
ivy jasmine lavender lily lotus magnolia maple moss oak orchid pine poppy
sunflower tulip willow bamboo ankle elbow eyebrow forehead knuckle shoulder
thumb wrist bathtub bookshelf chandelier closet curtain doorbell drawer
fireplace freezer oven refrigerator sofa staircase stool wardrobe igloo
pyramid lighthouse windmill skyscraper cottage cabin tent hut bungalow
mansion chimney balcony attic basement cellar porch fence gate courtyard
fountain statue monument bridge tunnel canal dock pier wharf runway railway
highway avenue boulevard alley treasure jewel diamond emerald ruby sapphire
pearl amber opal topaz quartz kite yoyo domino chess checkers frisbee
trampoline skateboard surfboard snowboard sled wizard dragon unicorn goblin
giant mermaid pirate knight princess queen emperor pharaoh samurai ninja
cowboy sheriff lemonade smoothie milkshake cocoa espresso cappuccino latte
mocha cider champagne whisky brandy vodka tequila rum gin mosaic fresco
sculpture portrait tapestry origami pottery quilt embroidery scarecrow
wheelbarrow pitchfork lasso harness stirrup postcard parcel magazine
newspaper dictionary encyclopedia atlas novel comic poem orchestra choir
symphony opera ballet concert festival carnival parade circus hurdle javelin
discus dumbbell treadmill spaghetti macaroni ravioli tortilla nacho
croissant baguette scone crumpet brioche
""".split()

# Japanese nouns, each checked with MeCab and unidic-lite (``-r /dev/null``):
# placed between any two of the particles in ``_JA_JOINERS`` (and before any
# ending in ``_JA_ENDINGS``) it comes back as exactly one token whose part of
# speech is 名詞-普通名詞-一般 or 名詞-普通名詞-サ変可能, whose lemma (without
# unidic's ``-english`` gloss) equals its surface, and which has at least two
# characters. Short-unit compounds such as 図書館 (図書 + 館), pronouns,
# numerals and proper nouns failed the check and were left out, and so were
# words with hiragana (折り紙), so that a text's planted words are exactly its
# runs of kanji and katakana.
_JA_WORDS = """
経済 政治 市場 会議 学校 病院 医療 教育 選手 大会 映画 音楽 料理
野菜 果物 天気 台風 地震 電車 空港 旅行 観光 温泉 公園 鉄道 道路
美術 動物 植物 科学 技術 研究 実験 論文 大学 高校 授業 試験 宿題
先生 生徒 学生 卒業 入学 就職 会社 社員 社長 部長 課長 給料 残業
出張 営業 販売 商品 価格 値段 消費 税金 予算 財政 銀行 株価 為替
投資 貯金 保険 年金 家賃 住宅 建築 工事 工場 製造 輸出 輸入 貿易
物流 配送 郵便 荷物 宅配 通販 広告 宣伝 新聞 雑誌 放送 番組 俳優
女優 歌手 作家 画家 漫画 小説 詩人 絵本 写真 動画 配信 芸能 舞台
演劇 劇場 落語 歌舞伎 相撲 野球 柔道 剣道 水泳 陸上 体操 卓球
競馬 将棋 囲碁 登山 散歩 掃除 洗濯 家事 育児 介護 保育 病気 風邪
発熱 頭痛 薬局 手術 診察 検査 入院 退院 看護 救急 消防 警察 事件
事故 裁判 弁護 法律 憲法 選挙 投票 国会 内閣 首相 大臣 知事 議員
政党 外交 条約 軍事 防衛 戦争 歴史 文化 伝統 宗教 神社 寺院 花火
紅葉 梅雨 豪雨 洪水 津波 噴火 火山 気温 湿度 猛暑 寒波 積雪 雪崩
森林 河川 海岸 砂浜 山脈 農業 漁業 林業 牧場 稲作 小麦 大豆 果実
林檎 蜜柑 葡萄 西瓜 牛乳 豆腐 納豆 味噌 醤油 砂糖 食塩 胡椒 弁当
寿司 天丼 牛丼 蕎麦 煎餅 羊羹 団子 緑茶 紅茶 麦茶 焼酎 船舶 港湾
駐車 渋滞 信号 歩道 線路 改札 切符 運賃 電話 携帯 電池 充電 通信
回線 電波 人工 知能 機械 装置 部品 設計 開発 製品 特許 宇宙 衛星
惑星 細胞 酵素 細菌 化石 恐竜 鉱物 宝石 金属 鉄鋼 石油 石炭 電力
発電 原発 風力 環境 汚染 気候 資源 廃棄 節約 家具 寝具 布団 毛布
台所 食器 茶碗 包丁 玄関 階段 廊下 屋根 庭園 花壇 盆栽 植木 子犬
子猫 金魚 鳥類 昆虫 鶏肉 豚肉 牛肉 洋服 着物 浴衣 制服 背広 帽子
手袋 靴下 眼鏡 財布 時計 指輪 香水 化粧 美容 散髪 心臓 肺炎 胃腸
皮膚 筋肉 骨折 歯科 眼科 内科 外科 医師 教師 農家 漁師 大工 職人
店員 店長 駅員 都市 地方 郊外 農村 漁村 商店 球場 銭湯 旅館 民宿
別荘 城跡 港町 鉛筆 定規 手帳 日記 手紙 葉書 切手 封筒 印鑑 書類
資料 報告 会見 発表 記者 取材 調査 統計 予測 分析 計画 戦略 目標
成果 評価 監督 球団 優勝 決勝 予選 記録 得点 勝利 敗戦 引退 移籍
契約 星空 夕日 朝日 雷雨 竜巻 霧雨 夕立 氷河 砂漠 湿原 草原 渓谷
洞窟 滝壺 地図 辞書 雑貨 陶器 漆器 磁器 絨毯 暖房 冷房 照明 電球
太陽 月光 流星 彗星 銀河 星座 天文 気象 地質 地層 岩石 砂利 粘土
泥水 温室 菜園 花束 花瓶 七夕 正月 門松 鏡餅 雑煮 節分 月見 紅白
除夜 大晦日 俳句 短歌 書道 茶道 華道 陶芸 彫刻 版画 水彩 油絵
映像 録音 楽器 太鼓 尺八 琴線 合唱 歌劇 民謡 演歌 童謡 鉄棒 竹馬
独楽 双六 羽子板 人形 玩具 遊具 砂場 公衆 便所 噴水 銅像 石碑
灯台 風車 水車 鉄塔 電柱 踏切 車庫 倉庫 納屋 小屋 牛舎 鶏舎 厩舎
酢豚 冷麺 素麺 蒸籠 丼物 定食 沢庵 海苔 昆布 若布 鰹節 干物 冷凍
菓子 饅頭 大福 煎茶 抹茶 番茶 玄米 白米 雑穀 小豆 蕎麦粉 片栗粉
胡麻 生姜 山葵 大根 人参 牛蒡 蓮根 白菜 胡瓜 茄子 玉葱 長葱 椎茸
松茸 舞茸 枝豆 柚子 甘夏 八朔 石榴 秋刀魚 穴子 烏賊 帆立 牡蠣
浅蜊 雲丹 犬種 熊猫 河馬 麒麟 駱駝 海豚 海豹 海驢 蝙蝠 土竜 栗鼠
獅子 白熊 黒熊 白鳥 孔雀 鸚鵡 駝鳥 蜥蜴 守宮 井守 蝸牛 蜘蛛 蟷螂
蟋蟀 鈴虫 甲虫 鍬形 テレビ ラジオ カメラ ピアノ ギター バイオリン
トランペット ドラム フルート パソコン スマホ タブレット プリンター
キーボード マウス モニター スピーカー イヤホン ヘッドホン ケーブル
バッテリー アプリ ゲーム アニメ ドラマ ニュース コンサート ライブ
イベント パーティー セミナー ワークショップ オリンピック サッカー
テニス ゴルフ バスケ バレー ラグビー マラソン スキー スケート
ボクシング プロレス ジョギング サイクリング キャンプ ハイキング
ドライブ ピクニック バーベキュー ランチ ディナー カフェ レストラン
ホテル デパート スーパー コンビニ ショッピング セール クーポン カード
レシート チケット パスポート ビザ スーツケース バス タクシー トラック
バイク ヘリコプター ボート ヨット フェリー ロケット エンジン タイヤ
ブレーキ ハンドル ガソリン コーヒー ジュース ビール ワイン ウイスキー
カクテル ミルク ヨーグルト チーズ バター パン ケーキ クッキー
チョコレート アイス ゼリー ドーナツ パスタ ピザ カレー ラーメン
ハンバーガー サンドイッチ サラダ スープ ステーキ ソーセージ ベーコン
ハム トマト キャベツ レタス ブロッコリー ピーマン バナナ オレンジ
レモン メロン パイナップル マンゴー キウイ アボカド シャツ ズボン
スカート ジャケット コート セーター マフラー ネクタイ ベルト
スニーカー サンダル ブーツ リュック バッグ ハンカチ タオル エプロン
パジャマ ベッド テーブル カーテン カーペット クッション ランプ ドア
エレベーター エスカレーター トイレ シャワー キッチン ベランダ ガレージ
プール スタジアム ライオン パンダ ペンギン コアラ カンガルー ゴリラ
チンパンジー ハムスター
""".split()

# Words are joined by stop words (English) or particles (Japanese) so that the
# texts read like sentences while tokenising back to the planted words only.
_EN_JOINERS = (" and ", " of the ", " with ", " is ", " and the ", " for a ",
               " in the ", " on ", " to the ", " at ", ", ")
_EN_ENDINGS = (".", "!", "?", ".")
_JA_JOINERS = ("は", "が", "の", "と", "を", "で", "に", "も", "について",
               "から", "や", "とか", "、")
_JA_ENDINGS = ("。", "です。", "だ。", "ですね。", "！")

_KINDS = ("trend", "shared", "seasonal", "drifting", "background")


@dataclass(eq=False)
class PlantedCorpus:
    """Posts with a planted truth, as returned by :func:`make_trend_corpus`.

    Attributes
    ----------
    posts : pandas.DataFrame
        Columns ``id`` (int64), ``created_at`` (ISO 8601 string with a UTC
        offset) and ``text``, sorted by time.
    lang : {"en", "ja"}
        Language of the texts.
    trends : list of dict
        One per planted trend, ordered by peak: ``id``, ``peak``
        (``YYYY-MM-DD``), ``peak_day`` (index of the peak in ``days``),
        ``sigma`` (Gaussian width in days), ``amplitude`` (share of the day's
        posts about the trend at its peak) and ``words``.
    close_pairs : list of tuple of int
        Pairs of trend ids whose peaks are ``close_gap`` days apart.
    shared_words : list of str
        Words used by the posts of two trends (see ``shared_trends``).
    seasonal_words, drifting_words, background_words : list of str
        Words with a weekly rate, a steadily rising or falling rate, and a
        constant rate.
    truth : dict of str to int
        Trend id of every trend word; distractors are absent.
    shared_trends : dict of str to tuple of int
        The two trend ids behind each shared word.
    days : list of str
        The calendar days of the window, ``YYYY-MM-DD``.
    params : dict
        The arguments the corpus was generated with.
    """

    posts: pd.DataFrame
    lang: str
    trends: list
    close_pairs: list
    shared_words: list
    seasonal_words: list
    drifting_words: list
    background_words: list
    truth: dict
    shared_trends: dict = field(default_factory=dict)
    days: list = field(default_factory=list)
    params: dict = field(default_factory=dict)

    @property
    def distractor_words(self):
        """Planted non-trend words with a structured rate (shared, seasonal,
        drifting); background words are not included."""
        return self.shared_words + self.seasonal_words + self.drifting_words

    def label_of(self, word):
        """Trend id of ``word``, or -1 for any word that is not a trend word."""
        return self.truth.get(word, -1)

    @cached_property
    def word_kinds(self):
        """Dict from every planted word to its kind: ``"trend"``,
        ``"shared"``, ``"seasonal"``, ``"drifting"`` or ``"background"``."""
        kinds = {w: "trend" for w in self.truth}
        for kind in _KINDS[1:]:
            kinds.update(dict.fromkeys(getattr(self, f"{kind}_words"), kind))
        return kinds

    def kind_of(self, word):
        """Kind of ``word`` (see ``word_kinds``), or None if not planted."""
        return self.word_kinds.get(word)

    def write_jsonl(self, path):
        """Write the posts as JSON Lines, gzip-compressed if ``path`` ends
        with ``.gz``. Returns the path."""
        path = Path(path)
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "wt", encoding="utf-8") as fh:
            for rec in self.posts.itertuples(index=False):
                fh.write(json.dumps(
                    {"id": int(rec.id), "created_at": rec.created_at,
                     "text": rec.text}, ensure_ascii=False))
                fh.write("\n")
        return path


def make_trend_corpus(*, lang="en", n_days=61, start="2020-03-08", n_trends=8,
                      n_close_pairs=2, close_gap=3, words_per_trend=6,
                      n_shared=3, n_seasonal=5, n_drifting=5,
                      n_background=300, posts_per_day=(1500, 3000), seed=0):
    """Generate posts in which single-peak trends and distractors are planted.

    Each trend ``k`` has a peak day ``p``, a width ``sigma`` and an amplitude
    ``a``. On day ``t`` the number of posts about it is
    ``Poisson(N(t) * a * (floor + exp(-(t - p)**2 / (2 sigma**2))) * J(t))``,
    where ``N(t)`` is the day's volume and ``J(t)`` a lognormal jitter
    (sigma 0.3) shared by the whole trend. Each such post holds each of the
    trend's words with the word's own probability (0.3 to 0.9, at least one
    word). The shared jitter and the co-occurrence in the same posts make the
    words of a trend *directly* correlated.

    ``n_close_pairs`` pairs of trends peak ``close_gap`` days apart, with a
    common width tuned so that their jittered daily rates correlate at 0.55
    to 0.7 (their word series, at about 0.45 to 0.7); their words are
    disjoint, so they are only *indirectly* correlated. Other trends are kept
    at least ``2 * sqrt(sigma_i**2 + sigma_j**2)`` days apart, and widths are
    otherwise uniform in [1.5, 3] days. In about half the seeds one trend
    peaks within 3 days of an edge. ``a`` and ``floor`` are uniform in
    [0.02, 0.05].

    Distractors: ``n_shared`` words used by the posts of two trends (the
    first two, when there are close pairs, by the two trends of a close pair,
    so that their series is a single bump bridging the pair; the others by
    two distant trends, so that they peak twice), ``n_seasonal`` words with a
    weekly rate, and ``n_drifting`` words whose rate rises or falls linearly
    (by a factor of 2.5 to 4) across the window. Every post also holds 2 or
    more draws of ``n_background`` background words with Zipf-like constant
    rates.

    Parameters
    ----------
    lang : {"en", "ja"}
        Language of the texts. English texts are nouns joined by stop words;
        Japanese texts are nouns joined by particles, which MeCab with
        unidic-lite splits back into exactly the planted nouns.
    n_days : int
        Length of the window in days.
    start : str
        First day, ``YYYY-MM-DD``.
    n_trends, n_close_pairs, close_gap, words_per_trend : int
        Number of trends, of close pairs among them, the distance in days
        between the peaks of a close pair, and words per trend.
    n_shared, n_seasonal, n_drifting, n_background : int
        Number of words of each distractor kind.
    posts_per_day : tuple of (float, float)
        Mean daily volume on the first and on the last day; it grows
        geometrically in between, modulated by the day of the week.
    seed : int
        Seed of the :class:`numpy.random.Generator`; the output is a
        deterministic function of the arguments.

    Returns
    -------
    PlantedCorpus

    Notes
    -----
    Timestamps carry ``+00:00`` for English and ``+09:00`` for Japanese.
    Japanese posts are timed between 09:00 and 24:00 local time, so that a
    post falls on the same calendar day in Japan time and in UTC, and the
    planted day does not depend on the time zone a reader bins in.
    """
    params = dict(lang=lang, n_days=n_days, start=start, n_trends=n_trends,
                  n_close_pairs=n_close_pairs, close_gap=close_gap,
                  words_per_trend=words_per_trend, n_shared=n_shared,
                  n_seasonal=n_seasonal, n_drifting=n_drifting,
                  n_background=n_background,
                  posts_per_day=tuple(posts_per_day), seed=seed)
    vocab = _check_params(params)
    # Three streams, so that a seed plants the same structure (peaks, widths,
    # rates) at any volume and in both languages, with only the words
    # changed: the vocabulary draw, the structure, and the sampled posts.
    rw, rs, rng = (np.random.default_rng(s)
                   for s in np.random.SeedSequence(seed).spawn(3))
    T = n_days
    t = np.arange(T)
    first_day = np.datetime64(pd.Timestamp(start).date(), "D")
    day_dates = first_day + t
    weekday = (pd.Timestamp(start).day_of_week + t) % 7  # Monday = 0

    # --- Planted structure -------------------------------------------------
    words = [vocab[i] for i in rw.permutation(len(vocab))]
    cuts = np.cumsum([n_trends * words_per_trend, n_shared, n_seasonal,
                      n_drifting, n_background])
    trend_words = [words[k * words_per_trend:(k + 1) * words_per_trend]
                   for k in range(n_trends)]
    shared_words = words[cuts[0]:cuts[1]]
    seasonal_words = words[cuts[1]:cuts[2]]
    drifting_words = words[cuts[2]:cuts[3]]
    background_words = words[cuts[3]:cuts[4]]
    words = words[:cuts[4]]
    index = {w: i for i, w in enumerate(words)}

    peaks, sigmas, close_pairs, pair_corr = _place_trends(
        rs, T, n_trends, n_close_pairs, close_gap)
    amplitudes = rs.uniform(0.02, 0.05, n_trends)
    floors = rs.uniform(0.02, 0.05, n_trends)
    jitter = np.exp(0.3 * rs.standard_normal((n_trends, T)))

    def trend_rate(k, sigma):
        bump = np.exp(-(t - peaks[k]) ** 2 / (2 * sigma ** 2))
        return amplitudes[k] * (floors[k] + bump) * jitter[k]

    # With only a handful of days in their bumps, the jitter moves the
    # correlation of a close pair far from what the widths alone give; so the
    # common width is tuned, near its nominal value, until the correlation of
    # the two (jittered) rates is on target.
    for (i, j), c in zip(close_pairs, pair_corr):
        grid = sigmas[i] * np.linspace(0.7, 1.5, 81)
        r = [np.corrcoef(trend_rate(i, s), trend_rate(j, s))[0, 1]
             for s in grid]
        sigmas[i] = sigmas[j] = grid[int(np.argmin(np.abs(np.array(r) - c)))]
    rate = np.array([trend_rate(k, sigmas[k]) for k in range(n_trends)])
    inclusion = rs.uniform(0.3, 0.9, (n_trends, words_per_trend))
    shared_trends = _pair_shared(rs, shared_words, peaks, sigmas, close_pairs)
    shared_inclusion = rs.uniform(0.3, 0.7, (n_shared, 2))

    ramp = t / max(T - 1, 1)
    word_rates = {}
    # Seasonal words: a weekly bump on one day of the week (mostly at the
    # weekend) and half of it on the neighbouring days.
    for w in seasonal_words:
        day = rs.choice([5, 6]) if rs.random() < 0.7 else rs.integers(7)
        lag = (weekday - day) % 7
        shape = np.select([lag == 0, (lag == 1) | (lag == 6)], [1.0, 0.5], 0.0)
        word_rates[w] = rs.uniform(0.004, 0.01) * (1 + rs.uniform(2, 4) * shape)
    for w in drifting_words:
        shape = ramp if rs.random() < 0.5 else ramp[::-1]
        word_rates[w] = rs.uniform(0.003, 0.008) * (1 + rs.uniform(1.5, 3) * shape)

    # --- Sampled posts -----------------------------------------------------
    # Daily volume: geometric growth, more posts at the weekend.
    lo, hi = posts_per_day
    growth = lo * (hi / lo) ** ramp
    dow = np.array([0.96, 0.97, 0.98, 1.0, 1.02, 1.1, 1.08])[weekday]
    n_posts_day = np.maximum(rng.poisson(growth * dow), 1)
    n_posts = int(n_posts_day.sum())
    offsets = np.concatenate([[0], np.cumsum(n_posts_day)])
    post_day = np.repeat(t, n_posts_day)

    n_about = rng.poisson(n_posts_day[None, :] * rate)
    # The trend posts take the first slots of each day (they are shuffled in
    # time later); never more of them than posts.
    over = n_about.sum(0) > n_posts_day
    n_about[:, over] = np.floor(n_about[:, over] * n_posts_day[over]
                                / n_about[:, over].sum(0)).astype(int)
    post_trend = np.full(n_posts, -1)
    for d in range(T):
        ids = np.repeat(np.arange(n_trends), n_about[:, d])
        post_trend[offsets[d]:offsets[d] + ids.size] = ids

    pairs_post, pairs_word = [], []

    def add(posts, word):
        pairs_post.append(posts)
        pairs_word.append(np.full(posts.size, index[word]))

    trend_posts = [np.flatnonzero(post_trend == k) for k in range(n_trends)]
    for k, posts in enumerate(trend_posts):
        q = inclusion[k]
        has = rng.random((posts.size, words_per_trend)) < q
        empty = np.flatnonzero(~has.any(1))
        has[empty, rng.choice(words_per_trend, empty.size, p=q / q.sum())] = True
        for j, w in enumerate(trend_words[k]):
            add(posts[has[:, j]], w)
    for (w, ks), qs in zip(shared_trends.items(), shared_inclusion):
        for k, q in zip(ks, qs):
            posts = trend_posts[k]
            add(posts[rng.random(posts.size) < q], w)
    for w, p in word_rates.items():
        add(_pick_posts(rng, p, n_posts_day, offsets), w)

    # Background words: constant Zipf-like rates; at least two draws per post
    # so that every text reads like a sentence.
    zipf = 1.0 / (np.arange(n_background) + 10.0)
    n_draws = 2 + rng.poisson(1.5, n_posts)
    pairs_post.append(np.repeat(np.arange(n_posts), n_draws))
    pairs_word.append(cuts[3] + rng.choice(n_background, n_draws.sum(),
                                           p=zipf / zipf.sum()))

    texts = _build_texts(rng, lang, np.concatenate(pairs_post),
                         np.concatenate(pairs_word), n_posts, words)

    # Seconds within the (local) day; see Notes for the Japanese window.
    # Sorting on the uniform draw itself gives the same order in both
    # languages, ties of whole seconds included.
    first_s = 0 if lang == "en" else 9 * 3600
    u = rng.random(n_posts)
    secs = first_s + np.floor(u * (86400 - first_s)).astype(int)
    order = np.lexsort((u, post_day))
    stamps = (day_dates[post_day].astype("datetime64[s]")
              + secs.astype("timedelta64[s]"))[order]
    suffix = "+00:00" if lang == "en" else "+09:00"
    created = [s + suffix for s in np.datetime_as_string(stamps, unit="s")]
    posts = pd.DataFrame({
        "id": np.arange(1, n_posts + 1, dtype=np.int64),
        "created_at": created,
        "text": [texts[i] for i in order],
    })

    days = [str(d) for d in day_dates]
    trends = [{"id": k, "peak": days[int(peaks[k])], "peak_day": int(peaks[k]),
               "sigma": float(sigmas[k]), "amplitude": float(amplitudes[k]),
               "words": list(trend_words[k])} for k in range(n_trends)]
    truth = {w: k for k in range(n_trends) for w in trend_words[k]}
    return PlantedCorpus(
        posts=posts, lang=lang, trends=trends, close_pairs=close_pairs,
        shared_words=list(shared_words), seasonal_words=list(seasonal_words),
        drifting_words=list(drifting_words),
        background_words=list(background_words), truth=truth,
        shared_trends=shared_trends, days=days, params=params)


def _check_params(p):
    if p["lang"] not in ("en", "ja"):
        raise ValueError(f"lang must be 'en' or 'ja', got {p['lang']!r}")
    for name in ("n_trends", "n_close_pairs", "n_shared", "n_seasonal",
                 "n_drifting", "n_background"):
        if int(p[name]) != p[name] or p[name] < 0:
            raise ValueError(f"{name} must be a non-negative integer")
    if p["n_days"] < 14:
        raise ValueError("n_days must be at least 14")
    if p["words_per_trend"] < 2:
        raise ValueError("words_per_trend must be at least 2")
    if p["close_gap"] < 1:
        raise ValueError("close_gap must be at least 1")
    if 2 * p["n_close_pairs"] > p["n_trends"]:
        raise ValueError("n_close_pairs needs 2 * n_close_pairs <= n_trends")
    if p["n_shared"] and p["n_trends"] < 2:
        raise ValueError("shared words need at least two trends")
    if p["n_background"] < 1:
        raise ValueError("n_background must be at least 1")
    lo, hi = p["posts_per_day"]
    if not (lo > 0 and hi > 0):
        raise ValueError("posts_per_day must be positive")
    vocab = _EN_WORDS if p["lang"] == "en" else _JA_WORDS
    need = (p["n_trends"] * p["words_per_trend"] + p["n_shared"]
            + p["n_seasonal"] + p["n_drifting"] + p["n_background"])
    if need > len(vocab):
        raise ValueError(f"this configuration needs {need} distinct words; "
                         f"the {p['lang']} list has {len(vocab)}")
    return vocab


def _place_trends(rng, n_days, n_trends, n_close_pairs, gap, max_tries=500):
    """Peak days and widths of the trends, and the close pairs (by id).

    Groups (a close pair, or a single trend) are placed one at a time at a
    uniformly drawn feasible day; a dead end restarts the draw.
    """
    n_single = n_trends - 2 * n_close_pairs
    # Close pairs: equal widths whose Gaussian bumps correlate at c, i.e.
    # exp(-gap**2 / (4 sigma**2)) = c.
    c = rng.uniform(0.55, 0.7, n_close_pairs)
    pair_sigma = gap / (2 * np.sqrt(-np.log(c)))
    single_sigma = rng.uniform(1.5, 3.0, n_single)
    groups = [(0, s) for s in single_sigma] + [(gap, s) for s in pair_sigma]
    edge_first = n_single > 0 and rng.random() < 0.5
    # The edge trend first, then the pairs (hardest to fit), then the rest.
    order = ([0] if edge_first else []) + list(range(n_single, len(groups))) \
        + list(range(1 if edge_first else 0, n_single))
    lo, hi = 1, n_days - 2
    days = np.arange(n_days)
    for _ in range(max_tries):
        placed = []  # (peak days, sigma)
        starts = {}
        for rank, g in enumerate(order):
            span, sigma = groups[g]
            ok = (days >= lo) & (days + span <= hi)
            if rank == 0 and edge_first:
                ok &= (days <= lo + 2) | (days >= hi - 2)
            for peaks, s in placed:
                sep = 2.0 * np.sqrt(sigma ** 2 + s ** 2)
                for p in peaks:
                    ok &= (np.abs(days - p) >= sep) & (np.abs(days + span - p) >= sep)
            cand = np.flatnonzero(ok)
            if cand.size == 0:
                break
            s0 = int(rng.choice(cand))
            starts[g] = s0
            placed.append(((s0, s0 + span) if span else (s0,), sigma))
        else:
            break
    else:
        raise ValueError(f"cannot place {n_trends} trends ({n_close_pairs} "
                         f"close pairs) in {n_days} days; use fewer trends or "
                         "more days")
    peaks, sigmas, pair_of = [], [], []
    for g, (span, sigma) in enumerate(groups):
        for p in ((starts[g], starts[g] + span) if span else (starts[g],)):
            peaks.append(p)
            sigmas.append(sigma)
            pair_of.append(g if span else -1)
    # Trend ids follow the peak days.
    rank = np.lexsort((np.arange(len(peaks)), peaks))
    peaks = np.array(peaks)[rank]
    sigmas = np.array(sigmas)[rank]
    pair_of = np.array(pair_of)[rank]
    pairs = sorted((tuple(int(i) for i in np.flatnonzero(pair_of == g)), g)
                   for g in set(pair_of.tolist()) - {-1})
    close_pairs = [p for p, _ in pairs]
    pair_corr = [float(c[g - n_single]) for _, g in pairs]
    return peaks, sigmas, close_pairs, pair_corr


def _pair_shared(rng, shared_words, peaks, sigmas, close_pairs):
    """Assign each shared word to two trends: the first two to close pairs
    (round robin), the others to distant pairs of trends."""
    out = {}
    n_close = min(len(shared_words), 2) if close_pairs else 0
    for i, w in enumerate(shared_words[:n_close]):
        out[w] = tuple(close_pairs[i % len(close_pairs)])
    n = len(peaks)
    cand = [(i, j) for i in range(n) for j in range(i + 1, n)]
    dist = np.array([abs(peaks[i] - peaks[j]) for i, j in cand], dtype=float)
    # Distant: the two bumps barely overlap, so the series peaks twice.
    far = [cand[m] for m in np.flatnonzero(
        dist >= 4 * np.array([max(sigmas[i], sigmas[j]) for i, j in cand]))]
    if not far:
        far = [cand[int(np.argmax(dist))]]
    for m, w in enumerate(shared_words[n_close:]):
        if m % len(far) == 0:
            far = [far[i] for i in rng.permutation(len(far))]
        out[w] = tuple(int(k) for k in far[m % len(far)])
    return out


def _pick_posts(rng, p, n_posts_day, offsets):
    """Posts (global indices) that hold a word whose daily rate is ``p``."""
    counts = rng.binomial(n_posts_day, np.minimum(p, 1.0))
    return np.concatenate([
        offsets[d] + rng.choice(n_posts_day[d], counts[d], replace=False)
        for d in range(len(counts))])


def _build_texts(rng, lang, post, word, n_posts, words):
    """Join each post's words, in random order, into a sentence."""
    n_words = len(words)
    code = np.unique(post.astype(np.int64) * n_words + word)
    post, word = code // n_words, code % n_words
    order = np.lexsort((rng.random(code.size), post))
    post, word = post[order], word[order]
    joiners, endings = ((_EN_JOINERS, _EN_ENDINGS) if lang == "en"
                        else (_JA_JOINERS, _JA_ENDINGS))
    glue = np.array(joiners, dtype=object)[rng.integers(0, len(joiners), code.size)]
    bounds = np.concatenate([[0], np.cumsum(np.bincount(post, minlength=n_posts))])
    last = bounds[1:] - 1
    glue[last] = np.array(endings, dtype=object)[
        rng.integers(0, len(endings), n_posts)]
    tokens = (np.array(words, dtype=object)[word] + glue).tolist()
    texts = ["".join(tokens[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
    if lang == "en":
        texts = [s[0].upper() + s[1:] for s in texts]
    return texts
