"""bot.stories.cluster: the evidence rules of #19 (contradictions, distinctive names,
publication-time distance), each on short news-style sentences written for the test."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.stories.cluster import Fingerprint, StoryText, fingerprint, same_story, threshold_for

MONDAY = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


def fp(title: str, text: str, source: str, published: datetime = MONDAY) -> Fingerprint:
    return fingerprint(StoryText(title, text, published, source))


def merges(a: Fingerprint, b: Fingerprint) -> bool:
    return same_story(a, b) > threshold_for(a, b)


def test_weekdays_are_read_relative_to_publication() -> None:
    made = fp("Mill fire", "The fire broke out on Saturday night. Crews left today.", "a")
    assert made.facts["day"] == {"2026-03-07", "2026-03-09"}
    # "Saturday" read on the next Wednesday is the same Saturday.
    later = fp("Harbour Mill fire", "The fire began Saturday.", "b", MONDAY + timedelta(days=2))
    assert later.facts["day"] == {"2026-03-07"}


def test_a_day_still_to_come_is_not_when_it_happened() -> None:
    made = fp("Trial set", "Jonas Varga will appear in court on Thursday.", "a")
    assert "day" not in made.facts


def test_dates_written_out_are_read() -> None:
    made = fp("Storm", "The storm reached Norfolk on March 6 and Dec. 30 was calm.", "a")
    assert made.facts["day"] == {"2026-03-06", "2025-12-30"}


SHOOTING = (
    "Two men were shot outside the Crescent Lounge on Elm Street in Dayton {day}, "
    "police said. Marcus Bell, {age}, died at Miami Valley Hospital."
)


def test_same_event_same_facts_merges() -> None:
    a = fp("Two shot outside Dayton lounge", SHOOTING.format(day="on Saturday", age=24), "a")
    text = SHOOTING.format(day="late Saturday", age=24)
    b = fp("Man dies after Dayton lounge shooting", text, "b")
    assert merges(a, b)


def test_days_a_day_apart_are_one_event() -> None:
    a = fp("Two shot outside Dayton lounge", SHOOTING.format(day="late Saturday", age=24), "a")
    b = fp("Two shot outside Dayton lounge", SHOOTING.format(day="early Sunday", age=24), "b")
    assert merges(a, b)


def test_different_days_are_different_events() -> None:
    a = fp("Two shot outside Dayton lounge", SHOOTING.format(day="on Tuesday", age=24), "a")
    b = fp("Two shot outside Dayton lounge", SHOOTING.format(day="on Saturday", age=24), "b")
    assert not merges(a, b)
    assert same_story(a, b) == 0.0


def test_different_ages_are_different_people() -> None:
    a = fp("Two shot outside Dayton lounge", SHOOTING.format(day="on Saturday", age=24), "a")
    b = fp("Two shot outside Dayton lounge", SHOOTING.format(day="on Saturday", age=31), "b")
    assert same_story(a, b) == 0.0


def test_ages_written_as_years_old_are_ages() -> None:
    text = "A 16-year-old boy and a man aged 40 were hurt. Dana Cole, 38, saw it."
    made = fp("Teen hurt", text, "a")
    assert made.facts["age"] == {"16", "40", "38"}


def test_different_magnitudes_are_different_earthquakes() -> None:
    text = "A magnitude {m} earthquake struck off Sumatra's west coast, the USGS said."
    a = fp("Quake hits off Sumatra", text.format(m="6.1"), "a")
    b = fp("Quake hits off Sumatra", text.format(m="5.4"), "b")
    c = fp("6.1-magnitude quake strikes off Sumatra", text.format(m="6.1"), "c")
    assert same_story(a, b) == 0.0
    assert c.facts["mag"] == {"6.1"}
    assert merges(a, c)


def test_facts_survive_json() -> None:
    made = fp("Quake", "A 6.1-magnitude quake hit on Sunday; a girl, 9, was hurt.", "a")
    assert Fingerprint.from_json(made.to_json()) == made
    assert made.facts == {"day": {"2026-03-08"}, "mag": {"6.1"}, "age": {"9"}}


def test_a_name_many_recent_stories_use_is_weak_evidence() -> None:
    from bot.stories.cluster import best_story, common_names

    fight = "Oleg Brandt retained his heavyweight titles against {who} in {where} on Saturday."
    new = fp("Brandt stops Pavel Kern", fight.format(who="Pavel Kern", where="Hamburg"), "new")
    others = [
        fp("Brandt beats Ray Soto", fight.format(who="Ray Soto", where="Essen"), "a"),
        fp("Brandt defends belts", fight.format(who="Tom Hale", where="Bonn"), "b"),
    ]
    stories = [(i, [o]) for i, o in enumerate(others)]
    assert "brandt" in common_names(new, stories)
    assert best_story(new, stories) is None
    # The same report from another outlet shares the opponent and the place too.
    same = fp("Brandt stops Kern in Hamburg", fight.format(who="Pavel Kern", where="Hamburg"), "c")
    assert best_story(new, [*stories, (9, [same])]) == 9


def test_a_name_few_recent_stories_use_keeps_its_weight() -> None:
    from bot.stories.cluster import common_names

    new = fp("Brandt stops Kern", "Oleg Brandt beat Pavel Kern in Hamburg on Saturday.", "new")
    other = fp("Storm hits Hamburg port", "A storm closed the port of Hamburg on Saturday.", "a")
    assert common_names(new, [(1, [other])]) == frozenset()


def test_the_outlet_appended_to_a_title_is_not_read() -> None:
    a = fp("Two shot in Dayton bar - WXYZ News 7 Dayton, Weather & Sports", "", "a")
    b = fp("Bridge closed after crash - WXYZ News 7 Dayton, Weather & Sports", "", "b")
    assert not a.names & b.names
    kept = fp("Fire at mill may have been arson - police", "", "c")
    assert "polic" in kept.title


def test_reports_that_may_be_the_same_event_do_not_make_its_names_common() -> None:
    from bot.stories.cluster import best_story, common_names

    text = "Firefighters fought a blaze at the Kessler Tannery in Marlow for {h} hours on Friday."
    new = fp("Kessler Tannery burns in Marlow", text.format(h="six"), "new")
    # Two earlier reports of the same fire that did not merge with each other.
    earlier = [
        fp("Fire at Marlow tannery", text.format(h="six"), "a"),
        fp("Kessler Tannery fire", text.format(h="six"), "b"),
    ]
    stories = [(i, [e]) for i, e in enumerate(earlier)]
    assert common_names(new, stories) == frozenset()
    assert best_story(new, stories) is not None


def test_two_titles_naming_people_the_other_never_mentions_are_two_events() -> None:
    text = "Oleg Brandt kept his heavyweight belts in Hamburg on Saturday, beating {who}."
    a = fp("Brandt stops Pavel Kern", text.format(who="Pavel Kern"), "a")
    b = fp("Brandt outpoints Ray Soto", text.format(who="Ray Soto"), "b")
    assert same_story(a, b) == 0.0
    # One title naming a person the other report leaves out is not enough.
    c = fp("Brandt keeps his belts", text.format(who="a late substitute"), "c")
    assert merges(a, c)


def test_an_age_closing_a_title_is_an_age() -> None:
    """Titles ending "... shooting of girl, 3" and "... Detroit girl, 5": two girls, two events (a
    development-set false merge, #19)."""
    three = fp("Man arraigned in Easter shooting of girl, 3", "Police said the man fired.", "a")
    five = fp("Grandparents charged in shooting of Detroit girl, 5", "Police said so.", "b")
    assert three.facts["age"] == {"3"} and five.facts["age"] == {"5"}
    assert same_story(three, five) == 0.0
    # A count inside a sentence is not an age.
    assert "age" not in fp("Votes", "The council voted 7, 2, in favour.", "c").facts


def test_one_shared_name_merges_only_when_what_happened_agrees() -> None:
    """Reports of one event often share only their subject and the words for what happened;
    another story about the subject shares the subject alone (#19)."""
    signed = fp(
        "Governor Hale signs order on cybersecurity after pipeline hack",
        "The governor signed an executive order on cybersecurity on Wednesday, requiring "
        "pipeline operators to report hacks within twelve hours after a ransomware attack "
        "shut a fuel pipeline for days.",
        "a",
    )
    same_event = fp(
        "In wake of pipeline hack, Hale signs cybersecurity executive order",
        "Pipeline operators must report hacks within twelve hours under an executive order "
        "on cybersecurity the governor signed Wednesday, days after a ransomware attack shut "
        "a fuel pipeline.",
        "b",
    )
    other_story = fp(
        "Hale proposes a bigger school budget",
        "The governor proposed on Wednesday to raise school spending, telling lawmakers the "
        "state could afford more teachers without new taxes.",
        "c",
    )
    assert merges(signed, same_event)
    assert same_story(signed, other_story) == 0.0
