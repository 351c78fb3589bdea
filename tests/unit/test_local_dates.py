"""RFC 822 dates in other languages' words: the right instant, or unknown, never wrong."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime

import feedparser
import pytest

from newsreader.extract.dates import parse_date
from newsreader.extract.feed import parse_feed
from newsreader.extract.localdates import _MONTHS, _WEEKDAYS, LocalDate, local_date


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


READ = [
    # Portuguese
    ("Seg, 24 Set 2018 10:00:00 -0300", utc(2018, 9, 24, 13)),
    ("Qui, 04 Out 2018 10:00 -0300", utc(2018, 10, 4, 13)),
    ("sáb, 06 out 2018 10:00:00 BRT", utc(2018, 10, 6, 13)),
    ("Sab, 01 Dez 2018 10:00:00 -0300", utc(2018, 12, 1, 13)),  # without its accent
    ("Qua, 14 Fev 2018 08:30:00 -0200", utc(2018, 2, 14, 10, 30)),
    # Spanish
    ("Mar, 02 Oct 2018 10:00:00 +0200", utc(2018, 10, 2, 8)),
    ("Mar, 02 Oct 2018", utc(2018, 10, 2)),  # no time: the day, as an English one reads
    ("Mié, 03 Ene 2018 10:00:00 +0100", utc(2018, 1, 3, 9)),
    ("mie, 01 ago 2018 10:00:00 CEST", utc(2018, 8, 1, 8)),
    ("Dom, 01 Abr 2018 10:00:00 +02:00", utc(2018, 4, 1, 8)),
    # French
    ("lun., 3 sept. 2018 10:00:00 +0200", utc(2018, 9, 3, 8)),
    ("jeu., 1 févr. 2018 10:00:00 +0100", utc(2018, 2, 1, 9)),
    ("mer. 11 juil. 2018 10:00:00 +0200", utc(2018, 7, 11, 8)),
    ("sam., 1 déc. 2018 10:00:00 +0100", utc(2018, 12, 1, 9)),
    ("15 aout 2018 10:00:00 +0200", utc(2018, 8, 15, 8)),
    # German
    ("Di, 25 Sep 2018 10:00:00 +0200", utc(2018, 9, 25, 8)),
    ("Di, 25 Sep 2018 10:00:00 MESZ", utc(2018, 9, 25, 8)),
    ("Do, 01 Mär 2018 10:00:00 MEZ", utc(2018, 3, 1, 9)),
    ("Mi, 5. Dez. 2018 10:00:00 +0100", utc(2018, 12, 5, 9)),
    ("So, 07 Okt 2018 10:00:00 +0200", utc(2018, 10, 7, 8)),
    # Italian
    ("Mer, 03 Ott 2018 10:00:00 +0200", utc(2018, 10, 3, 8)),
    ("Gio, 04 Gen 2018 10:00:00 +0100", utc(2018, 1, 4, 9)),
    ("Sab, 09 Giu 2018 10:00:00 +0200", utc(2018, 6, 9, 8)),
    ("lun, 14 mag 2018 10:00:00 GMT", utc(2018, 5, 14, 10)),
    # Dutch
    ("wo, 03 okt 2018 10:00:00 +0200", utc(2018, 10, 3, 8)),
    ("do, 01 mrt 2018 10:00:00 +0100", utc(2018, 3, 1, 9)),
    ("di, 01 mei 2018 10:00:00 CEST", utc(2018, 5, 1, 8)),
    ("za, 06 okt 2018 10:00:00 +0200", utc(2018, 10, 6, 8)),
    # Czech
    ("Po, 01 říj 2018 10:00:00 +0200", utc(2018, 10, 1, 8)),
    ("Čt, 04 čvc 2019 10:00:00 SELČ", utc(2019, 7, 4, 8)),
    ("Ne, 17. ledna 2021 10:45:00 +0100", utc(2021, 1, 17, 9, 45)),
    ("St, 3. června 2020 10:00:00 +0200", utc(2020, 6, 3, 8)),
    ("So, 6. října 2018 10:00:00 SEČ", utc(2018, 10, 6, 9)),  # SEČ is winter's: 9, not 8
    # Slovak
    ("Št, 04 okt 2018 10:00:00 +0200", utc(2018, 10, 4, 8)),
    ("Pi, 01 jún 2018 10:00:00 +0200", utc(2018, 6, 1, 8)),
    ("Ut, 26. januára 2021 10:00:00 +0100", utc(2021, 1, 26, 9)),
    ("so, 17 júl 2021 10:00:00 +0200", utc(2021, 7, 17, 8)),
    # An English weekday or month with another language's words.
    ("Mon, 24 Set 2018 10:00:00 -0300", utc(2018, 9, 24, 13)),
    ("Tue, 25 Sep 2018 10:00:00 CEST", utc(2018, 9, 25, 8)),
    ("Thursday, 04 Okt 2018 10:00:00 +0200", utc(2018, 10, 4, 8)),
]


@pytest.mark.parametrize(("written", "instant"), READ)
def test_dates_in_other_languages_read_as_their_instant(written: str, instant: datetime) -> None:
    parsed = parse_date(written)
    assert parsed is not None and parsed == instant


UNKNOWN = [
    # The weekday is not the date's: which of the two is wrong cannot be told.
    "Di, 24 Sep 2018",  # 24 September 2018 was a Monday
    "Di, 24 Sep 2018 10:00:00 +0200",
    "Seg, 25 Set 2018 10:00:00 -0300",
    "lun., 4 sept. 2018 10:00:00 +0200",
    "Mar, 02 Mar 2018 10:00:00 +0100",  # Spanish Tuesday, a Friday in March
    "So, 03 Okt 2018 10:00:00 +0200",  # German Sunday, Czech and Slovak Saturday: a Wednesday
    "Mon, 25 sept. 2018 10:00:00 +0200",
    "St, 04 okt 2018 10:00:00 +0200",  # středa (Wednesday), not štvrtok
    # A word that is in no table, or stands for two things.
    "Seg, 24 Xyz 2018 10:00:00 -0300",
    "Xyz, 24 Set 2018 10:00:00 -0300",
    "Po, 01 čer 2018 10:00:00 +0200",  # červen or červenec
    "lun., 2 jui 2018 10:00:00 +0200",  # juin or juillet
    "24 sept. 2018 10:00:00 IST",  # India, Ireland or Israel
    "Di, 25 Sep 2018 10:00:00 BST",
    # A day the month does not have.
    "Dom, 31 Set 2018 10:00:00 -0300",
    "Do, 29 Feb 2018",
]


@pytest.mark.parametrize("written", UNKNOWN)
def test_dates_that_cannot_be_told_for_sure_are_unknown(written: str) -> None:
    assert local_date(written) == LocalDate(None)
    assert parse_date(written) is None


@pytest.mark.parametrize(
    "written",
    [
        "Mon, 24 Sep 2018 10:00:00 GMT",
        "Sun, 17 Jan 2021 23:46:22 +0100",
        "24 Sep 2018 10:00:00 -0000",
        "Tuesday, 02 October 2018 10:00:00 EST",
        "2018-09-24T10:00:00Z",
        "Seg, 24 Set 18 10:00:00 -0300",  # not RFC 822's shape: a year of two digits
        "Seg, 24 de setembro de 2018",
        "",
    ],
)
def test_dates_in_english_or_other_shapes_are_not_this_reading(written: str) -> None:
    assert local_date(written) is None


def test_english_dates_read_as_before() -> None:
    # A weekday that disagrees is not looked at in an English date.
    assert parse_date("Mon, 25 Sep 2018 10:00:00 +0200") == utc(2018, 9, 25, 8)
    assert parse_date("Tue, 25 Sep 2018 10:00:00") == utc(2018, 9, 25, 10)


def test_the_tables_give_one_month_to_every_word() -> None:
    for language, months in _MONTHS.items():
        assert len(months.split()) == 12, language
        for number, ways in enumerate(months.split(), start=1):
            for way in ways.split("/"):
                assert parse_date(f"01 {way} 2019 12:00:00 +0000") == utc(2019, number, 1, 12)
                assert parse_date(f"01 {way.upper()} 2019 12:00:00 +0000") == utc(
                    2019, number, 1, 12
                )


def test_the_tables_give_every_weekday_word_its_day() -> None:
    # 2018-10-01 was a Monday. "So" is the only word for two days (Sunday in
    # German, Saturday in Czech and Slovak): it checks only that the date is one.
    two_days = {"so": {5, 6}}
    for language, weekdays in _WEEKDAYS.items():
        assert len(weekdays.split()) == 7, language
        for number, ways in enumerate(weekdays.split()):
            for way in ways.split("/"):
                days = {d for d in range(7) if parse_date(f"{way}, {1 + d:02d} okt 2018")}
                assert days == two_days.get(way, {number}), (language, way)


# Whole feeds: what an entry's date becomes.


def feed_with_dates(*dates: str) -> bytes:
    items = "".join(
        f"<item><guid>{n}</guid><title>Item {n}</title><pubDate>{date}</pubDate></item>"
        for n, date in enumerate(dates)
    )
    return f'<rss version="2.0"><channel><title>T</title>{items}</channel></rss>'.encode()


def test_a_feed_in_another_language_has_its_dates() -> None:
    data = feed_with_dates(*(written for written, _ in READ))
    published = [article.published for article in parse_feed(data, source="feed").articles]
    assert published == [instant for _, instant in READ]
    assert all(date is not None and date.tzinfo is UTC for date in published)


@pytest.mark.parametrize(
    ("written", "misread"),
    [
        # The weekday disagrees; feedparser does not look at it.
        ("Mon, 25 sept. 2018 10:00:00 +0200", utc(2018, 9, 25, 8)),
        # An Indian, Irish or Israeli time; feedparser takes an unknown zone as UTC.
        ("24 sept. 2018 10:00:00 IST", utc(2018, 9, 24, 10)),
    ],
)
def test_a_date_feedparser_misreads_is_not_stored(written: str, misread: datetime) -> None:
    data = feed_with_dates(written)
    [entry] = feedparser.parse(data).entries
    assert datetime.fromtimestamp(calendar.timegm(entry.published_parsed), UTC) == misread
    [article] = parse_feed(data, source="feed").articles
    assert article.published is None


def test_a_date_read_wrong_before_is_read_right() -> None:
    """MESZ was taken as UTC, two hours out; a weekday that disagreed went unseen."""
    data = feed_with_dates("Di, 25 Sep 2018 10:00:00 MESZ", "Di, 24 Sep 2018 10:00:00 +0200")
    first, second = parse_feed(data, source="feed").articles
    assert first.published == utc(2018, 9, 25, 8)
    assert second.published is None


def test_an_updated_date_stands_in_for_an_unknown_published_one() -> None:
    data = (
        b'<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T'
        b"</title><item><guid>1</guid><title>One</title>"
        b"<pubDate>Di, 24 Sep 2018 10:00:00 +0200</pubDate>"
        b"<atom:updated xmlns:atom='http://www.w3.org/2005/Atom'>2018-09-24T09:00:00Z"
        b"</atom:updated></item></channel></rss>"
    )
    [article] = parse_feed(data, source="feed").articles
    assert article.published == utc(2018, 9, 24, 9)
