"""Stop words for lexical terms: Vietnamese from underthesea (Apache-2.0), English hand-written."""

from __future__ import annotations


def _set(words: str) -> frozenset[str]:
    """Return the whitespace-separated words of `words` as a set."""
    return frozenset(words.split())


# Vietnamese: underthesea/datasets/stopwords/stopwords.txt (52 lines), github.com/undertheseanlp/underthesea
# at commit 3f5a6197, Apache License 2.0. Copied except the two-syllable
# `tuy nhiên`, since terms are single syllables; matched against lower-case NFC syllables.
VIETNAMESE: frozenset[str] = _set(
    """có của trong các được đến và nhiều này một chỉ đó sẽ số để đã ở những vào qua đi không là ra mà khi
    rằng từ năm rất hay tại sau bị đều vẫn lần như đồng mình còn xảy đợt theo hiện 10 gì tới lại về
    2"""
)

# Folded forms dropped from diacritic-free text: only those that are a function word whatever their
# diacritics; `va` (va chạm), `o` (ô nhiễm), `tai` (tai nạn), `khi` (khí thải), `de` (đê) must stay.
VIETNAMESE_FOLDED: frozenset[str] = _set("cac duoc nhung nay mot khong la rang rat deu nhu theo vao")

ENGLISH: frozenset[str] = _set(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just me more most my
    myself no nor not now of off on once only or other our ours ourselves out over own same she should so
    some such than that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would you your yours
    yourself yourselves s t don rt via amp http https co www im its it's i'm"""
)
