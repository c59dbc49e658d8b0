"""Stop words for each use, built on the one list (`storage.stopwords.FUNCTION_WORDS`)."""

from storage.stopwords import FUNCTION_WORDS, SEARCH_STOPWORDS

__all__ = ["CLUSTER_STOPWORDS", "FUNCTION_WORDS", "RANK_STOPWORDS", "SEARCH_STOPWORDS"]

RANK_STOPWORDS = FUNCTION_WORDS | frozenset(
    """
    it's may might must new one said say says shall two
    """.split()  # noqa: SIM905 (a word list reads best as words)
)
"""Left out of the summarizer's sentence-ranking terms: also modal verbs and small numbers."""

CLUSTER_STOPWORDS = FUNCTION_WORDS | frozenset(
    """
    across ago almost along already although amid among another anyone anything apr
    april around aug august away back became become cannot co corp day days dec december
    done dozen dr eight either else even evening ever every feb february first five four
    friday get gets gmbh got half hour hours however inc jan january jul july jun june
    least less like llc ltd many mar march may might monday month months morning mr mrs
    ms much must near neither next night nine nov november oct october one onto others
    otherwise perhaps plc quite rather saturday second sep sept september seven since
    six st still sunday ten third though three thursday thus today tomorrow tonight
    toward towards tuesday two unless upon us vs wednesday week weeks well whatever
    whether whose within without year years yesterday yet
    """.split()  # noqa: SIM905 (a word list reads best as words)
)
"""Left out of story fingerprints: also dates, numbers, weekdays, months, honorifics and
company suffixes, which say nothing about which event a report is about."""
