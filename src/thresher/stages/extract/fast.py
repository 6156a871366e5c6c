"""The fast path: lexbor parses, thresher's own scoring finds the main content.

One iterative walk over the DOM (selectolax's lexbor binding) cuts the page into text
blocks at block-level elements, noting for each block its innermost element, its link
text, its kind (paragraph, heading, list item, cell, code...) and whether an element
above it is furniture by tag (``nav``, ``footer``, ``aside``) or by class/id name
(``sidebar``, ``share``, ``cookie``...). A furniture element's subtree, which is never
kept, is not walked node by node: lexbor reads its text in C and it becomes one block
(so ``removed_blocks`` counts a navigation bar once, by its outermost furniture kind).
Then:

1. every block gets a score: positive for prose (enough words, little link text),
   negative for furniture and link lists;
2. every element gets the sum of the scores of the blocks below it, and the element
   with the highest sum is the main container, the best-scoring subtree: navigation
   and link lists drag a too-large container down, leaving them out of a too-small one
   loses prose;
3. the container is completed: sibling elements that weigh a quarter of it or are pure
   prose join it, and prose blocks beside it (a standfirst in the article header) too;
   when one child holds 90% of its score (the article body), what follows that child
   (author box, sign-up, related links) is the article's tail and goes;
4. inside, blocks under furniture elements, link lists, captions (by tag or by class
   name), image credits, teasers for other pages (``<article>`` elements beside the
   lead one, lists of linked titles with short blurbs), "see also" labels and control
   labels ("Advertisement") are dropped, a heading goes with the furniture it
   introduces, short blocks and datelines before the first and after the last prose
   block ("Share this", "Updated: Nov 19, 2019") are trimmed, and the rest is joined
   with ``\n``. Every removal is counted by kind (``removed_blocks``) and can be
   traced block by block (``trace``).

The path also says how sure it is (:attr:`Extraction.confidence`): little prose, prose
spread over several containers, or a container holding a small share of the page's
prose make it unsure, and the default mode hands such pages to trafilatura.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from thresher.stages.extract.base import Deadline, Extraction

# Elements whose subtree never holds main text; their content is skipped and counted.
SKIP_TAGS: dict[str, str] = {
    "script": "script",
    "style": "style",
    "noscript": "script",
    "template": "script",
    "svg": "media",
    "math": "media",
    "iframe": "media",
    "object": "media",
    "embed": "media",
    "canvas": "media",
    "video": "media",
    "audio": "media",
    "map": "media",
    "select": "form",
    "button": "form",
    "input": "form",
    "textarea": "form",
    "option": "form",
    "head": "head",
    "dialog": "popup",
}


# Elements that break text into blocks (HTML's block-level and table elements).
BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "main",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "td",
        "th",
        "caption",
        "pre",
        "blockquote",
        "header",
        "footer",
        "nav",
        "aside",
        "figure",
        "figcaption",
        "hr",
        "form",
        "fieldset",
        "address",
        "center",
        "details",
        "summary",
        "body",
        "html",
        "menu",
        "legend",
    ]
)

# Inline elements: they neither break blocks nor, in practice, carry furniture names
# worth a class/id lookup (which the walk saves on the most frequent nodes).
INLINE_TAGS = frozenset(
    [
        "span",
        "b",
        "i",
        "em",
        "strong",
        "u",
        "s",
        "small",
        "sup",
        "sub",
        "abbr",
        "time",
        "font",
        "cite",
        "q",
        "mark",
        "label",
        "code",
        "kbd",
        "var",
        "tt",
        "big",
        "strike",
        "bdi",
        "bdo",
        "dfn",
        "ins",
        "del",
        "nobr",
    ]
)

# The kind a block takes from its nearest kind-giving element.
KIND_TAGS: dict[str, str] = {
    "h1": "heading",
    "h2": "heading",
    "h3": "heading",
    "h4": "heading",
    "h5": "heading",
    "h6": "heading",
    "li": "list",
    "dt": "list",
    "dd": "list",
    "td": "cell",
    "th": "cell",
    "pre": "code",
    "blockquote": "quote",
    "figcaption": "caption",
    "caption": "caption",
    "p": "paragraph",
}

# Furniture by tag. <header> is furniture only outside <article>/<main> (an article's
# own header holds its headline).
FURNITURE_TAGS: dict[str, str] = {
    "nav": "nav",
    "footer": "footer",
    "aside": "aside",
    "menu": "nav",
    "form": "form",
}

# Furniture by class/id name. The vocabulary is that of common CMS themes and of the
# boilerplate lists that readability (Mozilla) and trafilatura publish; grouped by the
# kind reported in the ``removed_blocks`` signals.
_FURNITURE_NAMES: dict[str, str] = {
    "nav": r"nav|navbar|navigation|menu|menus|breadcrumbs?|pagination|pager|skip|toolbar|topbar|tabs",
    "footer": r"footer|copyright|colophon|site-?info|legal|imprint|impressum",
    "sidebar": r"sidebar|side-?bar|widget|widgets|rail|secondary|complementary",
    "share": r"share|sharing|social|sociable|shariff|addthis|sharethis|print|email-?this|follow",
    "related": r"related|recommended|more-?stories|more-?articles|read-?more|popular|trending|teasers?|"
    r"outbrain|taboola|also-?read",
    "comments": r"comments?|comment-?list|disqus|respond|reply|discussion",
    "ads": r"ads?|advert\w*|sponsor\w*|promo\w*|banner|dfp|affiliate|commercial",
    "popup": r"cookies?|consent|gdpr|newsletter|subscribe|subscription|signup|sign-?up|login|modal|popup|"
    r"overlay|paywall",
    "author": r"authors?|author-?(?:bio|box|info|details|profile|card|wrapper)|about-?(?:the-?)?author|"
    r"bio|biography|contributor",
    "meta": r"byline|author-?bio|about-?the-?author|post-?meta|entry-?meta|meta-?data|tags?|tag-?cloud|"
    r"categories|post-?tags|dateline|timestamp|published|date",
    "hidden": r"hidden|visually-?hidden|sr-?only|screen-?reader-?text|offscreen",
    # a caption that lost its <figcaption> (galleries, WordPress's wp-caption-text)
    "caption": r"captions?|figcaption|wp-caption-text|caption-?text",
}
_NAME_TOKEN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_FURNITURE_RE: dict[str, re.Pattern[str]] = {
    k: re.compile(rf"^(?:{v})$") for k, v in _FURNITURE_NAMES.items()
}
_ONE_FURNITURE_RE = re.compile(
    r"(?:^|[\s_-])(?:" + "|".join(f"(?:{v})" for v in _FURNITURE_NAMES.values()) + r")(?:$|[\s_-])"
)
# names of containers that hold the article: they protect against a furniture name on
# the same element only when the name is a compound ("post-content-sidebar" is still a
# sidebar; "article-body" is content).
_CONTENT_NAME = re.compile(r"article|content|entry|post-?body|story|main|text|body")


@dataclass(slots=True)
class FastOptions:
    """The knobs of the fast path (a subset of the step's parameters)."""

    include_tables: bool = True
    include_comments: bool = False
    include_captions: bool = False  # figure captions; trafilatura leaves them out too
    # A block with fewer words is "short": neither prose nor furniture by itself.
    # jusText's "short" bound is 70 characters, about 10 words of English or German;
    # on the tuning half of the trafilatura set 7 and 14 words scored within 0.007 F1.
    min_words: int = 10
    # Link text over half of a block's text makes it a link list (jusText's default
    # max_link_density is 0.2 for good paragraphs; boilerpipe's link-density cut is
    # about 0.33); 0.35 and 0.65 scored within 0.001 F1 of 0.5 on the tuning half.
    max_link_density: float = 0.5
    # A sibling of the container that is pure prose joins it from this score (about two
    # sentences); chosen on the tuning half of the trafilatura set among 20/50/150.
    pure_prose_min: float = 150.0
    # A furniture element holding at least this share of the page's prose is a
    # misleading wrapper, not furniture (Blogger's "widget Blog"): half is the smallest
    # share at which no other candidate can hold more.
    furniture_max_share: float = 0.5
    # One child of the container holding this share of its score is the article body,
    # and what follows it in the container is the article's tail (see extract_fast).
    # Among 0.7/0.8/0.9/0.95, 0.9 scored best on the tuning half of the trafilatura set
    # (F1 0.905, the same as without the rule; precision +0.001).
    body_share: float = 0.9
    # A block of at most this many words that carries an image credit is dropped as one
    # (``_CREDIT``). Measured on the tuning half of the trafilatura set (F1 0.9083 /
    # 0.9092 / 0.9104 at 15 / 25 / 40 words): 25 keeps most of the gain, while from
    # about 30 words on, the blocks that match are prose citing an agency ("Reuters
    # News Agency reported that...") rather than captions.
    credit_max_words: int = 25
    # Read furniture subtrees as one block each in C instead of walking them (same
    # decisions, a fraction of the time; see _Walker._collapse). Off only to compare.
    collapse_furniture: bool = True


# ---- the walk ------------------------------------------------------------------------


@dataclass(slots=True)
class _Element:
    tag: str
    parent: int
    furniture: str  # kind of furniture this element is ("" if none)
    chars: int = 0  # text characters below (filled after the walk)
    score: float = 0.0
    negative: float = 0.0  # the sum of the negative block scores below


@dataclass(slots=True)
class _Block:
    text: str
    element: int
    kind: str
    link_chars: int
    lead_link: int = 0  # link characters before the block's first unlinked text
    furniture: str = ""  # filled after the walk: nearest furniture ancestor's kind
    words: int = 0
    score: float = 0.0


_NAME_CACHE: dict[str, str] = {}
# kinds whose words start many content class names too ("tag-news" and "date-2016" are
# WordPress post classes, "hidden-xs" a Bootstrap visibility class): only an exact or
# final-part match counts for them
_WEAK_PREFIX_KINDS = frozenset({"meta", "hidden"})
_ROLES = {
    "navigation": "nav",
    "banner": "header",
    "contentinfo": "footer",
    "complementary": "sidebar",
    "search": "nav",
    "menu": "nav",
    "menubar": "nav",
}


def _furniture_of_names(names: str) -> str:
    """The furniture kind that a class/id string names, or '' (memoised: themes repeat)."""
    kind = _NAME_CACHE.get(names)
    if kind is not None:
        return kind
    kind = ""
    low = names.lower()
    if _ONE_FURNITURE_RE.search(low):
        for token in low.split():
            # A BEM modifier ("block--modifier", "block__element--modifier") states a
            # variant of the block, not what the block is: Drupal's
            # "field--label-hidden" is a field whose label is hidden, and
            # "menu--main" is still a menu. Only the block part is judged.
            token = token.split("--", 1)[0] or token
            # "post-content" is content; "content-sidebar" is a sidebar: a compound
            # name is furniture when its last part is, or its first part is and no part
            # names content
            parts = token.replace("_", "-").split("-")
            for k, pattern in _FURNITURE_RE.items():
                if (
                    pattern.match(token)
                    or (
                        len(parts) > 1 and pattern.match(parts[-1]) and not _CONTENT_NAME.fullmatch(parts[-1])
                    )
                    or (
                        len(parts) > 1
                        and k not in _WEAK_PREFIX_KINDS
                        and pattern.match(parts[0])
                        and not _CONTENT_NAME.search(token)
                    )
                ):
                    kind = k
                    break
            if kind:
                break
    if len(_NAME_CACHE) < 50_000:
        _NAME_CACHE[names] = kind
    return kind


def _furniture_of(tag: str, attrs: dict[str, str | None], in_article: bool) -> str:
    """The furniture kind of one element from its tag, role, class and id, or ''."""
    kind = FURNITURE_TAGS.get(tag, "")
    if kind:
        return kind
    if tag in ("article", "main", "body"):
        return ""  # semantic content elements outrank their class names
    if tag == "header" and not in_article:
        return "header"
    if not attrs:
        return ""
    if len(attrs) > 2 or ("class" not in attrs and "id" not in attrs):
        role = attrs.get("role")
        if role in _ROLES:
            return _ROLES[role or ""]
        if "hidden" in attrs or attrs.get("aria-hidden") == "true":
            return "hidden"
        style = attrs.get("style")
        if style and "none" in style and re.search(r"display\s*:\s*none", style):
            return "hidden"
    cls = attrs.get("class")
    ident = attrs.get("id")
    names = f"{cls} {ident}" if cls and ident else (cls or ident)
    return _furniture_of_names(names) if names else ""


class _Walker:
    """Cuts a lexbor DOM into blocks in one iterative pass (no recursion limit)."""

    def __init__(self, options: FastOptions, deadline: Deadline | None, collapse: bool = True) -> None:
        self.options = options
        self.deadline = deadline
        self.collapse = collapse
        self.elements: list[_Element] = [_Element("#root", -1, "")]
        self.blocks: list[_Block] = []
        self.removed: Counter[str] = Counter()
        # the blocks that stand for a whole furniture subtree, with it (see _collapse)
        self.collapsed: list[tuple[_Block, Any]] = []
        self._parts: list[str] = []
        self._link_chars = 0
        self.articles = 0  # <article> elements walked (teasers need two or more)
        self._lead = -1  # link characters before the current block's first unlinked text

    def _collapse(self, node: Any, element: int) -> bool:
        """Make a furniture element's subtree one block, its text read by lexbor in C.

        Furniture holds about 70% of a page's nodes (measured on the trafilatura set) and
        none of its blocks is ever kept: all the scoring needs from it is how much text
        it weighs. The block is marked as all link text, so that it never counts as
        prose; :func:`extract_fast` checks afterwards that no collapsed element could
        have held the share of prose that makes furniture a misleading wrapper, and
        walks the page again without collapsing when one could. A subtree with scripts
        or styles is walked instead, since lexbor's text would include their code.
        """
        if node.css_first(_CODE_SELECTOR) is not None:
            return False
        text = " ".join(node.text(deep=True, separator=" ").split())
        if text:
            block = _Block(text, element, "other", len(text))
            self.blocks.append(block)
            self.collapsed.append((block, node))
        return True

    def _flush(self, element: int, kind: str) -> None:
        raw = "".join(self._parts)
        self._parts.clear()
        if raw.isspace():
            self._link_chars = 0
            self._lead = -1
            return
        if kind == "code":
            text = "\n".join(line.rstrip() for line in raw.strip("\n").split("\n"))
        elif "\n" in raw:
            text = "\n".join(x for x in (" ".join(line.split()) for line in raw.split("\n")) if x)
        else:
            text = " ".join(raw.split())
        if text.strip():
            link = min(self._link_chars, len(text))
            self.blocks.append(_Block(text, element, kind, link, link if self._lead < 0 else self._lead))
        self._link_chars = 0
        self._lead = -1

    def walk(self, body: Any) -> None:
        """Visit every node below ``body`` once, in document order, without recursion.

        The loop is the hot spot of the fast path (about 1,500 nodes on a typical
        page), so it keeps its state in locals and treats inline elements (``span``,
        ``b``...) with a light stack entry and no class/id lookup.
        """
        include_tables = self.options.include_tables
        include_comments = self.options.include_comments
        include_captions = self.options.include_captions
        collapse = self.collapse
        elements = self.elements
        parts = self._parts
        removed = self.removed
        deadline = self.deadline
        flush = self._flush
        skip_tags = SKIP_TAGS
        block_tags = BLOCK_TAGS
        inline_tags = INLINE_TAGS
        kind_tags = KIND_TAGS
        # per open element: the node and the state to restore when it closes (None for
        # an inline element that changes nothing)
        stack: list[tuple[Any, Any]] = []
        cur_elem, cur_kind, in_link, in_article, in_pre = 0, "other", False, False, 0
        node = body.child
        steps = 0
        while node is not None:
            steps += 1
            if deadline is not None and steps & 1023 == 0:
                deadline.check()
            tag = node.tag
            opened = False
            if tag == "-text":
                t = node.text_content
                if t:
                    if in_pre:
                        parts.append(t)
                    elif parts or not t.isspace():
                        # whitespace between tags with nothing before it in the block
                        # would be dropped by the flush: not collected at all (a third
                        # of a page's text nodes)
                        parts.append(t.replace("\n", " "))
                        if in_link:
                            self._link_chars += len(t.strip())
                        elif self._lead < 0 and not t.isspace():
                            self._lead = self._link_chars
            elif tag is None or tag[0] in "-!_":
                pass  # comments, doctype, processing instructions
            elif tag in inline_tags:
                child = node.child
                if child is not None:
                    stack.append((node, None))
                    node = child
                    continue
            elif tag == "a":
                child = node.child
                if child is not None:
                    stack.append((node, (cur_elem, cur_kind, in_link, in_article, in_pre, None)))
                    in_link = True
                    node = child
                    continue
            elif tag in skip_tags or (tag == "table" and not include_tables):
                removed[skip_tags.get(tag, "table")] += 1
            elif tag == "br":
                parts.append("\n")
            elif tag in ("img", "hr", "wbr", "link", "meta", "source"):
                pass
            else:
                furn = _furniture_of(tag, node.attributes, in_article)
                if (furn == "comments" and include_comments) or (furn == "caption" and include_captions):
                    furn = ""
                is_block = tag in block_tags or bool(furn)
                saved = (cur_elem, cur_kind, in_link, in_article, in_pre)
                if is_block:
                    if parts:
                        flush(cur_elem, cur_kind)
                    elements.append(_Element(tag, cur_elem, furn))
                    # a caption is read block by block: its prose decides whether the
                    # page is told in captions (see _score_elements)
                    if furn and collapse and furn != "caption" and self._collapse(node, len(elements) - 1):
                        is_block = False  # one block already: on to the next sibling
                    else:
                        cur_elem = len(elements) - 1
                        kind = kind_tags.get(tag)
                        if cur_kind == "caption" and (kind is None or kind == "paragraph"):
                            pass  # a <div> or <p> inside a <figcaption> is still the caption
                        elif kind is not None:
                            cur_kind = kind
                        elif cur_kind not in ("list", "cell", "quote"):
                            cur_kind = "other"
                        if tag == "article" or tag == "main":
                            in_article = True
                            if tag == "article":
                                self.articles += 1
                        elif tag == "pre":
                            in_pre += 1
                        child = node.child
                        stack.append((node, saved))
                        if child is not None:
                            node = child
                            continue
                        opened = True
                else:
                    if tag == "article" or tag == "main":
                        in_article = True
                    elif tag == "pre":
                        in_pre += 1
                    child = node.child
                    stack.append((node, saved + (None,)))
                    if child is not None:
                        node = child
                        continue
                    opened = True
            # close: the node itself if it was an empty element, then the parents whose
            # last child this was
            while True:
                if opened:
                    state = stack.pop()[1]
                    if state is not None:
                        if len(state) == 5:
                            if parts:
                                flush(cur_elem, cur_kind)
                            cur_elem, cur_kind, in_link, in_article, in_pre = state
                        else:
                            cur_elem, cur_kind, in_link, in_article, in_pre = state[:5]
                nxt = node.next
                if nxt is not None:
                    node = nxt
                    break
                if not stack:
                    node = None
                    break
                node = stack[-1][0]
                opened = True
        if parts:
            flush(cur_elem, cur_kind)


# ---- scoring -------------------------------------------------------------------------

# Sentence-ending punctuation across scripts (Latin, CJK, Devanagari, Arabic): prose
# has it, menus and link lists rarely do.
# Image credits and agency tags: a short block that names a photo source is a caption
# that lost its <figcaption> ("Foto: Markus Scholz/dpa", "© AFP / Jeff Pachoud",
# "Quelle: Landesregierung"). The markers are the labels newsrooms print in the
# languages of the evaluation sets and the picture agencies. An agency in a dateline
# ("Berlin (dpa) - Immer mehr...") opens a news story and is not a credit.
_CREDIT = re.compile(
    r"(?:^|[\s(|.,;])(?:fotos?|photos?|photo credit|bild(?:er)?|images?|credits?|quelle|source|abb\.|abbildung|"
    r"grafik|fot\.)\s*:|\u00a9|"
    r"\b(?:getty images|dpa|shutterstock|istock(?:photo)?|reuters|ap photo|afp)\b(?!\)\s*[-\u2013\u2014])",
    re.IGNORECASE,
)
_CODE_SELECTOR = "script,style,noscript,template"
# Scripts written without spaces between words: Han, kana, Hangul (and their
# punctuation-free ranges). A block of Chinese or Japanese prose is one "word" to
# str.split(); counted this way it is as long as it reads.
_UNSPACED = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def count_words(text: str) -> int:
    """Words in ``text``: split on spaces, plus one per two unspaced CJK characters.

    Segmented Chinese and Japanese text averages between one and a half and two
    characters a word; two is the conservative end (a few characters do not make
    prose), and a CJK paragraph then weighs about what its translation into a spaced
    language does, so the word thresholds apply to it unchanged.
    """
    n = len(text.split())
    if not text.isascii() and max(text) >= "\u2e80":
        n += len(_UNSPACED.findall(text)) // 2
    return n


_SENTENCE_END = re.compile(r"[.!?\u3002\uff01\uff1f\u0964\u061f:;\"\u201d)]\s*$")


def _score_blocks(blocks: list[_Block], elements: list[_Element], opts: FastOptions) -> None:
    """Give every block its score and every element the sum of its blocks' scores."""
    _score_prose(blocks, elements, opts)
    _score_elements(blocks, elements, opts)


def _score_prose(blocks: list[_Block], elements: list[_Element], opts: FastOptions) -> None:
    """First pass of the scoring: every block's prose score, summed on its element.

    A prose block (at least ``min_words`` words and little link text) scores its
    non-link characters; furniture and link lists score minus their characters, so that
    a container which takes them in loses what they weigh; other short blocks weigh
    nothing (a byline or a date neither attracts nor repels the container).
    """
    # first pass: the prose score of each block as if nothing were furniture
    for b in blocks:
        n = len(b.text)
        b.words = count_words(b.text)
        ld = b.link_chars / n if n else 0.0
        if ld > opts.max_link_density:
            b.score = -n * ld
        elif b.words >= opts.min_words or (b.kind == "code" and n >= 40):
            bonus = 1.0 if _SENTENCE_END.search(b.text) else 0.6
            b.score = n * (1.0 - ld) * bonus
        elif b.kind == "heading":
            b.score = 5.0
        else:
            b.score = -2.0 if ld > 0 else 0.0
        if b.score > 0:
            elements[b.element].chars += int(b.score)


def _score_elements(blocks: list[_Block], elements: list[_Element], opts: FastOptions) -> None:
    """Second pass of the scoring: furniture decided, then block scores summed upwards."""
    for i in range(len(elements) - 1, 0, -1):
        el = elements[i]
        elements[el.parent].chars += el.chars
    # a furniture tag or name on an element that holds most of the page's prose is a
    # misleading wrapper (Blogger wraps every post in class="widget Blog"; some themes
    # put the article in an <aside> or a "has-sidebar" layout), not furniture
    total = elements[0].chars or 1
    inherited = [""] * len(elements)
    for i in range(1, len(elements)):
        el = elements[i]
        own = el.furniture if el.chars < opts.furniture_max_share * total else ""
        inherited[i] = own or inherited[el.parent]
    # Captions that hold half of the page's prose are what the page is about (a
    # slideshow told in captions), not its frame: they count as content.
    caption_chars = sum(
        el.chars
        for i, el in enumerate(elements)
        if inherited[i] == "caption" and inherited[el.parent] != "caption"
    )
    if caption_chars >= opts.furniture_max_share * total:
        for i in range(1, len(elements)):
            if inherited[i] == "caption":
                inherited[i] = ""
    for b in blocks:
        b.furniture = inherited[b.element]
        if b.furniture:
            b.score = -float(len(b.text))
        elements[b.element].score += b.score
        if b.score < 0:
            elements[b.element].negative += b.score
    for i in range(len(elements) - 1, 0, -1):
        el = elements[i]
        elements[el.parent].score += el.score
        elements[el.parent].negative += el.negative


def _unlinked_chars(block: _Block, node: Any) -> int:
    """An upper bound of the prose score of a collapsed subtree: its text outside links."""
    return len(block.text) - sum(len(" ".join(a.text(deep=True).split())) for a in node.css("a"))


def _second_best(elements: list[_Element], best: int) -> float:
    """The best score of an element neither inside nor above the container."""
    above = set()
    e = best
    while e >= 0:
        above.add(e)
        e = elements[e].parent
    top = 0.0
    for i in range(1, len(elements)):
        if i in above or elements[i].score <= top:
            continue
        e = elements[i].parent
        while e > best:
            e = elements[e].parent
        if e != best:
            top = elements[i].score
    return top


# Labels that introduce links to other pages rather than content of this one, in the
# languages of the evaluation sets (English, German, French, Spanish, Portuguese,
# Italian, Polish, Dutch). A label alone on its block, nothing else.
_SEE_ALSO = re.compile(
    r"^\W*(?:mehr zum thema|mehr dazu|weitere informationen|weiterlesen|weiterführende links?|lesen sie auch|"
    r"lesen sie dazu|auch interessant|das könnte sie auch interessieren|artikel teilen|teilen|über den autor|"
    r"related(?: articles| posts| stories| content)?|read more|read also|see also|more on this(?: topic)?|"
    r"you may also like|you might also like|share this(?: article| post)?|about the author|"
    r"veja também|leia também|saiba mais|lea también|te puede interesar|más información|"
    r"à lire aussi|lire aussi|voir aussi|sur le même sujet|leggi anche|potrebbe interessarti|"
    r"czytaj także|czytaj też|zobacz też|zobacz także|lees ook|meer informatie)\W*$",
    re.IGNORECASE,
)


# Controls and slot labels that a page prints alone on a block: an ad slot's
# "Advertisement", a gallery's "Caption" / "Close" buttons, a shop link, a print or
# subscribe button. The words of the evaluation sets' languages; a label alone on its
# block, nothing else (found as false-positive blocks on the tune halves of both sets
# by benchmarks/extraction_errors.py).
_UI_LABEL = re.compile(
    r"^\W*(?:advertisements?|advert|ad|anzeige|werbung|publicité|publicidad|pubblicità|reklama|reclame|"
    r"sponsored(?: content)?|gesponsert|caption|close|schließen|fermer|cerrar|chiudi|zamknij|sluiten|"
    r"zum shop|zum angebot|subscribe|abonnieren|print|drucken|imprimer|imprimir|stampa|drukuj|"
    r"tweet|e-?mail|share|teilen|partager|compartir|condividi|udostępnij|delen)\W*$",
    re.IGNORECASE,
)


def _drop_labels(
    kept: list[_Block], removed: Counter[str], trace: list[tuple[str, str, str]] | None
) -> list[_Block]:
    """The kept blocks without "see also" labels and control labels.

    A "see also" label ("Mehr zum Thema", "Read more") goes alone: dropping what
    follows it up to the next heading as well (the teasers it introduces) scored lower
    on the tuning half of the trafilatura set (F1 0.9108 against 0.9116), since a label
    like "Weitere Informationen" also introduces the article's own closing paragraphs.
    A control label ("Advertisement", "Close") goes as ``ui_label``. Repeated blocks
    are not dropped: on the tune half of AEB that cost recall (0.9805 -> 0.9752; a meal
    plan repeats its lines day after day) for little precision.
    """
    out: list[_Block] = []
    for b in kept:
        reason = ""
        if b.words <= 6 and _SEE_ALSO.match(b.text):
            reason = "see_also"
        elif b.words <= 3 and _UI_LABEL.match(b.text):
            reason = "ui_label"
        if reason:
            removed[reason] += 1
            if trace is not None:
                trace.append((b.text, b.kind, reason))
            continue
        out.append(b)
    return out


# A date written out: a month name or its abbreviation next to a number, or a numeric
# date (19.11.2019, 2019-11-19, 11/19/2019). Month names of the evaluation sets'
# languages (English, German, French, Spanish, Italian, Portuguese, Dutch, Polish).
_MONTHS = (
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august|"
    r"september|october|november|december|januar|jänner|februar|märz|mai|juni|juli|oktober|dezember|"
    r"janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre|enero|febrero|marzo|"
    r"abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|gennaio|febbraio|aprile|maggio|"
    r"giugno|luglio|settembre|ottobre|dicembre|janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|"
    r"novembro|dezembro|januari|februari|maart|mei|augustus|stycznia|lutego|marca|kwietnia|maja|czerwca|"
    r"lipca|sierpnia|września|października|listopada|grudnia"
)
_DATE = re.compile(
    rf"\b(?:(?:{_MONTHS})\.?\s+\d{{1,4}}|\d{{1,2}}\.?\s+(?:{_MONTHS})\b|\d{{1,2}}[./]\d{{1,2}}[./]\d{{2,4}}|"
    rf"\d{{4}}-\d{{2}}-\d{{2}})",
    re.IGNORECASE,
)
# What else a dateline says: labels, weekdays, times and zones, in the same languages.
_DATE_WORDS = re.compile(
    rf"\b(?:{_MONTHS}|published|updated|posted|modified|last|on|at|am|pm|a\.m|p\.m|gmt|utc|est|edt|cet|cest|"
    r"mez|uhr|um|veröffentlicht|aktualisiert|zuletzt|stand|publié|le|à|mis|jour|publicado|actualizado|el|"
    r"pubblicato|il|ultima|modifica|aggiornato|opublikowano|gepubliceerd|mon|tue|wed|thu|fri|sat|sun|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|montag|dienstag|mittwoch|donnerstag|freitag|"
    r"samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|"
    r"viernes|sábado|domingo|st|nd|rd|th)\b",
    re.IGNORECASE,
)


def _is_dateline(b: _Block) -> bool:
    """A block that is a date with its labels, nothing more ("Updated: Nov 19, 2019 10:16 pm").

    At most 25 words, a written date, and at most three other words once the date
    words (months, weekdays, times, zones, "published", "updated"...) are taken out:
    a dated lead sentence ("BERLIN, 5. März 2021 - Die Regierung hat ...") says more.
    """
    if b.words > 25 or b.kind == "heading" or not _DATE.search(b.text):
        return False
    rest = _DATE_WORDS.sub(" ", b.text)
    return sum(1 for w in rest.split() if any(c.isalpha() for c in w)) <= 3


def _titled(b: _Block) -> bool:
    """Whether the link that opens ``b`` is a title: no full stop where it ends.

    Headlines carry no final full stop; a list item that opens with a linked sentence
    ("The attorney general is investigating WeWork.") is a summary written as prose,
    which is the article's own text. The link's end is known to within the spaces the
    block's text dropped, so a few characters around it are looked at.
    """
    end = b.lead_link
    return not any(c in ".!?。" for c in b.text[max(0, end - 3) : end + 2])


def _teaser_items(blocks: list[_Block], elements: list[_Element], in_root: list[bool]) -> set[int]:
    """The blocks (by ``id``) of list items that are teasers for other pages.

    A teaser item opens with a link of at least 20 characters (another page's title,
    about four words) and goes on with at least 50 unlinked characters (its blurb,
    about ten words). A list in the container whose items are such teasers, at least
    three of them and two thirds of its items, is a list of other stories, not part
    of the article; a list of links without blurbs is a link list and goes anyway,
    and a list of points that link a word or two keeps its items. Blurbs are short:
    on the tune halves of both evaluation sets the teaser lists' items had 180-560
    unlinked characters, while a listicle whose numbered headings link elsewhere had
    paragraph-long items (550-1,300), so a list whose median item has over 500 is
    kept.
    """
    item_of: dict[int, int] = {}  # element -> its nearest <li> ancestor (or -1)
    items: dict[int, list[_Block]] = {}
    for b in blocks:
        e = b.element
        if not in_root[e]:
            continue
        li = item_of.get(e)
        if li is None:
            li, x = -1, e
            while x > 0 and in_root[x]:
                if elements[x].tag == "li":
                    li = x
                    break
                x = elements[x].parent
            item_of[e] = li
        if li >= 0:
            items.setdefault(li, []).append(b)
    if len(items) < 3:
        return set()
    per_list: dict[int, list[int]] = {}  # list element -> unlinked chars of each item (-1: no teaser)
    for li, bs in items.items():
        unlinked = sum(len(b.text) - b.link_chars for b in bs)
        size = unlinked if bs[0].lead_link >= 20 and unlinked >= 50 and _titled(bs[0]) else -1
        per_list.setdefault(elements[li].parent, []).append(size)
    teaser_lists = set()
    for lst, sizes in per_list.items():
        teasers = sorted(x for x in sizes if x >= 0)
        if len(teasers) >= 3 and len(teasers) * 3 >= 2 * len(sizes) and teasers[len(teasers) // 2] <= 500:
            teaser_lists.add(lst)
    out: set[int] = set()
    for li, bs in items.items():
        if elements[li].parent in teaser_lists and bs[0].lead_link >= 20 and _titled(bs[0]):
            out.update(id(b) for b in bs)
    return out


def _other_articles(elements: list[_Element], best: int) -> list[bool] | None:
    """Elements inside the container that belong to an ``<article>`` other than the lead.

    A container that holds several ``<article>`` elements side by side is a page of
    items (the article and teasers for others, a list of deals): when one of them holds
    at least half of the container's score, it is the page's article and the others
    are teasers. Without such a lead (a blog's front page of whole posts) nothing is
    marked. ``None`` when there is nothing to mark.
    """
    end = best + 1
    n = len(elements)
    while end < n and elements[end].parent >= best:  # the subtree is contiguous
        end += 1
    top_article = [-1] * (end - best)  # per element after best: its outermost article
    tops: list[int] = []
    for i in range(best + 1, end):
        el = elements[i]
        art = top_article[el.parent - best] if el.parent > best else -1
        if art < 0 and el.tag == "article":
            art = i
            tops.append(i)
        top_article[i - best] = art
    if len(tops) < 2:
        return None
    lead = max(tops, key=lambda i: elements[i].score)
    if elements[lead].score < 0.5 * elements[best].score:
        return None
    mark = [False] * n
    for i in range(best + 1, end):
        art = top_article[i - best]
        mark[i] = art >= 0 and art != lead
    return mark


def _in_subtree(elements: list[_Element], e: int, root: int) -> bool:
    while e > root:
        e = elements[e].parent
    return e == root


def extract_fast(
    tree: Any,
    options: FastOptions,
    deadline: Deadline | None = None,
    trace: list[tuple[str, str, str]] | None = None,
) -> Extraction:
    """Main text of a parsed page (a selectolax ``LexborHTMLParser``).

    ``trace``, when given, receives ``(block text, block kind, decision)`` for every
    block, the decision being ``kept`` or the kind it was removed as: the record of what
    the path removed, for inspection and for tuning.
    """
    body = tree.body
    if body is None:
        return Extraction("", 0.0)
    walker = _Walker(options, deadline, collapse=options.collapse_furniture)
    walker.walk(body)
    _score_prose(walker.blocks, walker.elements, options)
    if walker.collapsed:
        # A furniture element is a misleading wrapper when its prose p reaches the share
        # s of the page's, which is at least p plus the prose outside collapsed
        # furniture (q): p >= s (p + q) needs p >= q s / (1 - s). Its text outside
        # links bounds p from above; where that bound reaches q s / (1 - s), the
        # element might have been a wrapper of the article, and the page is walked
        # again in full.
        share = min(options.furniture_max_share, 0.99)
        bound = share / (1.0 - share) * sum(el.chars for el in walker.elements)
        if any(len(b.text) >= bound and _unlinked_chars(b, node) >= bound for b, node in walker.collapsed):
            walker = _Walker(options, deadline, collapse=False)
            walker.walk(body)
            _score_prose(walker.blocks, walker.elements, options)
    blocks, elements, removed = walker.blocks, walker.elements, walker.removed
    # the walk skips script, style and the like in the body at one node visit each
    # (cheaper than a CSS query and a strip in lexbor, which build a Python object per
    # match and scan the tree once per tag); those in the head are counted here
    head = tree.head
    node = head.child if head is not None else None
    while node is not None:
        kind = SKIP_TAGS.get(node.tag or "")
        if kind is not None:
            removed[kind] += 1
        node = node.next
    if not blocks:
        return Extraction("", 0.0, removed)
    _score_elements(blocks, elements, options)
    if deadline is not None:
        deadline.check()

    # the main container: the element whose subtree scores highest (ancestors win ties,
    # so a headline just above the prose stays in)
    best = 0
    for i in range(1, len(elements)):
        if elements[i].score > elements[best].score:
            best = i
    roots = {best}
    # siblings of the container join it when they weigh a quarter of it, or when they
    # are pure prose (no furniture, nothing negative below): an article split over
    # sibling elements, the lead paragraph in its own <div> (readability's sibling rule
    # has the same two arms)
    parent = elements[best].parent
    top = elements[best].score
    if parent >= 0 and top > 0:
        for i in range(parent + 1, len(elements)):
            el = elements[i]
            if el.parent != parent or i == best or el.furniture or el.score <= 0:
                continue
            if el.score > 0.25 * top or (el.negative == 0 and el.score >= options.pure_prose_min):
                roots.add(i)

    in_root = [False] * len(elements)
    near = [False] * len(elements)  # below the container's parent
    for i in range(len(elements)):
        el = elements[i]
        in_root[i] = i in roots or (el.parent >= 0 and in_root[el.parent])
        near[i] = i == parent or (el.parent >= 0 and near[el.parent])

    # When one child of the container holds nearly all of its score (the article body
    # inside an article element), what follows that child inside the container is the
    # article's tail: author box, newsletter sign-up, related links. What precedes it
    # (headline, standfirst) stays.
    body_end = len(elements)
    if top > 0:
        child, child_score = -1, 0.0
        for i in range(best + 1, len(elements)):
            el = elements[i]
            if el.parent == best and el.score > child_score:
                child, child_score = i, el.score
        if child > 0 and child_score >= options.body_share * top:
            body_end = child + 1
            while body_end < len(elements) and _in_subtree(elements, body_end, child):
                body_end += 1
    after_body = [False] * len(elements)
    if body_end < len(elements):
        for i in range(body_end, len(elements)):
            after_body[i] = _in_subtree(elements, i, best)
    teaser = _other_articles(elements, best) if walker.articles >= 2 else None
    teaser_items = _teaser_items(blocks, elements, in_root)
    # Captions or teasers that hold most of the container's prose are what the page is
    # about (a slideshow told in captions, a page of summaries), not its frame: kept.
    # Half for captions (the share at which they outweigh the rest); for teasers, four
    # fifths: on the tune halves the teaser lists beside an article held 13-62% of the
    # container's prose, a page of summaries all of it.
    in_prose = sum(b.score for b in blocks if b.score > 0 and in_root[b.element]) or 1.0
    captions = options.include_captions or (
        sum(b.score for b in blocks if b.kind == "caption" and b.score > 0 and in_root[b.element])
        >= 0.5 * in_prose
    )
    if (
        teaser_items
        and sum(b.score for b in blocks if b.score > 0 and id(b) in teaser_items) > 0.8 * in_prose
    ):
        teaser_items = set()

    kept: list[_Block] = []
    prose_total = prose_kept = 0.0
    pending_heading: _Block | None = None  # a heading waits to see what it introduces
    for b in blocks:
        if b.score > 0:
            prose_total += b.score
        if not in_root[b.element] and not (
            # a prose block next to the container (a standfirst in the article's
            # header, a lead paragraph above the body) belongs to the article
            near[b.element] and b.score >= options.pure_prose_min and not b.furniture
        ):
            # counted by its furniture kind where it has one (a nav outside the
            # article is a nav), as outside_main otherwise
            kind = b.furniture or "outside_main"
            removed[kind] += 1
            if trace is not None:
                trace.append((b.text, b.kind, kind))
            continue
        reason = ""
        n = len(b.text)
        if b.furniture:
            reason = b.furniture
        elif after_body[b.element]:
            reason = "after_body"
        elif (teaser is not None and teaser[b.element]) or id(b) in teaser_items:
            reason = "teaser"
        elif (
            n
            and b.kind != "cell"  # a table's linked cells are its data (product, model, name)
            and b.link_chars / n > options.max_link_density
            # a long block is prose with many links unless links are nearly all of it
            # (three quarters, halfway from the link-list cut to all links: a run of
            # linked headlines; tune halves: AEB +0.0013, trafilatura set unchanged)
            and (b.words < 3 * options.min_words or b.link_chars > 0.75 * n)
        ):
            reason = "link_dense"
        elif b.kind == "caption" and not captions:
            reason = "caption"
        elif (
            b.words <= options.credit_max_words
            and b.kind != "code"
            and not options.include_captions
            and _CREDIT.search(b.text)
        ):
            reason = "credit"
        if reason:
            if reason == "teaser" and b.score > 0:
                # a teaser is prose the path recognised and set aside, not prose it
                # missed: it does not lower the confidence
                prose_total -= b.score
            removed[reason] += 1
            if trace is not None:
                trace.append((b.text, b.kind, reason))
            if pending_heading is not None and reason not in ("caption", "credit"):
                # a heading that introduces furniture ("Related posts", "Share this")
                # goes with it
                removed["heading_of_removed"] += 1
                h = kept.pop()
                if trace is not None:
                    trace.append((h.text, h.kind, "heading_of_removed"))
            pending_heading = None
            continue
        if b.score > 0:
            prose_kept += b.score
        kept.append(b)
        pending_heading = b if b.kind == "heading" else None
    if kept:
        kept = _drop_labels(kept, removed, trace)
    # Short blocks after the last prose block are the tail of the article's frame
    # ("Share this", "Related posts", "No comments"); short blocks before the first
    # prose block other than headings are its head (dates, kickers, breadcrumbs).
    # A dateline ("PUBLISHED: 10:48, Tue, Nov 19, 2019 | UPDATED: ...") is long enough to
    # score as prose but is the frame's, not the article's.
    prose_idx = [i for i, b in enumerate(kept) if b.score > 5.0]
    while prose_idx and _is_dateline(kept[prose_idx[0]]):
        prose_idx.pop(0)
    while prose_idx and _is_dateline(kept[prose_idx[-1]]):
        prose_idx.pop()
    if prose_idx:
        first, last = prose_idx[0], prose_idx[-1]
        trimmed = [b for i, b in enumerate(kept) if first <= i <= last or (i < first and b.kind == "heading")]
        removed["frame_short"] += len(kept) - len(trimmed)
        if trace is not None:
            ids = {id(b) for b in trimmed}
            trace.extend((b.text, b.kind, "frame_short") for b in kept if id(b) not in ids)
        kept = trimmed
    if trace is not None:
        trace.extend((b.text, b.kind, "kept") for b in kept)
    text = "\n".join(b.text for b in kept)
    words = sum(b.words for b in kept)
    share = prose_kept / prose_total if prose_total else 0.0
    # Confidence: the share of the page's prose that the container holds, discounted for
    # short results (under-extraction is where the fast path loses most), and
    # lowered when a disjoint contender scores close to the container (0.8 when it holds
    # 70% of the container's score: two articles, or an article and a comment thread).
    # The form and the 0.8 default threshold were chosen on the tuning half of the
    # trafilatura set: they send the ~11% of pages where trafilatura helps most.
    second = _second_best(elements, best) / top if top > 0 else 1.0
    # A page with under 200 words in all is short, not under-extracted: its discount is
    # by the page's size, not the output's (tuning half: F1 +0.0005, 1.2 points fewer
    # pages escalated).
    page_words = sum(b.words for b in blocks)
    size = page_words if page_words < 200 else words
    confidence = min(share * min(1.0, size / 100.0), 1.5 - second) if words else 0.0
    confidence = max(0.0, min(1.0, confidence))
    return Extraction(
        text,
        confidence,
        removed,
        kept_blocks=len(kept),
        signals=_page_features(blocks, kept, elements, best, len(roots), share, second, words, page_words),
    )


def _page_features(
    blocks: list[_Block],
    kept: list[_Block],
    elements: list[_Element],
    best: int,
    roots: int,
    share: float,
    contender: float,
    words: int,
    page_words: int,
) -> dict[str, Any]:
    """What the fast path knows about the page and its own choice, as numbers.

    These describe the decision, not the text: the escalation model
    (:mod:`thresher.stages.extract.escalation`) reads them to judge whether trafilatura
    would do better on the page, and the ``extract`` step reports some as signals.
    """
    page_chars = sum(len(b.text) for b in blocks) or 1
    page_links = sum(b.link_chars for b in blocks)
    kept_chars = sum(len(b.text) for b in kept) or 1
    depth = 0
    e = best
    while e > 0:
        depth += 1
        e = elements[e].parent
    prose_blocks = sum(1 for b in kept if b.score > 5.0)
    prose_outside = sum(1 for b in blocks if b.score > 5.0 and not b.furniture) - prose_blocks
    return {
        "prose_share": round(share, 4),
        "container_tag": elements[best].tag,
        "words": words,
        "prose_blocks": prose_blocks,
        "roots": roots,
        "text_share": round(kept_chars / page_chars if kept else 0.0, 4),
        "page_words": page_words,
        "contender": round(contender, 4),
        "blocks": len(blocks),
        "kept_share_blocks": round(len(kept) / len(blocks), 4),
        "page_link_density": round(page_links / page_chars, 4),
        "kept_link_density": round(sum(b.link_chars for b in kept) / kept_chars if kept else 0.0, 4),
        "paragraph_share": round(sum(len(b.text) for b in kept if b.kind == "paragraph") / kept_chars, 4),
        "list_share": round(sum(len(b.text) for b in kept if b.kind in ("list", "cell")) / kept_chars, 4),
        "headings": sum(1 for b in kept if b.kind == "heading"),
        "container_depth": depth,
        "prose_outside": max(0, prose_outside),
        "last_block_words": kept[-1].words if kept else 0,
        "elements": len(elements),
    }
