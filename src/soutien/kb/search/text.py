"""Words for search: accents removed, Snowball stems, stop words, and the web-search syntax.

The SQLite backend stores and queries these stems; PostgreSQL does the same with its own
configurations (unaccent, then the Snowball stemmer of the language), so both agree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer

LANGUAGES = ("fr", "en")
_STEMMERS = {"fr": "french", "en": "english"}

# The stop words of PostgreSQL's Snowball configurations (accents removed).
_FRENCH_STOP_WORDS = """
        au aux avec ce ces dans de des du elle en et eux il ils je la le les leur lui ma mais me
        meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te
        tes toi ton tu un une vos votre vous c d j l a m n s t y ete etee etees etes etant etante
        etants etantes suis es est sommes etes sont serai seras sera serons serez seront serais
        serait serions seriez seraient etais etait etions etiez etaient fus fut fumes futes furent
        sois soit soyons soyez soient fusse fusses fut fussions fussiez fussent ayant ayante
        ayantes ayants eu eue eues eus ai as avons avez ont aurai auras aura aurons aurez auront
        aurais aurait aurions auriez auraient avais avait avions aviez avaient eut eumes eutes
        eurent aie aies ait ayons ayez aient eusse eusses eussions eussiez eussent"""
_ENGLISH_STOP_WORDS = """
        i me my myself we our ours ourselves you your yours yourself yourselves he him his
        himself she her hers herself it its itself they them their theirs themselves what which
        who whom this that these those am is are was were be been being have has had having do
        does did doing a an the and but if or because as until while of at by for with about
        against between into through during before after above below to from up down in out on
        off over under again further then once here there when where why how all any both each
        few more most other some such no nor not only own same so than too very s t can will
        just don should now"""
STOP_WORDS = {
    "fr": frozenset(_FRENCH_STOP_WORDS.split()),
    "en": frozenset(_ENGLISH_STOP_WORDS.split()),
}

# Letters and digits; "_" and "-" separate words, as in the SQLite and PostgreSQL tokenizers.
_WORD = re.compile(r"[^\W_]+")
# What a client quotes: "...", «...», “...”.
_QUOTED = re.compile(r'"([^"]{3,200})"|«\s*([^»]{3,200}?)\s*»|“([^”]{3,200})”')
# Something that looks like an error code: letters and digits mixed, or a long number.
_CODE = re.compile(r"^(?=.*\d)[a-z0-9]{3,}$")


# PostgreSQL's parser reads "ERR-4012" as the word "err" then the number "-4012", and
# "glisser-déposer" as a compound; SQLite's tokenizer and `words` read two words, "err" then
# "4012". The PostgreSQL backend puts a space for such a hyphen, in what it indexes and in what
# it searches, so that a code typed "4012" or quoted "ERR-4012" is read the same everywhere.
_INNER_HYPHEN = re.compile(r"(?<=[^\W_])-(?=[^\W_])")


def hyphens_apart(text: str) -> str:
    """ "ERR-4012" -> "ERR 4012"; a leading "-" (exclusion) is kept."""
    return _INNER_HYPHEN.sub(" ", text)


def websearch_text(query: str) -> str:
    """`query` with hyphens apart, a hyphenated word made a phrase (as `parse` reads it)."""
    out = []
    for match in re.finditer(r'"([^"]*)"?|(\S+)', query):
        quoted, bare = match.group(1), match.group(2)
        if quoted is not None:
            out.append(f'"{hyphens_apart(quoted)}"')
        elif _INNER_HYPHEN.search(bare):
            sign = "-" if bare.startswith("-") else ""
            out.append(f'{sign}"{hyphens_apart(bare.removeprefix("-"))}"')
        else:
            out.append(bare)
    return " ".join(out)


def is_code(word: str) -> bool:
    """A word that looks like an error code: letters and digits mixed, or a long number."""
    return bool(_CODE.match(word))


def fold(text: str) -> str:
    """Lower case without diacritics: "Équilibrage" -> "equilibrage"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


@lru_cache(maxsize=8)
def _stemmer(language: str) -> snowballstemmer.BaseStemmer:
    return snowballstemmer.stemmer(_STEMMERS[language])


@lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> str:
    """The Snowball stem of a folded word, French inflections brought together.

    Folded French loses the accents Snowball reads: "décalée" arrives as "decalee", which it
    leaves as "decale" while "décalés" gives "decal". A folded "ee" (é + e, a feminine past
    participle) is first read as "e". Snowball also keeps the third person plural ("échouent",
    "affichent"): a stem still ending in "ent" (not "ment") loses its "nt" and is stemmed
    again, as the singular would be ("échoue" -> "echou").
    """
    if language != "fr":
        return str(_stemmer(language).stemWord(word))
    if len(word) > 4 and word.endswith("ees"):
        word = word[:-2] + "s"
    elif len(word) > 3 and word.endswith("ee"):
        word = word[:-1]
    stemmed = str(_stemmer(language).stemWord(word))
    if len(stemmed) >= 6 and stemmed.endswith("ent") and not stemmed.endswith("ment"):
        stemmed = str(_stemmer(language).stemWord(stemmed[:-2]))
    return stemmed


def stems(text: str, language: str) -> str:
    """The text as the index stores it: folded, stemmed words separated by spaces."""
    return " ".join(stem(word, language) for word in words(text))


def is_stop_word(word: str, language: str) -> bool:
    return word in STOP_WORDS[language]


def guess_language(text: str, default: str) -> str:
    """French or English, from stop words and accents; `default` when nothing tells."""
    tokens = _WORD.findall(text.casefold())
    folded = [fold(token) for token in tokens]
    french = sum(1 for word in folded if word in STOP_WORDS["fr"])
    english = sum(1 for word in folded if word in STOP_WORDS["en"])
    french += sum(1 for token, plain in zip(tokens, folded, strict=True) if token != plain)
    if french > english:
        return "fr"
    if english > french:
        return "en"
    return default


@dataclass
class Clause:
    """Terms that must all match (words and phrases), and words that must not."""

    words: list[str] = field(default_factory=list)
    phrases: list[list[str]] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)


def parse(query: str) -> list[Clause]:
    """Web-search syntax, as PostgreSQL's websearch_to_tsquery reads it.

    Words are all required; "quoted text" is a phrase; -word excludes; `or` separates
    alternatives. Returns the alternatives (an empty list when nothing can be searched).
    """
    clauses = [Clause()]
    position = 0
    for match in re.finditer(r'"([^"]*)"?|(\S+)', query):
        quoted, bare = match.group(1), match.group(2)
        if quoted is not None:
            phrase = words(quoted)
            if len(phrase) == 1:
                clauses[-1].words.append(phrase[0])
            elif phrase:
                clauses[-1].phrases.append(phrase)
            continue
        if bare.casefold() == "or" and position:
            clauses.append(Clause())
            continue
        position += 1
        negative = bare.startswith("-")
        found = words(bare)
        if negative:
            clauses[-1].excluded.extend(found)
        elif len(found) > 1:
            clauses[-1].phrases.append(found)
        else:
            clauses[-1].words.extend(found)
    return [c for c in clauses if c.words or c.phrases]


def terms_of(text: str, *, limit: int) -> tuple[list[str], list[list[str]]]:
    """The telling words and quoted phrases of free text (a request being typed), for OR search.

    Quoted passages (error messages) come first, then words that look like error codes, then
    the other words in order of first appearance, without stop words of either language, and
    each stem once ("documents" after "document" adds nothing).
    """
    phrases = []
    for match in _QUOTED.finditer(text):
        quoted = words(next(group for group in match.groups() if group))
        if 1 < len(quoted) <= 12:
            phrases.append(quoted)
        if len(phrases) == 3:
            break
    seen: set[str] = set()
    seen_stems: set[tuple[str, ...]] = set()
    codes: list[str] = []
    plain: list[str] = []
    for word in words(text):
        if word in seen or len(word) < 3:
            continue
        seen.add(word)
        stems_of_word = tuple(stem(word, language) for language in LANGUAGES)
        if stems_of_word in seen_stems:
            continue
        seen_stems.add(stems_of_word)
        if is_code(word):
            codes.append(word)
        elif not (is_stop_word(word, "fr") or is_stop_word(word, "en")):
            plain.append(word)
    return (codes + plain)[:limit], phrases


def telling_words(
    words: Sequence[str], frequencies: Mapping[str, int], *, limit: int, budget: int
) -> list[str]:
    """The most telling of `words`: the rarest in the index first, a bounded candidate set.

    `frequencies` says how many indexed articles hold each word (in either language). Words no
    article holds are left out (they can match nothing). The others are taken from the rarest
    to the most common, ties in the order of `words`, up to `limit` of them and as long as the
    articles they can match add up to at most `budget`; the rarest is always taken, so a text
    made only of common words still finds something. A common word adds little to a ranking
    (it is in most articles) and a great deal to its cost (every article holding it is ranked).
    """
    order = {word: n for n, word in enumerate(words)}
    held = [word for word in order if frequencies.get(word, 0) > 0]
    found = sorted(held, key=lambda word: (frequencies[word], order[word]))
    chosen: list[str] = []
    total = 0
    for word in found[:limit]:
        total += frequencies[word]
        if chosen and total > budget:
            break
        chosen.append(word)
    return chosen
