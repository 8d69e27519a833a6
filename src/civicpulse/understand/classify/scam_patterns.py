"""The scam and fraud signals: named patterns over folded (diacritic-free, lower-case) text.

Written folded so that "chuyển khoản", "chuyen khoan" and "CHUYỂN KHOẢN" all match. Each pattern names
one tactic seen in Vietnamese fraud warnings (Bộ Công an, NCSC, the banks' advisories), not a topic:
a news article *about* scams will also fire, which is why a single weak signal never decides alone.
"""

from __future__ import annotations

import re

_SHORTENERS = r"bit\.ly|tinyurl\.com|cutt\.ly|rb\.gy|shorturl\.at|s\.id|is\.gd|t\.ly|tiny\.cc|t\.me"
_ODD_TLDS = r"xyz|top|click|online|site|shop|vip|cc|icu|buzz|live|fun|info|tk|ml|ga|cf|gq|link|app|store"

SIGNALS: dict[str, str] = {
    "fake_recruitment": (
        r"viec nhe,? luong cao|viec nhe luong|tuyen (?:gap )?(?:ctv|cong tac vien)"
        r"|lam (?:viec )?(?:online )?tai nha"
        r"|kiem (?:duoc )?\d+\s*(?:k|tr|trieu)|cong tac vien chot don|chot don (?:ao|nhan hoa hong)"
        r"|thu nhap (?:tu )?\d+\s*(?:k|tr|trieu|nghin|ngan)\S*\s*(?:/|mot |moi )?\s*(?:ngay|gio|buoi)"
        r"|khong can kinh nghiem|lam nhiem vu|nhiem vu (?:tha tim|like|danh gia)|chot don ao"
        r"|tha tim (?:kiem|nhan) tien|nhan hoa hong|kiem tien online|like (?:video|tiktok|youtube) kiem tien"
    ),
    "fake_official": (
        r"(?:gia danh|mao danh|tu xung)(?: la)? "
        r"(?:cong an|can bo|canh sat|toa an|vien kiem sat|thue|dien luc)"
        r"|(?:cong an|toa an|vien kiem sat|can bo thue|co quan thue)\S*.{0,40}"
        r"(?:goi dien|yeu cau|chuyen tien)"
        r"|lien quan (?:den|toi) (?:vu an|duong day|rua tien|ma tuy)|giay trieu tap|lenh bat"
        r"|cap nhat (?:thong tin )?(?:dinh danh|vneid|can cuoc)|dinh danh muc 2"
        r"|khoa (?:so )?thue bao|thue bao.{0,30}bi khoa"
        r"|tai khoan (?:cua ban )?(?:se )?bi (?:khoa|dong bang|tam khoa)|hoan thue|no cuoc|cat dien do no"
        r"|(?:la|tu xung la) (?:can bo|cong an|nhan vien) (?:thue|ngan hang|dien luc|bhxh|bao hiem)"
    ),
    "money_transfer": (
        r"chuyen (?:khoan|tien)|nap tien|\bck\b|dat coc|phi (?:xu ly|ho so|bao hiem|giai ngan|kich hoat)"
        r"|so tai khoan|\bstk\b|tai khoan (?:tam giu|an toan)|gui tien vao|(?:nop|dong|chuyen) phi"
    ),
    "otp_request": (
        r"\botp\b|ma (?:xac thuc|xac nhan|kich hoat|pin|bao mat)|cung cap (?:ma|mat khau|thong tin the)"
        r"|doc (?:giup |cho )?(?:ma|so)|mat khau (?:ngan hang|tai khoan)|so the (?:va|,) (?:ma|ngay)"
    ),
    "prize_or_gift": (
        r"trung thuong|(?:ban )?da trung|qua (?:tang )?tri an|nhan qua|nhan thuong|quay so trung"
    ),
    "investment_or_loan": (
        r"loi nhuan \d+\s*%|lai \d+\s*%\s*(?:/|mot |moi )?\s*(?:ngay|tuan)|cam ket loi nhuan"
        r"|san (?:ngoai hoi|forex)"
        r"|x\d+ tai khoan|vay (?:tien )?(?:online|nhanh)|giai ngan (?:trong|ngay)|khong the chap"
    ),
    "suspicious_link": (
        rf"(?:https?://)?(?:{_SHORTENERS})/\S+|(?:https?://)?[\w-]+(?:\.[\w-]+)*\.(?:{_ODD_TLDS})\b(?:/\S*)?"
        r"|\.apk\b|tai (?:app|ung dung)|cai (?:dat )?(?:app|ung dung)"
        r"|(?:https?://)?[\w.-]*gov[\w.-]*\.(?!gov\.vn)(?:com|net|org|vn|info|xyz|top)\b"
    ),
    "urgency": r"goi ngay|ngay lap tuc|trong vong \d+ ?(?:h|gio|phut)|khan cap|gap gap|truoc \d+h",
    "warning_context": (
        r"canh bao|khuyen cao|de phong|luu y|(?:khong|dung|tuyet doi khong) (?:cung cap|chuyen|bam|click)"
    ),
    "phone_number": r"(?<!\d)(?:\+?84|0)(?:3|5|7|8|9)\d(?:[ .]?\d){7}(?!\d)|(?<!\d)1900[ .]?\d{4}(?!\d)",
}

COMPILED: dict[str, re.Pattern[str]] = {name: re.compile(p) for name, p in SIGNALS.items()}
# One scan over all patterns first: most posts match none, and then the per-signal scans are skipped.
ANY = re.compile("|".join(f"(?:{p})" for p in SIGNALS.values()))

# Log-odds each signal adds; hand-set from how specific the tactic is, then refit by `learn_many`.
DEFAULT_WEIGHTS: dict[str, float] = {
    "fake_recruitment": 2.2,
    "fake_official": 2.4,
    "money_transfer": 1.6,
    "otp_request": 2.6,
    "prize_or_gift": 1.8,
    "investment_or_loan": 2.2,
    "suspicious_link": 1.4,
    "urgency": 0.8,
    "phone_number": 0.6,
    # Warnings about scams use the same words; they are news, not fraud.
    "warning_context": -2.0,
}
DEFAULT_BIAS = -2.0
