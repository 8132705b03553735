"""Item text: HTML sanitising, fingerprints and near-duplicate detection."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from difflib import SequenceMatcher

import nh3

ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "sub",
    "sup",
    "br",
    "p",
    "span",
    "div",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "ul",
    "ol",
    "li",
    "code",
    "pre",
    # MathML for formulas
    "math",
    "mi",
    "mn",
    "mo",
    "msup",
    "msub",
    "mfrac",
    "msqrt",
    "mrow",
    "mtext",
}
ALLOWED_ATTRIBUTES = {"img": {"src", "alt", "width", "height"}, "td": {"colspan", "rowspan"}, "th": {"colspan"}}
_TAG = re.compile(r"<[^>]+>")
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def sanitize(html: str) -> str:
    """Keep simple formatting, tables, images (data: URIs only) and MathML; drop the rest."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"data"},
        link_rel=None,
    ).strip()


def fingerprint(html: str) -> str:
    """The stem reduced to its words: no tags, punctuation, spaces, width or case differences."""
    text = unicodedata.normalize("NFKC", _TAG.sub("", html or ""))
    return _NOT_WORD.sub("", text).lower()


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


class DuplicateIndex:
    """Finds stems that read almost the same (difflib ratio over the fingerprints).

    Candidates come from an inverted index over character bigrams, so a lookup compares
    the query only with the few stored stems that share the most text with it.
    """

    COMMON = 200

    def __init__(self, threshold: float = 0.85):
        self.threshold = threshold
        self._texts: dict[object, str] = {}
        self._postings: dict[str, list[object]] = defaultdict(list)

    def add(self, key: object, text: str) -> None:
        self._texts[key] = text
        for gram in _bigrams(text):
            self._postings[gram].append(key)

    def find(self, text: str) -> tuple[object, float] | None:
        """The most similar stored key at or above the threshold, with its similarity."""
        shared: Counter = Counter()
        # Bigrams shared by hundreds of stems ("下列", "正确") say nothing about duplicates
        # and would make each lookup scan the whole bank; skip them.
        for gram in _bigrams(text):
            postings = self._postings.get(gram, ())
            if len(postings) <= self.COMMON:
                shared.update(postings)
        best = None
        for key, _common in shared.most_common(10):
            matcher = SequenceMatcher(None, text, self._texts[key], autojunk=False)
            if matcher.real_quick_ratio() < self.threshold or matcher.quick_ratio() < self.threshold:
                continue
            similarity = matcher.ratio()
            if similarity >= self.threshold and (best is None or similarity > best[1]):
                best = (key, similarity)
        return best
