"""Briefs: the structured summary of an item (Introduction, Key details, Why it matters,
Takeaway), made once by the embedded summarizer or an LLM, grounded in the article."""

from bot.brief.embedded import Article, summarize
from bot.brief.model import Brief, KeyDetails

__all__ = ["Article", "Brief", "KeyDetails", "summarize"]
