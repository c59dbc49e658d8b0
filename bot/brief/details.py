"""Who, Where and When of a brief, from the lead first.

News writing puts the main actor in the lead's subject, the place in its dateline or an
"in X" phrase, and the time next to the verb. Each function picks from there first, then
from the names the article repeats; a candidate of the wrong kind (the publisher, a news
agency, a person as a place) is left out. Empty beats wrong: None when nothing fits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date

from bot.brief.cleanup import AGENCIES
from bot.brief.entities import Entity, places
from bot.brief.sentences import Sentence
from bot.brief.when import find_clock, find_dates, when_line

MAX_WHO = 3
MAX_WHERE = 4

# Mastheads and broadcasters: the source of a report, not an actor in it.
_PUBLISHER = re.compile(
    r"\b(?:News|Times|Post|Journal|Herald|Tribune|Gazette|Daily|Magazine|TV|Radio|Channel|"
    r"Chronicle|Advance|Inquirer|Observer|Telegraph|Guardian|Examiner|Courier|Sentinel|Patch|"
    r"Register|Bulletin|Dispatch|Star-\w+|Newsbeat|Online|Bee|\.com)\b|"
    # a hospital or a street is where things happened, not who did them
    r"\b(?:Hospital|Medical Center|Street|Avenue|Road|Boulevard|Lane|Drive)$|^(?:[KW][A-Z]{2,3}|"
    r"[KW][A-Z]{2,3}-TV)$"
)
# Words a lead's subject starts with that are not the actor ("On Tuesday, ...").
_ADVERBIAL = re.compile(
    r"^(?:(?:On|In|At|By|After|Before|During|Since|Over|Early|Late|Last|This|Earlier|Later|"
    r"Today|Yesterday|Tonight|For|With|Following|Amid|Despite|As|When|While|According to)"
    r"\b[^,]{0,80},\s*)+"
)
_VERB = re.compile(
    r"\b(?:died|dies|killed|injured|wounded|arrested|charged|identified|sentenced|convicted|"
    r"pleaded|accused|announced|agreed|confirmed|reported|released|launched|approved|opened|"
    r"is|are|was|were|has|have|had|will|would|can|could|may|might|must|should|did|does|"
    r"do|said|says|say|told|tells|gets?|got|took|takes?|made|makes?|won|wins?|lost|loses?|"
    r"shot|hit|left|leaves|led|leads|ran|runs|went|goes|came|comes|gave|gives|found|finds|"
    r"became|becomes|began|begins|fell|falls|rose|rises|stole|fled|held|holds|broke|"
    r"sought|seeks|spent|sent|sold|bought|plans|wants|faces|warns|agrees|announces|"
    # a past tense followed by its object or a preposition ("arrested a man"), not an
    # adjective before a noun ("masked thieves")
    r"[a-z]{3,}ed(?= (?:a|an|the|his|her|its|their|two|three|\d+|in|at|on|to|by|after|"
    r"with|from|up|out|off|into|that|for|over|more|about|him|them|it)\b|[,.]))\b"
)
_PROPER_SUBJECT = re.compile(
    r"(?!(?:The|A|An|This|That|These|Those|It|He|She|They|We|I|His|Her|Its|Their|Our)\b)"
    r"[A-Z][\w.'’&-]*(?: (?:of |de |the )?[A-Z][\w.'’&-]*){0,4}"
)
_SUBJECT_TAIL = re.compile(
    r"(?: (?:on|last|this|early|late) (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
    r"Sunday|week|month|year|morning|night)| (?:also|now|then|finally|actually|reportedly|"
    r"allegedly|quickly|recently|officially))+$"
)
_LOCAL_NOUN = r"(?:police|officials|authorities|fire|firefighters|prosecutors|officers)\b"
_SPEECH_VERB = re.compile(r"said|says|say|told|tells|reported|confirmed|announced")
# Common nouns that name an actor: a lead subject made of these is a Who by itself.
_ACTOR_NOUN = re.compile(
    r"\b(?:police|officers?|troopers?|deput(?:y|ies)|sheriff|authorities|officials?|"
    r"government|ministers?|lawmakers|senators?|parliament|court|judge|jury|prosecutors?|"
    r"investigators|regulators?|company|companies|firm|startup|group|researchers|scientists|"
    r"students?|workers|employees|protesters|residents|voters|fans|players?|team|club|"
    r"(?:wo)?m[ae]n|boys?|girls?|child(?:ren)?|teen(?:ager)?s?|people|persons?|suspects?|"
    r"gunm[ae]n|shooter|thie(?:f|ves)|robbers|attackers|victims?|drivers?|pilots?|doctors|"
    r"patients|mother|father|couple|family|famil(?:y|ies)|soldiers|troops|militants|rebels|"
    r"pirates|hackers|users|customers|shoppers|actress|actor|singer|star|coach)\b",
    re.IGNORECASE,
)
_IN_PLACE = re.compile(
    r"\b(?:in|at|near|outside|from|across|of) (?:the |a |an )?(?:[a-z-]+ ){0,2}?"
    r"(?:(?:city|town|village|county|state|province|region|suburb|neighbou?rhood) of )?"
    r"(?P<place>[A-Z][\w'’.-]+(?:(?: (?:de|of|la|le|du|del))? [A-Z][\w'’.-]+){0,3}"
    r"(?:, [A-Z][\w.]+(?: [A-Z][\w.]+)?)?)"
)
# "Lewis Hamilton": a first name and a surname, the first not a place itself.
_PERSON_NAME = re.compile(r"[A-Z][a-z]+(?: [A-Z]\.)? [A-Z][a-z'’-]+")
_NOT_PLACE_WORD = re.compile(
    r"^(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|The|A|An|This|That|"
    r"Mr|Mrs|Ms|Dr|His|Her|Their|Its|Our)$"
)


# A craft or vehicle named as a thing ("Space Shuttle Enterprise would be relocated"): the
# object of the story, not an actor.
_VEHICLE = re.compile(r"^(?:Space Shuttle|Shuttle|Spacecraft|Rover|Probe|Satellite)\b")


def is_non_actor(name: str) -> bool:
    """The publisher, a news agency, a masthead or a craft: never a Who."""
    return (
        name in AGENCIES
        or name.removeprefix("The ") in AGENCIES
        or bool(_PUBLISHER.search(name))
        or bool(_VEHICLE.match(name))
    )


def lead_subject(sentence: Sentence) -> str:
    """The lead's grammatical subject, roughly: the words before its first verb, leading
    adverbials ("On Tuesday,") and appositives aside. Empty when it is not a short phrase."""
    text = re.sub(r"\s*\([^()]{0,60}\)", "", sentence.text)
    # "MACON, Georgia – A man ...": a dateline the clean-up left
    text = _ADVERBIAL.sub("", re.sub(r"^[A-Z][A-Z .'-]+(?:, [A-Z][\w.]+)*\s+[–—-]+\s+", "", text))
    # "Yvonne Hiller, who has been charged ..., has been": the name before the relative
    named = re.match(rf"({_PROPER_SUBJECT.pattern}), (?:who|whose)\b", text)
    if named:
        return named.group(1)
    text = re.sub(r",[^,]{1,80},", "", text)
    m = _VERB.search(text)
    if m is None:
        return ""
    if _SPEECH_VERB.fullmatch(m.group(0)):
        # "Police said five people were shot": the actor is in the reported clause
        reported = re.sub(r"^\s*(?:that\s+)?", "", text[m.end() :])
        inner = _VERB.search(reported)
        if inner and 0 < len(reported[: inner.start()].split()) <= 8:
            return reported[: inner.start()].strip(" ,;:-—")
    subject = text[: m.start()].strip(" ,;:-—")
    # "Sarah Palin actually apologized", "The United Nations on Wednesday denied"
    subject = _SUBJECT_TAIL.sub("", subject)
    return subject if 0 < len(subject.split()) <= 8 else ""


def _label(entity: Entity) -> str:
    return f"{entity.name} ({entity.role})" if entity.role else entity.name


def who(entities: Sequence[Entity], first: Sentence, lead: Sentence, title: str) -> str | None:
    """1-3 main actors by salience, each once, with its role when stated: the named people
    and organisations of the lead, the opening, the title or repeated (the lead's subject
    first); the lead's subject as written ("Three masked thieves") when it names no one."""
    subject = lead_subject(first)
    title_lower = title.lower()
    candidates = [
        e
        for e in entities
        if e.kind in ("person", "org")
        and not is_non_actor(e.name)
        and not (e.name in places() and e.kind != "person")
        and (
            lead.index in e.sentences
            or e.count >= 2
            or e.first <= 2
            or e.role
            or e.participant
            or e.name.lower() in title_lower
        )
    ]
    # "New Haven police said": a name before a lowercase agency noun is its place.
    # ... and a name owning a venue ("Mecca's Grand Mosque") is where, not who.
    candidates = [
        e
        for e in candidates
        if not re.search(rf"\b{re.escape(e.name)} {_LOCAL_NOUN}", first.text)
        and not (
            (f"{e.name}'s " in first.text or f"{e.name}’s " in first.text)
            and re.search(
                rf"\b{re.escape(e.name)}['’]s (?:[A-Z][\w-]* ){{0,3}}{_VENUE_CAP_HEAD}\b",
                first.text,
            )
        )
    ]
    # The subject of the lead goes first, then the parties named with an age or as the
    # one identified (the victim named late in a crime report); the rest by salience.
    candidates.sort(key=lambda e: (not (subject and e.name in subject), not e.participant))
    picked: list[str] = []
    names: list[str] = []
    for e in candidates:
        if any(e.name in n or n in e.name for n in names):
            continue
        picked.append(_label(e))
        names.append(e.name)
        if len(picked) == MAX_WHO:
            break
    # A match report: the sides in the lead's score line are the actors ("Sweden
    # defeated South Korea 1 – 0"), those the headline names first.
    teams = [e.name for e in entities if e.kind == "place" and is_team(e.name, first.text)]
    if len(teams) >= 2:
        teams.sort(key=lambda t: (t.lower() not in title_lower, first.text.find(t)))
        picked = [t for t in teams if not any(t in n for n in names)][:MAX_WHO] + picked
        picked = picked[:MAX_WHO]
        names = picked[:]
    if len(picked) < MAX_WHO and _missed_name(subject, names):
        picked.insert(0, subject)
        names.insert(0, subject)
    lead_named = any(first.index in e.sentences for e in candidates if e.name in names)
    if (
        not lead_named
        and subject
        and subject not in names
        and _ACTOR_NOUN.search(subject)
        and len(picked) < MAX_WHO
    ):
        picked.insert(0, subject[:1].upper() + subject[1:])
    return "; ".join(picked) or None


# The spot of the event in the lead: "in a local school", "in his prison cell", "at the SAP
# Arena", "outside the Sam's Club", "the 1900 block of 62nd Street".
_VENUE_HEAD = (
    r"(?:school|prison|jail|park|hospital|church|mosque|temple|store|shop|supermarket|"
    r"restaurant|bar|nightclub|club|hotel|motel|apartment|apartments|building|station|"
    r"airport|mall|stadium|arena|facility|cent(?:er|re)|plant|factory|warehouse|camp|"
    r"campus|cell|courthouse|parking lot|gas station|intersection|highway|freeway|"
    r"interstate|rehab(?: (?:center|facility|clinic))?|clinic|home|house|residence|room|"
    r"office|bank|casino|theat(?:er|re)|cinema|museum|embassy|base|port|harbou?r|village)"
)
_VENUE_CAP_HEAD = (
    r"(?:School|Prison|Jail|Park|Hospital|Church|Mosque|Store|Shop|Restaurant|Bar|Club|"
    r"Hotel|Motel|Apartments|Building|Station|Airport|Mall|Stadium|Arena|Cent(?:er|re)|"
    r"Plant|Factory|Camp|Campus|Courthouse|Square|Bridge|Casino|Theat(?:er|re)|Museum|"
    r"Embassy|Base|Field|Garden|Gardens|Palace|House|Market|Plaza|Tower|Cathedral|"
    r"National Park|Street|Avenue|Road|Boulevard|Lane|Drive|Highway)"
)
_NAME_WORD = r"(?!(?:Gov|Sen|Rep|Mr|Mrs|Ms|Dr|President)\b)[A-Z][\w&.-]*(?:['’]s(?= [A-Z]))?"
_TIME_NAME = (
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|"
    r"April|May|June|July|August|September|October|November|December)\b"
)
_VENUE = re.compile(
    r"\b(?:in|at|inside|outside|near|on|into|from) "
    r"(?P<venue>(?:"
    # a named venue: "the SAP Arena", "Pagliarelli prison", "Sam's Club"
    rf"(?:the )?{_NAME_WORD}(?: {_NAME_WORD}){{0,3}} (?:{_VENUE_CAP_HEAD}|{_VENUE_HEAD})\b"
    r"(?! of [A-Z])"  # "the Fundamentalist Church of Jesus Christ": an organisation
    r"|"
    # a described one: "a local school", "his prison cell", "the federal prison"
    r"(?:a|an|the|his|her|their|its) (?:(?!(?:when|where|which|that|who|weekend|night|"
    r"morning|evening|afternoon|day|week|and|or|of)\b)[a-z-]+ ){0,2}?" + _VENUE_HEAD + r"s?\b"
    r")(?: (?:in|of|on) (?:the )?(?!" + _TIME_NAME + r")[A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+){0,2}"
    r"(?:, [A-Z][\w.]+)?)?)"
    # the head ends the phrase: not "a courthouse escape", "a school shooting"
    r"(?=[,.;:)!?\"”]|$| (?:in|on|at|of|near|where|when|after|before|and|or|during|that|which|"
    r"with|while|early|late|last|this|around|about|for|to|from|by|was|were|is|are|has|had|"
    r"\d)\b| \([A-Z]{2,6}\)| " + _TIME_NAME + ")"
)
_BLOCK = re.compile(
    r"\b(?P<venue>(?:the )?\d{1,5} block of (?:[A-Z0-9][\w'’.-]*\s){1,4}"
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Drive|Dr|Place|Court|Way|Parkway|"
    r"Highway|Circle|Terrace)\b\.?)"
)
_INSTITUTION = re.compile(
    r"\b(?:City|County|Schools?|High|Police|Department|Office|Club|Church|Hospital|Center|"
    r"Centre|Park|Street|Avenue|Road|College|University|Court|Council|Station|Airport)$"
)
_LOCAL_AGENCY = re.compile(
    r"^((?:[A-Z][a-z]+ ){0,2}[A-Z][a-z]+) (?:Police|Fire|Sheriff|County Sheriff|Fire Rescue|"
    r"City Council|Public Schools)\b"
)
_CITY_POLICE = re.compile(
    r"(?<![A-Za-z] )\b([A-Z][a-z]+(?: [A-Z][a-z]+)?) (?:police|officers|firefighters|"
    r"sheriff's (?:deputies|office))\b"
)
_US_STATES = (
    "Ala|Alaska|Ariz|Ark|Calif|Colo|Conn|Del|Fla|Ga|Ill|Ind|Iowa|Kan|Ky|La|Maine|Md|Mass|"
    "Mich|Minn|Miss|Mo|Mont|Neb|Nev|N\\.H|N\\.J|N\\.M|N\\.Y|N\\.C|N\\.D|Ohio|Okla|Ore|Pa|R\\.I|"
    "S\\.C|S\\.D|Tenn|Texas|Utah|Vt|Va|Wash|W\\.Va|Wis|Wyo|[A-Z]{2}|Alabama|Arizona|Arkansas|"
    "California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|Idaho|Illinois|Indiana|"
    "Kansas|Kentucky|Louisiana|Maryland|Massachusetts|Michigan|Minnesota|Mississippi|"
    "Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|"
    "North Carolina|North Dakota|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|"
    "South Dakota|Tennessee|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming"
)
# "in Bluefield, VA": a name followed by a state is a place even if the gazetteer lacks it
_STATE_SUFFIX = re.compile(rf", (?:{_US_STATES})\.?$")
_PLACE_PREFIX = frozenset(
    [
        "North",
        "South",
        "East",
        "West",
        "New",
        "Old",
        "Port",
        "Fort",
        "Saint",
        "St",
        "Lake",
        "Mount",
        "San",
        "Santa",
        "Los",
        "Las",
        "Upper",
        "Lower",
        "Greater",
        "Central",
        "Little",
        "Big",
        "Great",
        "Downtown",
        "Northern",
        "Southern",
        "Eastern",
        "Western",
    ]
)


def _written_as_surname(name: str, text: str) -> bool:
    """True when the text writes the name after a first name ("Lewis Hamilton")."""
    for m in re.finditer(rf"\b([A-Z][a-z]+) {re.escape(name)}\b", text):
        first = m.group(1)
        if first not in _PLACE_PREFIX and first not in places() and first not in _NOT_PLACE:
            return True
    return False


_NOT_PLACE = frozenset(
    ["The", "A", "An", "In", "At", "On", "Of", "From", "To", "For", "And", "But", "Near", "Outside"]
)


def _missed_name(subject: str, names: Sequence[str]) -> bool:
    """True for a lead subject that is a name the entity pass missed ("Apple has unveiled",
    sentence-initial; "Dr. Sanjay Gupta has been offered", titled): still the actor."""
    subject = re.sub(r"^The (?=[A-Z])", "", subject)
    return (
        bool(subject)
        and _PROPER_SUBJECT.fullmatch(subject) is not None
        and not any(n in subject or subject in n for n in names)
        and not is_non_actor(subject)
        and subject not in places()
        and not re.search(
            r" (?:Valley|County|Province|Islands?|Region|Coast|Bay|Lake|River)$", subject
        )
    )


def where(
    entities: Sequence[Entity], first: Sentence, dateline: str | None, text: str = ""
) -> str | None:
    """The places of the event, most specific first: the dateline, an "in X" of the lead
    that is a known place, then the places the opening names or repeats; never a name that
    is a person's or organisation's."""
    # "Baltimore City police said", "Chelsea Public Schools said": a speech cue made these
    # people; a name with an institution's word is not a person's name
    people = [e.name for e in entities if e.kind == "person" and not _INSTITUTION.search(e.name)]
    orgs = {e.name for e in entities if e.kind == "org"}

    surnames = {
        e.name.split(" ")[-1]
        for e in entities
        if e.kind in ("person", "other") and _PERSON_NAME.fullmatch(e.name)
    }

    def personal(name: str) -> bool:
        # "Hamilton" when "Lewis Hamilton" is a person; "Canada" inside an org's name is
        # still a place ("Shared Services Canada"), the org's whole name is not.
        return (
            name in orgs
            or name in surnames
            or _written_as_surname(name, text)
            or any(name == p or name in p.split(" ") for p in people)
        )

    picked: list[str] = []
    # A dateline is a place by its form; only a known person's name is refused.
    if dateline and not any(dateline.split(",")[0] in p.split(" ") for p in people):
        picked.append(dateline)
    venue = spot(first.text)
    if venue:
        picked.insert(0, venue)
    known = {e.name for e in entities if e.kind == "place"}
    for m in _IN_PLACE.finditer(first.text):
        place = m.group("place").rstrip(".,")
        head = place.split(",")[0]
        if _NOT_PLACE_WORD.match(head.split(" ")[0]) or personal(head):
            continue
        if head in known or head in places() or _STATE_SUFFIX.search(place):
            picked.append(place)
            break
    picked += [
        e.name
        for e in entities
        if e.kind == "place"
        and (e.first <= 2 or e.count >= 2)
        and not personal(e.name)
        and not is_team(e.name, text[:3000])
    ]
    if picked in ([], [venue]):
        picked += _agency_city(entities, text, personal)
    unique: list[str] = []
    for name in picked:
        if not any(name.split(",")[0] in u for u in unique):
            unique.append(name)
    return "; ".join(unique[:MAX_WHERE]) or None


def spot(text: str) -> str | None:
    """The spot of the event named in a sentence: a street block ("the 1900 block of 62nd
    Street"), a named venue ("the SAP Arena") or a described one ("a local school",
    "his prison cell"), with the place it is in when stated."""
    m = _BLOCK.search(text) or _VENUE.search(text)
    if m is None:
        return None
    venue = m.group("venue").rstrip(".,")
    if re.match(r"(?:a|an|the|his|her|their|its) [a-z]", venue) and re.search(r" in [A-Z]", venue):
        return None  # "an apartment in Bluefield, VA": the named place says where
    return venue[:1].lower() + venue[1:] if venue.startswith(("The ", "A ", "An ")) else venue


_SCORE_VERB = (
    r"(?:defeated|defeats|beat|beats|lost|loses|drew|draws|faced|tied|thrashed|edged|"
    r"routed|stunned|eliminated|knocked out)"
)
_SCORE = re.compile(r"\b\d{1,3} ?[–-] ?\d{1,3}\b")


def is_team(name: str, text: str) -> bool:
    """True for a country or city the text uses as a side in a match ("Sweden defeated
    South Korea 1 – 0", "lost 1 – 2 to England"): a team, not where the event was. Only
    in a sentence with a score."""
    scored = [s for s in re.findall(r"[^.!?;]+", text) if name in s and _SCORE.search(s)]
    if not scored:
        return False
    n = re.escape(name)
    side = re.compile(
        rf"\b{n} {_SCORE_VERB}\b|\b{_SCORE_VERB} (?:[a-z]+ )?{n}\b(?! (?:in|at)\b)|"
        rf"\b(?:to|against|over|and) {n},? \d|\d (?:to|against|over) {n}\b|"
        rf"\b{n},? \d{{1,3}} ?[–-] ?\d"
    )
    return any(side.search(sentence) for sentence in scored)


def _agency_city(
    entities: Sequence[Entity], text: str, personal: Callable[[str], bool]
) -> list[str]:
    """The city a local agency is named after ("the Orlando Police Department said",
    "Gary police received a call"), as a last resort."""
    for e in entities:
        agency = _LOCAL_AGENCY.match(e.name)
        if agency and agency.group(1) in places() and not personal(agency.group(1)):
            return [agency.group(1)]
    m = _CITY_POLICE.search(text[:1500])
    if m and not personal(m.group(1)) and not _NOT_PLACE_WORD.match(m.group(1).split(" ")[0]):
        return [m.group(1)]
    return []


def when(sentences: Sequence[Sentence], lead: Sentence, published: date | None) -> str | None:
    """The lead's date phrase resolved against the published date, with its clock time
    ("Wednesday (12 March 2025), 6am"); else the first of the opening sentences'."""
    for sentence in [lead, *sentences[:3]]:
        mentions = find_dates(sentence.text, published)
        clock = find_clock(sentence.text)
        if mentions:
            line = when_line(mentions[0])
            return f"{line}, {clock}" if clock and clock.lower() not in line.lower() else line
        if clock and sentence is lead:
            return clock
    return None


MAX_WHAT_WORDS = 20
# Where a lead's main clause ends: a trailing participle, reason or relative clause.
_CLAUSE_END = re.compile(
    r"(?:,| —| –| -)\s+(?:saying|says|said|citing|according to|as|which|who|while|after|"
    r"before|amid|but|and|although|though|despite|following|in a move|in what|leaving|"
    r"making|bringing|marking|adding|ending|raising|sending|forcing|prompting|officials|"
    r"police|authorities|the (?:company|group|firm|agency|ministry) said)\b|;\s|:\s"
)
# Where a long clause can stop and still read whole: before a prepositional adjunct.
_PHRASE_END = re.compile(
    r" (?=(?:in|on|at|for|to|with|from|by|after|over|amid|near|during|as|and|under|into)\b)"
)
_FIRST_PERSON_ANY = re.compile(r"\b(?:I|I'm|I've|we|We|my|My|our|Our|me|us)\b")
_HEADLINE_SUFFIX = re.compile(r"\s+(?:[|–—]|-\s)\s*.*$")
_HEADLINE_NOT_EVENT = re.compile(
    r"^(?:how|why|what|when|where|who|this|these|watch|video|photos?|live|opinion|"
    r"analysis|review|explainer|quiz|here's|here is)\b|\?$",
    re.IGNORECASE,
)
_HEADLINE_VERB = re.compile(
    r"\b(?:to [a-z]+|[a-z]{2,}s|[a-z]{3,}ed|is|are|was|were|has|have|will|wins?|won|hit|"
    r"shot|killed|dies|dead|quits|sues|cuts|buys|sells)\b"
)


def main_clause(text: str) -> str:
    """The lead's main clause, whole: trailing participle, relative and attribution
    clauses dropped; a clause over MAX_WHAT_WORDS ends before an adjunct, never mid-phrase."""
    text = re.sub(r"(?:\s*,){2,}", ",", " ".join(text.split())).rstrip(".!")
    m = _CLAUSE_END.search(text)
    if m and len(text[: m.start()].split()) >= 4:
        text = text[: m.start()]
    words = text.split()
    if len(words) <= MAX_WHAT_WORDS:
        return text.rstrip(",;: ")
    limit = len(" ".join(words[:MAX_WHAT_WORDS]))
    cuts = [m.start() for m in _PHRASE_END.finditer(text, 0, limit + 1)]
    cuts = [c for c in cuts if len(text[:c].split()) >= 6]
    return text[: cuts[-1]].rstrip(",;: ") if cuts else ""


def headline_clause(title: str, body_terms: set[str], terms_of: Callable[[str], list[str]]) -> str:
    """The headline as the What when it states an event the body backs: site names cut,
    no question or feature title, most content words found in the opening."""
    title = _HEADLINE_SUFFIX.sub("", " ".join(title.split())).rstrip(".!")
    if _HEADLINE_NOT_EVENT.search(title) or _FIRST_PERSON_ANY.search(title):
        return ""
    words = title.split()
    if not 4 <= len(words) <= MAX_WHAT_WORDS or not _HEADLINE_VERB.search(title):
        return ""
    if title.isupper() or sum(w[:1].isupper() for w in words) > 0.7 * len(words):
        return ""  # Title Case or capitals: not a sentence-like clause
    content = set(terms_of(title))
    if len(content) < 3 or len(content & body_terms) < 0.7 * len(content):
        return ""
    return title


def is_first_person(text: str) -> bool:
    return bool(_FIRST_PERSON_ANY.search(re.sub(r"[\"“][^\"”]*[\"”]", "", text)))
