"""RFC 822 dates written in another language's words, read as their English form.

Feeds made in Portuguese, Spanish, French, German, Italian, Dutch, Czech and Slovak
often write RFC 822's shape with their own abbreviations: ``Seg, 24 Set 2018
10:00:00 -0300``, ``lun., 3 sept. 2018``, ``Di, 25 Sep 2018 10:00 MESZ``. Neither
the standard library nor feedparser knows those words; worse, both drop a first
word that ends in a comma unread, so a weekday that contradicts the date goes
unseen. Such a date is put in English words and read as an English one would be;
when any of its words is not in the tables below, or a word could stand for two
months, or the weekday it names is not the weekday of its date, it is not read
at all: a date left unknown sorts by its fetch, a wrong one would lie.

A date whose words are all English (or that has no words in the tables) is none
of this module's business: :func:`local_date` says None and it is read as before.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

# Monday first; "/" separates the ways one day is written. English is a language
# here too, for a date that mixes its words with another's.
_WEEKDAYS = {
    "en": "mon/monday tue/tuesday wed/wednesday thu/thursday fri/friday sat/saturday sun/sunday",
    "pt": "seg ter qua qui sex sáb dom",
    "es": "lun mar mié jue vie sáb dom",
    "fr": "lun mar mer jeu ven sam dim",
    "de": "mo di mi do fr sa so",
    "it": "lun mar mer gio ven sab dom",
    "nl": "ma di wo do vr za zo",
    "cs": "po út st čt pá so ne",
    "sk": "po ut st št pi so ne",
}
# January first; Czech and Slovak write a date's month in full, in the genitive.
_MONTHS = {
    "en": (
        "jan/january feb/february mar/march apr/april may jun/june jul/july aug/august"
        " sep/september oct/october nov/november dec/december"
    ),
    "pt": "jan fev mar abr mai jun jul ago set out nov dez",
    "es": "ene feb mar abr may jun jul ago sep/sept/set oct nov dic",
    "fr": "janv/jan févr/fév mars/mar avr mai juin juil août/aoû sept/sep oct nov déc",
    "de": "jan/jän feb mär/märz apr mai jun/juni jul/juli aug sep/sept okt nov dez",
    "it": "gen feb mar apr mag giu lug ago set ott nov dic",
    "nl": "jan feb mrt apr mei jun jul aug sep/sept okt nov dec",
    "cs": (
        "led/leden/ledna úno/únor/února bře/březen/března dub/duben/dubna"
        " kvě/květen/května čvn/červen/června čvc/červenec/července srp/srpen/srpna"
        " zář/září říj/říjen/října lis/listopad/listopadu pro/prosinec/prosince"
    ),
    "sk": (
        "jan/január/januára feb/február/februára mar/marec/marca apr/apríl/apríla"
        " máj/mája jún/júna júl/júla aug/august/augusta sep/september/septembra"
        " okt/október/októbra nov/november/novembra dec/december/decembra"
    ),
}
# The zone names the standard library knows (the US ones and UTC's).
_ENGLISH_ZONES = frozenset(
    {"ut", "utc", "gmt", "z", "ast", "adt", "est", "edt", "cst", "cdt", "mst", "mdt"}
    | {"pst", "pdt"}
)
# Zone names these languages' feeds write, each of one offset only.
_ZONES = {
    "wet": "+0000",
    "west": "+0100",
    "cet": "+0100",
    "cest": "+0200",
    "met": "+0100",
    "mest": "+0200",
    "mez": "+0100",
    "mesz": "+0200",
    "seč": "+0100",
    "selč": "+0200",
    "eet": "+0200",
    "eest": "+0300",
    "oez": "+0200",
    "oesz": "+0300",
    "brt": "-0300",
}
# [weekday[.][,]] day[.] month[.] year [h:mm[:ss] [offset | zone]]
_SHAPE = re.compile(
    r"""(?:(?P<weekday>[^\W\d_]+)\.?,?\s+)?
    (?P<day>\d{1,2})\.?\s+
    (?P<month>[^\W\d_]+)\.?\s+
    (?P<year>\d{4})
    (?:\s+(?P<time>\d{1,2}:\d{2}(?::\d{2})?)
       (?:\s+(?:(?P<offset>[+-]\d{2}:?\d{2})|(?P<zone>[^\W\d_]+)))?
    )?""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class LocalDate:
    """A date written with another language's words.

    Attributes:
        english: The same date in English RFC 822 form (without a zone when it was
            written without one, ``00:00:00`` when it had no time), or None when it
            cannot be told for sure.
    """

    english: str | None


def local_date(value: str) -> LocalDate | None:
    """The English form of an RFC 822 date written in another language's words.

    None when the date is not one: not in RFC 822's shape, or with no word from
    the tables but English ones (its reading is the standard library's then).
    """
    match = _SHAPE.fullmatch(value.strip())
    if match is None or not _is_local(match):
        return None
    return LocalDate(_english(match))


class _Words:
    """One kind of word (weekdays, months): what each written form may stand for."""

    def __init__(self, table: dict[str, str]) -> None:
        exact: dict[str, set[int]] = {}
        for words in table.values():
            for position, ways in enumerate(words.split()):
                for way in ways.split("/"):
                    exact.setdefault(way, set()).add(position)
        # Written without its accents a word is still known; if two words then look
        # alike, the form stands for both.
        folded: dict[str, set[int]] = {}
        for word, positions in exact.items():
            folded.setdefault(_fold(word), set()).update(positions)
        self.exact = {word: frozenset(positions) for word, positions in exact.items()}
        self.folded = {word: frozenset(positions) for word, positions in folded.items()}
        self.english = frozenset(w for ways in table["en"].split() for w in ways.split("/"))

    def meanings(self, word: str) -> frozenset[int]:
        """The positions (from 0) a word may stand for; empty for an unknown word."""
        word = word.lower()
        return self.exact.get(word) or self.folded.get(_fold(word)) or frozenset()

    def is_local(self, word: str) -> bool:
        """Whether a word is in the tables and is not English."""
        return word.lower() not in self.english and bool(self.meanings(word))


def _fold(word: str) -> str:
    """A word without its accents: ``sáb`` -> ``sab``, ``března`` -> ``brezna``."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_WEEKDAY_WORDS = _Words(_WEEKDAYS)
_MONTH_WORDS = _Words(_MONTHS)
# The English form's words: "Mon", "Jan".
_ENGLISH_WEEKDAYS = tuple(ways.split("/")[0].title() for ways in _WEEKDAYS["en"].split())
_ENGLISH_MONTHS = tuple(ways.split("/")[0].title() for ways in _MONTHS["en"].split())


def _is_local(match: re.Match[str]) -> bool:
    """Whether one of a date's words is in the tables and is not English."""
    weekday, zone = match["weekday"], match["zone"]
    return (
        _MONTH_WORDS.is_local(match["month"])
        or bool(weekday and _WEEKDAY_WORDS.is_local(weekday))
        or bool(zone and zone.lower() in _ZONES)
    )


def _english(match: re.Match[str]) -> str | None:
    """The matched date in English words, or None when a word is unknown or wrong."""
    months = _MONTH_WORDS.meanings(match["month"])
    if len(months) != 1:
        return None
    month = next(iter(months)) + 1
    try:
        date = dt.date(int(match["year"]), month, int(match["day"]))
    except ValueError:  # the 31st of a month of 30 days
        return None
    if match["weekday"] and date.weekday() not in _WEEKDAY_WORDS.meanings(match["weekday"]):
        return None
    zone = ""
    if match["offset"]:
        zone = " " + match["offset"].replace(":", "")
    elif match["zone"]:
        name = match["zone"].lower()
        if name in _ENGLISH_ZONES:
            zone = " " + name.upper()
        elif name in _ZONES:
            zone = " " + _ZONES[name]
        else:
            return None
    return (
        f"{_ENGLISH_WEEKDAYS[date.weekday()]}, {date.day:02d} {_ENGLISH_MONTHS[month - 1]}"
        f" {match['year']} {match['time'] or '00:00:00'}{zone}"
    )
