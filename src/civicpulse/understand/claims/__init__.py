"""Claims: a library of known false or misleading statements, and matching every item against it."""

from civicpulse.store.claims import Claim, ClaimMatch
from civicpulse.understand.claims.claimreview import parse_claimreviews
from civicpulse.understand.claims.matcher import ClaimMatcher, Found, Thresholds
from civicpulse.understand.claims.stage import ClaimStage
from civicpulse.understand.claims.verdicts import verdict_of

__all__ = [
    "Claim",
    "ClaimMatch",
    "ClaimMatcher",
    "ClaimStage",
    "Found",
    "Thresholds",
    "parse_claimreviews",
    "verdict_of",
]
