"""A fixture archive for search tests: hand-written stories that queries must find, among
hundreds of generated stories on the same companies and themes (shared vocabulary, so
ranking matters), spread over three months and three feeds."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.models import NewItem
from tests.models import make_new_item


@dataclass(frozen=True)
class Story:
    key: str
    title: str
    summary: str
    age_days: float
    content: str = ""


TARGETS = [
    Story(
        "mistral-open-weights",
        "Mistral releases open-weight reasoning model under Apache licence",
        "The Paris start-up published the weights of its new reasoning model, which it says "
        "matches larger closed systems on maths benchmarks.",
        3,
    ),
    Story(
        "red-sea-cables",
        "Three subsea cables cut in the Red Sea, slowing traffic between Europe and Asia",
        "Operators rerouted traffic after damage to three undersea cables; repair ships "
        "need permits before they can reach the site.",
        40,
    ),
    Story(
        "hospital-ransomware",
        "Ransomware attack forces London hospitals to cancel operations",
        "A pathology supplier hit by ransomware could not process blood tests, and hospitals "
        "postponed hundreds of procedures.",
        70,
    ),
    Story(
        "eu-meta-fine",
        "EU fines Meta €798 million over Marketplace tying",
        "The European Commission said Meta abused its dominance by tying Facebook "
        "Marketplace to its social network.",
        25,
    ),
    Story(
        "quantum-error",
        "Google shows quantum error correction below threshold with Willow chip",
        "Adding more physical qubits made the logical qubit more reliable, a milestone the "
        "field has chased for decades.",
        55,
    ),
    Story(
        "heat-pumps",
        "Heat pump sales fall across Europe as subsidies shrink",
        "Installers report a second year of decline after Germany and Italy cut grants for "
        "replacing gas boilers.",
        12,
    ),
    Story(
        "lithium-nevada",
        "Lithium refinery in Nevada wins federal loan",
        "The Department of Energy lent $2.26 billion to build a lithium carbonate plant at "
        "Thacker Pass.",
        80,
    ),
    Story(
        "tsmc-arizona",
        "TSMC starts volume production at its Arizona fab",
        "The chipmaker's first US plant is making 4-nanometre chips for Apple, with yields "
        "close to those in Taiwan.",
        30,
    ),
    Story(
        "crowdstrike-outage",
        "Faulty CrowdStrike update crashes Windows machines worldwide",
        "Airlines, banks and broadcasters were hit when a content update for the Falcon "
        "sensor sent millions of PCs into a boot loop.",
        88,
    ),
    Story(
        "starlink-india",
        "Starlink gets licence to offer satellite broadband in India",
        "The telecom ministry granted the permit after the company agreed to store Indian "
        "user data locally.",
        18,
    ),
    Story(
        "nvidia-export",
        "US tightens export rules on Nvidia H20 chips to China",
        "The Commerce Department now requires a licence for the accelerator Nvidia designed "
        "to comply with earlier controls.",
        7,
    ),
    Story(
        "rust-kernel",
        "Linux kernel maintainers agree on Rust driver policy",
        "After months of debate, new drivers may be written in Rust while C stays the core "
        "language of the kernel.",
        45,
    ),
    Story(
        "openai-board",
        "OpenAI restructures as a public benefit corporation",
        "The nonprofit keeps control of the company while investors get conventional "
        "equity, the board said.",
        15,
    ),
    Story(
        "datacenter-water",
        "Data centres in Arizona draw scrutiny over water use",
        "Residents near Phoenix asked regulators to cap the cooling water drawn by new "
        "server farms during drought.",
        60,
    ),
    Story(
        "apple-dma",
        "Apple opens iPhone NFC chip to rival wallets under EU pressure",
        "The commitment ends an antitrust case: banks and payment apps can use tap-to-pay "
        "without Apple Pay.",
        35,
    ),
    Story(
        "passkeys",
        "Microsoft makes passkeys the default for new accounts",
        "New Microsoft accounts will be passwordless, signing in with a passkey stored on "
        "the device.",
        5,
    ),
    Story(
        "robotaxi-austin",
        "Tesla begins robotaxi trial in Austin with safety monitors",
        "A small fleet of Model Y cars carries invited riders in a geofenced area of the "
        "Texas city.",
        22,
    ),
    Story(
        "fusion-record",
        "Fusion reactor in France holds plasma for a record 22 minutes",
        "The WEST tokamak sustained a hydrogen plasma for 1,337 seconds, beating the "
        "previous record set in China.",
        75,
    ),
    Story(
        "broadcom-vmware",
        "Broadcom ends perpetual VMware licences, angering customers",
        "Enterprises must move to subscriptions; some report price rises of several hundred "
        "per cent.",
        50,
    ),
    Story(
        "deepfake-law",
        "Denmark proposes copyright over your own face and voice to fight deepfakes",
        "The bill would let people demand removal of realistic digital imitations shared "
        "without consent.",
        9,
    ),
]

QUERIES = [
    ("open-weig", "mistral-open-weights"),
    ("red sea cable", "red-sea-cables"),
    ("ransomware hospitals", "hospital-ransomware"),
    ("Meta fine marketplace", "eu-meta-fine"),
    ("quantum error correction", "quantum-error"),
    ("heat pumps", "heat-pumps"),
    ("lithium Nevada", "lithium-nevada"),
    ("TSMC Arizona", "tsmc-arizona"),
    ("crowdstrike windows crash", "crowdstrike-outage"),
    ("starlink india licence", "starlink-india"),
    ("nvidia export china", "nvidia-export"),
    ("rust kernel", "rust-kernel"),
    ("openai public benefit", "openai-board"),
    ("water data centres arizona", "datacenter-water"),
    ("apple nfc wallet", "apple-dma"),
    ("passkey", "passkeys"),
    ("robotaxi", "robotaxi-austin"),
    ("fusion plasma record", "fusion-record"),
    ("vmware licences", "broadcom-vmware"),
    ("deepfakes copyright", "deepfake-law"),
]

COMPANIES = [
    "Apple", "Google", "Microsoft", "Meta", "Nvidia", "OpenAI", "Mistral", "TSMC", "Intel",
    "Samsung", "Amazon", "Tesla", "Broadcom", "CrowdStrike", "Starlink", "Oracle", "IBM",
    "Arm", "AMD", "Cisco",
]  # fmt: skip
PLACES = [
    "Europe", "India", "China", "Arizona", "Texas", "Nevada", "London", "Paris", "Taiwan",
    "Germany", "Japan", "Brazil", "the Red Sea region", "California",
]  # fmt: skip
THEMES = [
    ("reports quarterly earnings above forecasts", "Revenue rose on demand for {p} cloud "
     "services, and the company raised its outlook for the year."),
    ("announces layoffs in {p}", "The cuts affect several hundred staff in sales and "
     "support as the company shifts spending to AI."),
    ("opens a new office in {p}", "The site will employ engineers working on chips, "
     "models and data centre software."),
    ("faces antitrust complaint in {p}", "Rivals say its app store and payment rules "
     "shut out competing wallets and browsers."),
    ("launches AI assistant for enterprise customers", "The model answers questions over "
     "company documents and runs in {p} data centres for compliance."),
    ("invests in new data centre in {p}", "The campus will draw power from the grid and "
     "use water for cooling during summer peaks."),
    ("updates security tools after breach reports", "Researchers found attackers using "
     "stolen passwords and a flaw in remote access software in {p}."),
    ("signs chip supply deal", "The agreement covers accelerators and memory made in "
     "{p} through the end of next year."),
    ("releases open source developer toolkit", "The licence allows commercial use; the "
     "code is published on GitHub with examples for Rust and Python."),
    ("expands satellite and network partnership in {p}", "Telecom operators will resell "
     "broadband to rural customers and businesses."),
    ("is fined by regulator in {p}", "Officials said the company failed to protect user "
     "data and must change its privacy settings."),
    ("tests self-driving cars in {p}", "Safety drivers remain behind the wheel while the "
     "software learns the city's streets."),
]  # fmt: skip


def archive(
    now: datetime, *, noise: int = 320, seed: int = 6
) -> tuple[dict[str, list[NewItem]], dict[str, str]]:
    """Items per feed name (oldest first) and target key -> item key."""
    rng = random.Random(seed)
    stories: list[tuple[str, str, str, float]] = []
    for n in range(noise):
        company = rng.choice(COMPANIES)
        theme, summary = rng.choice(THEMES)
        place = rng.choice(PLACES)
        title = f"{company} {theme.format(p=place)}"
        stories.append((f"noise-{n}", title, summary.format(p=place), rng.uniform(0, 90)))
    targets = {}
    for story in TARGETS:
        stories.append((story.key, story.title, story.summary, story.age_days))
        targets[story.key] = f"k:{story.key}"
    feeds: dict[str, list[NewItem]] = {"Wire A": [], "Wire B": [], "Wire C": []}
    names = list(feeds)
    for index, (key, title, summary, age) in enumerate(stories):
        published = now - timedelta(days=age)
        feeds[names[index % 3]].append(
            make_new_item(
                f"k:{key}",
                guid=key,
                title=title,
                url=f"https://news.example/{key}",
                summary=summary,
                content=f"{summary} {title}.",
                published_at=published,
            )
        )
    for items in feeds.values():
        items.sort(key=lambda item: item.published_at or now)
    return feeds, targets
