"""Weak labelling rules that split ViHOS's binary toxic label into offensive and hate.

ViHSD's guideline (Luu et al. 2021): *offensive* is abusive language aimed at no one; *hate* is abusive
language aimed at a person or a group. So a toxic comment that names a target is labelled hate here:
a group term (region, ethnicity, religion, gender, sexuality, politics), a threat, or a direct address
("mày", "thằng", "bọn") next to the abuse. The rule is crude on purpose and written down (decision 0030).
"""

from __future__ import annotations

import re
import unicodedata

GROUP_TERMS = (
    r"bắc kỳ|bắc kì|nam kỳ|nam kì|parky|namkỳ|bắc cụ|khựa|tàu khựa|tàu cộng|mọi rợ|dân tộc|thượng|"
    r"bê đê|bede|pê đê|ô môi|đồng bóng|đàn bà|phụ nữ|đàn ông|gái|da đen|da màu|nhà quê|"
    r"thanh hóa|thanh hoá|nghệ an|hà tĩnh|miền bắc|miền nam|miền trung|"
    r"3 que|ba que|bò đỏ|phản động|cộng sản|công giáo|đạo|người hoa|chệt|hàn xẻng|"
    r"bọn|lũ|tụi|đám|chúng mày|bọn mày|tụi mày"
)
THREATS = r"giết|chết hết|đánh chết|đốt nhà|xử hết|tiêu diệt|đâm chết|cho chết"
ADDRESS = (
    r"mày|thằng|thg|nó|chúng nó|tụi nó|ông này|bà này|con này|con kia|con đó|con mụ|mụ|lão|"
    r"thứ như|loại như|đồ\s+\w+|mặt\s+\w+"
)
_TARGET = re.compile(rf"(?<!\w)(?:{GROUP_TERMS}|{THREATS}|{ADDRESS})(?!\w)", re.IGNORECASE)


def names_a_target(text: str) -> bool:
    """Return whether `text` names a person or group, or threatens someone."""
    return _TARGET.search(unicodedata.normalize("NFC", text).lower()) is not None


def split_toxic(text: str, label: str) -> str:
    """Map a ViHOS label (clean/toxic) onto clean/offensive/hate."""
    if label != "toxic":
        return "clean"
    return "hate" if names_a_target(text) else "offensive"
