"""The claim stage: matches every item against the claim library and stores the matches, batch by batch."""

from __future__ import annotations

import logging
from typing import Literal

from civicpulse.models import Item
from civicpulse.store import Store
from civicpulse.store.claims import AUTO, LINKED, ClaimMatch, ClaimTables
from civicpulse.understand.claims.embedding import Embedder, default_embedder
from civicpulse.understand.claims.matcher import ClaimMatcher, Thresholds

log = logging.getLogger(__name__)
# A claim shows in the title or the first paragraphs; the rest of an article only costs time.
MAX_CHARS = 2000


def item_text(item: Item) -> str:
    """Return what is matched: the analysis text if understanding set one, else title and text."""
    if item.enrichment.analysis_text:
        return item.enrichment.analysis_text[:MAX_CHARS]
    title, text = item.title.strip(), item.text.strip()
    return (f"{title}.\n{text}" if title and text else title or text)[:MAX_CHARS]


class ClaimStage:
    """Buffers items in `process`; `flush` matches the batch and stores suggested and linked matches.

    The library is read again whenever it changed (one small query per batch). `embedder="auto"` uses
    `civicpulse.understand.embed` when it is installed, loaded at the first batch that needs it; None
    matches lexically only. At most `embed_budget` texts (claims included) are embedded per batch.
    """

    name = "claims"

    def __init__(
        self,
        store: Store,
        *,
        thresholds: Thresholds | None = None,
        embedder: Embedder | Literal["auto"] | None = "auto",
        embed_budget: int = 64,
    ) -> None:
        self.tables = ClaimTables(store)
        self.thresholds = thresholds or Thresholds()
        self.embed_budget = embed_budget
        self._embedder = embedder
        self._version: tuple[object, ...] | None = None
        self._matcher: ClaimMatcher | None = None
        self._pending: list[tuple[int, str, str]] = []
        self.matched = 0

    def process(self, item: Item) -> Item:
        """Remember the item for the batch match; the item itself is not changed."""
        if item.id is not None:
            self._pending.append((item.id, item_text(item), item.enrichment.lang or item.lang))
        return item

    def flush(self) -> None:
        """Match the buffered items and store what was found."""
        pending, self._pending = self._pending, []
        if not pending:
            return
        matcher = self.matcher()
        if not matcher.claims:
            return
        found = matcher.match_many([(text, lang) for _, text, lang in pending])
        rows = [
            ClaimMatch(
                item_id=item_id,
                claim_id=f.claim_id,
                score=f.score,
                lexical=round(f.lexical, 4),
                semantic=None if f.semantic is None else round(f.semantic, 4),
                status=f.status,
                decided_by=AUTO if f.status == LINKED else "",
            )
            for (item_id, _, _), matches in zip(pending, found, strict=True)
            for f in matches
        ]
        self.matched += self.tables.save_matches(rows)

    def matcher(self) -> ClaimMatcher:
        """Return the matcher for the current library, rebuilt when the library changed."""
        version = self.tables.version()
        if self._matcher is None or version != self._version:
            claims = [c for c in self.tables.find(active_only=True) if c.verdict != "true"]
            old = self._matcher.vectors if self._matcher is not None else None
            self._matcher = ClaimMatcher(
                claims, self.thresholds, self._resolve_embedder(bool(claims)), self.embed_budget, old
            )
            self._version = version
            log.debug("claims: matching against %d claims", len(claims))
        return self._matcher

    def _resolve_embedder(self, needed: bool) -> Embedder | None:
        if self._embedder == "auto":
            if not needed:
                return None  # load the model only once there is something to compare with
            self._embedder = default_embedder()
        return self._embedder
