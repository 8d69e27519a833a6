"""Template sentences built from a hand-written polarity lexicon, so sentiment learns from sentences.

Single lexicon words teach a linear model little about sentences: the carrier words (subjects,
intensifiers) end up on whichever class has more text. Putting the same carriers around positive,
negative, negated and neutral predicates makes them neutral and leaves the polarity to the predicate.
"""

from __future__ import annotations

import random
from importlib import resources
from pathlib import Path

from civicpulse.understand.classify.card import DataSource
from civicpulse.understand.classify.corpus import Labelled

SUBJECTS = (
    "cán bộ",
    "nhân viên",
    "dịch vụ",
    "con đường này",
    "khu phố",
    "phường mình",
    "thầy",
    "cô",
    "giảng viên",
    "bài giảng",
    "môn học",
    "phòng học",
    "xe buýt",
    "bệnh viện",
    "trường",
    "thủ tục",
    "hồ sơ",
    "công viên",
    "nước máy",
    "quán này",
    "cách làm việc",
    "thái độ",
    "chương trình",
    "chính sách",
    "ứng dụng",
    "trang web",
    "metro",
    "chợ",
    "khu vực này",
    "tổ dân phố",
    "giáo trình",
    "cơ sở vật chất",
    "chất lượng",
    "giá cả",
)
INTENSIFIERS = ("rất", "quá", "khá", "cực kỳ", "hơi", "thật sự", "vô cùng", "", "", "")
ENDINGS = ("", ".", " lắm", " ghê", " quá", "!", " thật", " luôn", " nhé")
NEGATIONS = ("không", "chưa", "chẳng", "không được", "ko")
NEUTRAL_PREDICATES = (
    "có 3 tín chỉ",
    "bắt đầu lúc 8 giờ",
    "ở tầng 2",
    "họp vào thứ Hai",
    "được cập nhật hôm qua",
    "thuộc phường Bến Thành",
    "gồm 4 phần",
    "mở cửa từ 7 giờ",
    "dạy vào buổi sáng",
    "nằm gần chợ",
    "có 25 người",
    "áp dụng từ tháng sau",
    "được thông báo trên trang web",
    "chuyển sang phòng khác",
    "do phường quản lý",
    "kéo dài 45 phút",
    "dùng giáo trình mới",
    "thu phí theo quy định",
    "có lịch cố định",
    "nộp trước ngày 15",
    "học ở cơ sở 2",
    "có bài kiểm tra giữa kỳ",
)


def read_lexicon() -> dict[str, tuple[str, ...]]:
    """Return the project's hand-written polarity lexicon: label -> words."""
    path = Path(str(resources.files("civicpulse") / "data" / "seeds" / "sentiment_lexicon.tsv"))
    lexicon = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            label, words = line.split("\t", 1)
            lexicon[label] = tuple(w.strip() for w in words.split("|") if w.strip())
    return lexicon


def template_sentences(rng: random.Random, per_class: int) -> tuple[list[Labelled], DataSource]:
    """Return `per_class` synthetic sentences for each of negative, neutral and positive."""
    lexicon = read_lexicon()
    rows: list[Labelled] = []
    for label in ("positive", "negative"):
        for i in range(per_class):
            word = rng.choice(lexicon[label])
            subject, ending = rng.choice(SUBJECTS), rng.choice(ENDINGS)
            if i % 4 == 3:
                # "không tốt" is negative; "không tệ" is at best lukewarm, so it is labelled neutral.
                negated = "negative" if label == "positive" else "neutral"
                rows.append(Labelled(f"{subject} {rng.choice(NEGATIONS)} {word}{ending}", negated))
            else:
                text = f"{subject} {rng.choice(INTENSIFIERS)} {word}{ending}"
                rows.append(Labelled(" ".join(text.split()), label))
    for _ in range(per_class):
        text = f"{rng.choice(SUBJECTS)} {rng.choice(NEUTRAL_PREDICATES)}{rng.choice(ENDINGS[:2])}"
        rows.append(Labelled(text, "neutral"))
    source = DataSource(
        "civicpulse sentiment lexicon templates", len(rows), "GPL-3.0-or-later", "written for civicpulse"
    )
    return rows, source
