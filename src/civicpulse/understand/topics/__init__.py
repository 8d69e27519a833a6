"""Watched topics: boolean queries (AND, OR, NOT, phrases, NEAR/n, prefix*), compiled and matched in bulk."""

from civicpulse.understand.topics.matcher import CompiledQuery, Document, TopicMatcher, compile_query
from civicpulse.understand.topics.parser import QuerySyntaxError, parse

__all__ = ["CompiledQuery", "Document", "QuerySyntaxError", "TopicMatcher", "compile_query", "parse"]
