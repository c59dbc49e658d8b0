"""English function words: the one stop-word list of the project. It lives at the bottom
layer because search queries need it; `bot/text/stopwords.py` adds what each other use
needs."""

FUNCTION_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his
    how i if in into is it its itself just me more most my myself no nor not now of off
    on once only or other our ours ourselves out over own per same she should so some
    such than that the their theirs them themselves then there these they this those
    through to too under until up very via was we were what when where which while who
    whom why will with would you your yours yourself yourselves
    """.split()  # noqa: SIM905 (a word list reads best as words)
)
"""Grammar words, not topics: left out of search queries, rankings and fingerprints."""

SEARCH_STOPWORDS = FUNCTION_WORDS | frozenset(
    """
    amid don new s said say says t vs
    """.split()  # noqa: SIM905 (a word list reads best as words)
)
"""Left out of an AND query (unless all words are such) and out of key phrases: also the
reporting verbs and contractions' leftovers that match everywhere."""
