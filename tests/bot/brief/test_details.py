"""Who, Where and When from the lead (bot/brief/details.py, when.py): no publisher, agency
or byline as Who, no person as Where, no date word inside a name, clock times found."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.brief.details import is_non_actor, is_team, lead_subject, spot
from bot.brief.embedded import Article, summarize
from bot.brief.sentences import Sentence
from bot.brief.when import find_clock, find_dates

WED = date(2025, 3, 12)
PUBLISHED = datetime(2025, 3, 12, 18, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "Sheffield Wednesday beat Leeds on Saturday.",
        "USA TODAY reported the figures.",
        "The deal reshapes today's AI industry.",
        "She read it in USA Today.",
    ],
)
def test_date_words_inside_names_are_not_dates(text: str) -> None:
    found = [m.text for m in find_dates(text, WED)]
    assert "Wednesday" not in found and not any(t.lower() == "today" for t in found)


@pytest.mark.parametrize(
    ("text", "clock"),
    [
        ("The fire started at 6am.", "6am"),
        ("Police were called at 10:30 p.m. on Sunday.", "10:30 p.m."),
        ("The quake struck at 2:09 a.m. local time.", "2:09 a.m."),
        ("No time was given.", None),
    ],
)
def test_clock_times(text: str, clock: str | None) -> None:
    assert find_clock(text) == clock


def test_times_of_day_are_kept_with_the_weekday() -> None:
    (m,) = find_dates("He was shot late Saturday night.", WED)
    assert m.text == "late Saturday night" and m.range is not None
    assert m.range.iso() == "2025-03-08"


def test_when_carries_the_clock_time() -> None:
    text = (
        "A fire destroyed a warehouse in Leeds at 6am on Wednesday, fire officials said.\n\n"
        "Nobody was hurt, the West Yorkshire Fire Service said."
    )
    brief = summarize(Article("Warehouse fire in Leeds", text, PUBLISHED))
    assert brief.key_details.when == "Wednesday (12 March 2025), 6am"


@pytest.mark.parametrize("name", ["CNN", "Reuters", "AP", "PA", "Staten Island Advance", "KGW"])
def test_publishers_and_agencies_are_not_actors(name: str) -> None:
    assert is_non_actor(name)


def test_who_skips_the_dateline_agency_and_the_byline() -> None:
    text = (
        "By Jane Miller\n\n"
        "LONDON (Reuters) - Northwind Systems agreed to buy Bolt Labs on Tuesday for "
        "$2 billion, Northwind said.\n\n"
        "Priya Raman, chief executive of Northwind, said the deal would close this year.\n\n"
        "Reuters could not reach Bolt Labs for comment."
    )
    brief = summarize(Article("Northwind to buy Bolt Labs", text, PUBLISHED))
    who = brief.key_details.who or ""
    assert who.startswith("Northwind Systems")
    assert "Reuters" not in who and "Jane Miller" not in who
    assert len(who.split("; ")) <= 3
    assert (brief.key_details.where or "").startswith("London")


def test_where_is_never_a_person() -> None:
    text = (
        "Lewis Hamilton won the Monaco Grand Prix on Sunday, the driver's first win of the "
        "season.\n\nHamilton said the car had been fast all weekend.\n\n"
        "Hamilton now trails the championship leader by ten points."
    )
    brief = summarize(Article("Hamilton wins in Monaco", text, PUBLISHED))
    assert "Hamilton" not in (brief.key_details.where or "")


def test_who_is_the_leads_subject_when_it_names_no_one() -> None:
    text = (
        "Three masked thieves stole jewels worth millions from a boutique on Tuesday.\n\n"
        "The men escaped in a car that was later found burned."
    )
    brief = summarize(Article("Jewel heist", text, PUBLISHED))
    assert brief.key_details.who == "Three masked thieves"


def test_what_is_the_headline_when_the_body_backs_it() -> None:
    text = (
        "Northwind Systems agreed on Tuesday to buy the chip designer Bolt Labs for "
        "$2 billion, saying the deal would double its sales to data centres.\n\n"
        "Bolt Labs employs about 400 people."
    )
    brief = summarize(Article("Northwind Systems to buy Bolt Labs for $2 billion", text))
    assert brief.key_details.what == "Northwind Systems to buy Bolt Labs for $2 billion"


def test_what_is_the_leads_main_clause_otherwise() -> None:
    text = (
        "Northwind Systems agreed on Tuesday to buy the chip designer Bolt Labs for "
        "$2 billion, saying the deal would double its sales to data centres.\n\n"
        "Bolt Labs employs about 400 people."
    )
    brief = summarize(Article("What the Bolt deal means for you", text))
    assert brief.key_details.what == (
        "Northwind Systems agreed to buy the chip designer Bolt Labs for $2 billion"
    )


def test_what_is_short_and_never_cut_mid_phrase() -> None:
    long_lead = (
        "The city council of Northtown approved a plan to replace every streetlight in the "
        "old harbour district with solar-powered lamps made by a local firm over three years "
        "at a cost of four million pounds."
    )
    brief = summarize(Article("Streetlights", f"{long_lead}\n\nWork starts in May."))
    what = brief.key_details.what or ""
    assert 0 < len(what.split()) <= 20
    assert not what.endswith("…") and long_lead.startswith(what)


def test_what_is_never_first_person() -> None:
    text = "I went to the launch of the new Pinecrest tablet in Berlin last week.\n\nIt folds."
    brief = summarize(Article("Hands on", text))
    assert brief.key_details.what is None


def test_bullets_and_takeaway_repeat_nothing() -> None:
    sentences = [
        "Northwind Systems agreed on Tuesday to buy Bolt Labs for $2 billion in cash.",
        "Northwind Systems agreed on Tuesday to buy Bolt Labs for $2 billion in cash.",
        "The deal is the largest in the company's history and will add 400 engineers.",
        "Analysts said the price was high but the market for low-power chips is growing.",
        "Regulators in Europe are expected to review the deal, which could take months.",
        "Tribune reporter Jane Doe contributed to this report.",
        "Northwind expects the deal to close by the end of the year.",
    ]
    title = "Northwind Systems to buy Bolt Labs for $2 billion"
    brief = summarize(Article(title, "\n\n".join(sentences), PUBLISHED))
    lines = [*brief.why_it_matters, *([brief.takeaway] if brief.takeaway else [])]
    assert 2 <= len(brief.why_it_matters) <= 3
    assert len({line.lower() for line in lines}) == len(lines)
    for line in lines:
        assert "contributed" not in line
        assert line not in brief.introduction and line != title


def test_where_falls_back_to_the_city_a_local_agency_is_named_after() -> None:
    text = (
        "A 46-year-old woman died Saturday, a week after she was wounded in a drive-by "
        "shooting, the Orlando Police Department said.\n\nNo arrests have been made."
    )
    brief = summarize(Article("Woman dies after shooting", text, PUBLISHED))
    assert brief.key_details.where == "Orlando"


def test_why_and_how_need_an_explicit_cue_about_the_main_event() -> None:
    text = (
        "A teenage boy is dead after a drive-by shooting in Chester on Sunday, police said.\n\n"
        "A man charged in an earlier case is due to appear in court on Monday.\n\n"
        "Officers are asking witnesses to come forward."
    )
    details = summarize(Article("Teen killed in drive-by shooting", text, PUBLISHED)).key_details
    assert details.why is None and details.how is None


def test_why_and_how_from_the_lead() -> None:
    text = (
        "Brightline Software will cut 1,100 jobs because sales of its accounting tools have "
        "slowed, and will pay for new AI features by selling its payroll unit.\n\n"
        "The cuts will be made by June."
    )
    details = summarize(Article("Brightline cuts jobs", text, PUBLISHED)).key_details
    assert details.why == "Because sales of its accounting tools have slowed"
    assert (details.how or "").startswith("By selling its payroll unit")


def test_who_reads_past_the_attribution_and_knows_an_age_marks_a_person() -> None:
    text = (
        "New Haven police said five people were shot at a party early Sunday.\n\n"
        "Jaime Rodriguez, 24, was among the wounded, police said."
    )
    who = summarize(Article("Five shot at party", text, PUBLISHED)).key_details.who or ""
    assert who.startswith("Five people")
    assert "Jaime Rodriguez" in who


def test_dateline_with_a_station_call_sign() -> None:
    text = "LEXINGTON, Ky. (LEX 18) - A teen was shot on Friday.\n\nPolice are investigating."
    brief = summarize(Article("Teen shot", text, PUBLISHED))
    assert brief.introduction.startswith("A teen was shot")
    assert (brief.key_details.where or "").startswith("Lexington")


@pytest.mark.parametrize(
    ("lead", "where"),
    [
        ("A young man was shot at an apartment in Bluefield, VA.", "Bluefield, VA"),
        ("Gary police received a call about a shooting at 9:15 p.m.", "Gary"),
    ],
)
def test_where_from_a_state_suffix_or_a_city_police(lead: str, where: str) -> None:
    text = f"{lead}\n\nThe victim was taken to hospital."
    assert summarize(Article("Shooting", text, PUBLISHED)).key_details.where == where


@pytest.mark.parametrize(
    ("lead", "first_who"),
    [
        ("Apple has unveiled a thinner MacBook Pro at its developer conference.", "Apple"),
        ("Dr. Sanjay Gupta has been offered the post of Surgeon General.", "Dr. Sanjay Gupta"),
    ],
)
def test_a_proper_name_subject_is_the_first_who(lead: str, first_who: str) -> None:
    text = f"{lead}\n\nThe news was welcomed by many."
    who = summarize(Article("News", text, PUBLISHED)).key_details.who or ""
    assert who.split("; ")[0].startswith(first_who)


@pytest.mark.parametrize(
    "text",
    [
        "A man was shot dead on Friday night.\n\nOfficers arrived to find 21-year-old Terrance "
        "Carroll dead from gunshot wounds.",
        "A man was shot dead on Friday night.\n\nThe coroner's office identified the victim as "
        "Terrance Carroll, 21, of Dallas.",
        "A man was shot dead on Friday night.\n\nThe victim, Terrance Carroll, was taken to a "
        "hospital, where he died.",
    ],
)
def test_who_names_the_victim_described_then_named(text: str) -> None:
    brief = summarize(Article("Man shot dead", text, PUBLISHED))
    assert "Terrance Carroll" in (brief.key_details.who or "")


def test_who_puts_the_named_party_before_the_spokesman() -> None:
    text = (
        "Two men were wounded in a shooting on Sunday, police said.\n\n"
        "Police Chief James Craig said officers were still looking for the gunman.\n\n"
        "Craig said the men, 61-year-old Joezell Williams and 29-year-old Bryan Williams, "
        "were expected to survive.\n\n"
        "Craig said the investigation continues."
    )
    who = summarize(Article("Two men wounded", text, PUBLISHED)).key_details.who or ""
    names = who.split("; ")
    assert "Joezell Williams" in names[:2]


@pytest.mark.parametrize(
    ("sentence", "subject"),
    [
        (
            "Wladimir Klitschko (52-3, 46 KOs) blasted a sluggish Hasim Rahman on Saturday.",
            "Wladimir Klitschko",
        ),
        ("Sarah Palin actually apologized after the church burned.", "Sarah Palin"),
        (
            "Yvonne Hiller, who was charged with the shooting at Kraft Foods, has been revealed "
            "to be a Muslim.",
            "Yvonne Hiller",
        ),
        ("A judge on Saturday sentenced the man to life.", "A judge"),
        ("MACON, Georgia – A man was shot on Monday.", "A man"),
    ],
)
def test_lead_subject_drops_asides(sentence: str, subject: str) -> None:
    assert lead_subject(Sentence(0, 0, sentence)) == subject


def test_a_proper_name_subject_the_entity_pass_missed_is_the_actor() -> None:
    text = (
        "Wladimir Klitschko (52-3, 46 KOs) blasted a sluggish Hasim Rahman in Mannheim on "
        "Saturday night to retain his titles.\n\nThe crowd cheered."
    )
    who = summarize(Article("Klitschko stops Rahman", text, PUBLISHED)).key_details.who or ""
    assert who.startswith("Wladimir Klitschko")


def test_an_unnamed_subject_is_listed_once() -> None:
    text = "Authorities said a woman was struck and killed by a car on Wednesday.\n\nShe was 66."
    who = summarize(Article("Woman killed", text, PUBLISHED)).key_details.who or ""
    assert who.count("Authorities") <= 1


def test_where_a_city_in_an_agency_named_by_a_speech_cue_is_still_a_place() -> None:
    text = (
        "A man and his son were found dead in a parked car in northeast Baltimore on Sunday "
        "morning.\n\nBaltimore City police said officers came upon the scene on patrol."
    )
    where = summarize(Article("Two found dead", text, PUBLISHED)).key_details.where or ""
    assert where.startswith("Baltimore")


@pytest.mark.parametrize(
    ("sentence", "venue"),
    [
        ("Parishioners will worship in a local school this morning.", "a local school"),
        ("The mob boss hanged himself in his prison cell, police said.", "his prison cell"),
        ("Klitschko stopped Rahman at the SAP Arena in Germany.", "the SAP Arena in Germany"),
        (
            "Officers were called to the 1900 block of 62nd Street on Sunday.",
            "the 1900 block of 62nd Street",
        ),
        ("He was found dead in Pagliarelli prison late on Tuesday.", "Pagliarelli prison"),
        (
            "NASA held an event at the Kennedy Space Center (KSC) in Florida.",
            "the Kennedy Space Center",
        ),
        # a noun modifier is not the spot; a named place says where; an organisation
        ("He fled after a brazen courthouse escape.", None),
        ("A young man was shot at an apartment in Bluefield, VA.", None),
        ("He belongs to the Fundamentalist Church of Jesus Christ.", None),
        ("The gunman opened fire at a home Friday night.", "a home"),
    ],
)
def test_spot_of_the_event(sentence: str, venue: str | None) -> None:
    assert spot(sentence) == venue


def test_where_puts_the_spot_before_the_city() -> None:
    text = (
        "Alaska Gov. Sarah Palin and her family will worship in a local school this morning "
        "after a fire destroyed the Wasilla Bible Church.\n\nNo one was hurt."
    )
    where = summarize(Article("Church fire", text, PUBLISHED)).key_details.where or ""
    assert where.startswith("a local school")


def test_sides_of_a_match_are_who_not_where() -> None:
    text = (
        "Yesterday, Sweden defeated South Korea 1 – 0; Belgium defeated Panama 3 – 0; and "
        "Tunisia lost 1 – 2 to England.\n\nSweden faced South Korea in the first game."
    )
    brief = summarize(Article("Sweden, Belgium, England win", text, PUBLISHED))
    assert brief.key_details.who == "Sweden; Belgium; England"
    assert brief.key_details.where is None


def test_a_country_without_a_score_is_still_a_place() -> None:
    assert not is_team("Greece", "Greece faces a debt crisis, and Athens was calm.")
    assert is_team("England", "Tunisia lost 1 – 2 to England.")


def test_a_name_owning_the_venue_is_not_who() -> None:
    text = (
        "A storm caused a crane to fall into Mecca's Grand Mosque, killing 107, according to "
        "Saudi Arabia's Civil Defense Authority.\n\nThe mosque was being enlarged."
    )
    brief = summarize(Article("Crane collapse", text, PUBLISHED))
    assert "Mecca" not in (brief.key_details.who or "").split("; ")
    assert (brief.key_details.where or "").startswith("Mecca's Grand Mosque")


def test_a_craft_is_not_an_actor() -> None:
    assert is_non_actor("Space Shuttle Enterprise")
    assert not is_non_actor("NASA")
