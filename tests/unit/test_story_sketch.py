"""Story sketches: what they estimate, on made-up text with fixed seeds."""

from __future__ import annotations

import random

from newsreader.story_sketch import (
    SKETCH_SIZE,
    SKETCHED_CHARS,
    Sketch,
    held_share,
    same_story,
    story_sketch,
)

WORDS = [f"word{n}" for n in range(400)]


def text(seed: int, words: int) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(words))


def sketch(value: str) -> Sketch:
    made = story_sketch(value)
    assert made is not None
    return made


def test_a_sketch_keeps_the_smallest_hashes_and_survives_bytes() -> None:
    made = sketch(text(1, 500))
    assert len(made.hashes) == SKETCH_SIZE and list(made.hashes) == sorted(made.hashes)
    assert Sketch.from_bytes(made.size, made.to_bytes()) == made


def test_too_little_text_has_no_sketch() -> None:
    assert story_sketch("Three words only") is None
    assert story_sketch(text(1, 10)) is None


def test_the_share_a_longer_text_holds_of_a_shorter_one() -> None:
    whole = text(2, 1000)
    words = whole.split()
    for seed in range(20):
        rng = random.Random(seed)
        trimmed = " ".join(words[: rng.randrange(300, 900)])  # the end cut
        headed = text(100 + seed, rng.randrange(5, 25)) + "\n" + trimmed  # a line on top
        for copy in (trimmed, headed):
            share, sample = held_share(sketch(copy), sketch(whole))
            assert share >= 0.75 and sample >= 8
            assert same_story(sketch(copy), sketch(whole))
    assert held_share(sketch(text(3, 400)), sketch(whole))[0] <= 0.1
    assert not same_story(sketch(text(3, 400)), sketch(whole))


def test_only_the_opening_is_sketched_but_the_size_counts_the_whole() -> None:
    whole = text(2, 1000)
    opening = whole[:SKETCHED_CHARS]
    assert sketch(whole).hashes == sketch(opening + " more").hashes
    assert sketch(whole).size >= 990 > sketch(opening).size


def test_the_hashes_do_not_change_between_runs_or_machines() -> None:
    # Stored sketches are compared with new ones: a change here needs a migration.
    made = sketch("The quick brown fox jumps over the lazy dog, and the dog sleeps on. " * 3)
    assert made.size == 38  # the shingles counted, repeated ones too
    assert made.hashes[:3] == (584213507, 664351521, 837155985)


def test_a_digest_quoting_a_short_story_whole_is_not_that_story() -> None:
    short = text(4, 60)
    digest = text(5, 2000) + " " + short
    assert sketch(short).size < 0.2 * sketch(digest).size
    assert not same_story(sketch(short), sketch(digest))
    assert same_story(sketch(short), sketch(text(9, 100) + " " + short))


def test_boilerplate_lines_are_left_out() -> None:
    footer = text(6, 60)
    one, other = text(7, 40) + "\n" + footer, text(8, 40) + "\n" + footer
    assert same_story(sketch(one), sketch(other))  # the footer is most of each
    one_kept, other_kept = story_sketch(one, [footer]), story_sketch(other, [footer])
    assert one_kept is not None and other_kept is not None
    assert not same_story(one_kept, other_kept)


def test_a_shingle_hash_knows_its_words_order() -> None:
    words = [f"w{n}" for n in range(10, 70)]  # all of one length
    blocks = [words[i : i + 5] for i in range(0, len(words), 5)]
    reversed_blocks = [word for block in blocks for word in reversed(block)]
    # No run of five words is in both, though each block holds the same five words.
    ordered, other = sketch(" ".join(words)), sketch(" ".join(reversed_blocks))
    assert len(ordered.hashes) == len(words) - 4
    assert not set(ordered.hashes) & set(other.hashes)


def test_a_digest_in_a_script_without_spaces_is_not_the_story_it_opens_with() -> None:
    rng = random.Random(11)
    signs = [chr(0x4E00 + n) for n in range(300)]

    def prose(sentences: int) -> str:
        return "".join(
            "".join(rng.choice(signs) for _ in range(rng.randrange(8, 20))) + "。"
            for _ in range(sentences)
        )

    short = prose(60)
    digest = short + "\n" + prose(700)
    assert sketch(short).size < 0.2 * sketch(digest).size
    assert not same_story(sketch(short), sketch(digest))
