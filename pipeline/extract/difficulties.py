"""The difficulties, shortcomings, causes and recommendations a report lists.

A report states them under headings of its own wording ("5. Những khó khăn, tồn tại, kiến nghị,
đề xuất giải pháp khắc phục", "2.1 Tồn tại, hạn chế, khó khăn, vướng mắc:", "VII. Kiến nghị, đề
xuất", "- Nguyên nhân chủ quan:"), and lists them as bullets, letters, numbers or — when the section
has none — plain paragraphs. The finder reads the outline of :mod:`pipeline.extract.sections`:

* a heading (or a label ending a bullet with ``:``) names a kind when a heading word from
  ``difficulty_headings.tsv`` opens it or opens one of its comma/``và``-separated parts;
* inside such a section, a sub-heading that names kinds of its own is a group label: it is not an
  item, it sets the kind (and the ``section``) of what follows; when a section has such labelled
  sub-sections, only those are read (the rest is results, tasks or lessons);
* every other listed node is an item, joined with the unnumbered lines that continue it (line and
  page wraps); a paragraph ending with ``:`` is a lead-in, the closing formula (``… ./.``) is not
  an item;
* a mixed heading is split by item wording (``difficulty_item_cues.tsv``): an item that asks or
  proposes is a recommendation, the others are difficulties, limitations or causes;
* under a recommendation heading read as paragraphs, when some paragraphs make a request and others
  do not, the others are the rationale, not items; a request retold as made before or settled since
  ("Hộ ông … đề nghị …: … đã sửa chữa xong") is none;
* a heading's kind words after "của" are its complement: "Nguyên nhân của những tồn tại, hạn chế"
  heads causes;
* a plain line that is nothing but a label ("Khó khăn, vướng mắc", "Nguyên nhân", "Giải pháp, kiến
  nghị") heads a section outside the outline too: a plain text or a scan keeps no bold.

Outside such sections, requests are items where Vietnamese administrative writing makes them:
the list that a lead-in sentence announces ("Sở Tư pháp đề nghị … thực hiện một số nội dung sau:",
"… có một số ý kiến góp ý như sau:", or a request paragraph ending with ":" right over a numbered or
bulleted list), anywhere in the body (a list of particulars, "- Tên hiện tại: …", is the lead-in's one
request); the paragraph closing a report whose first sentence is the agency's own request ("… kính
đề nghị UBND tỉnh quan tâm bổ sung … ./."); and, in a document written to request
(a công văn or tờ trình, or a title that asks or comments), each running-text paragraph in which the
issuer asks ("…; đồng thời, đề nghị Công an tỉnh nghiên cứu, điều chỉnh …"). A request word used as a
noun ("Công văn về việc đề nghị …", "theo đề nghị của …", "Đơn đề nghị") is not a request, nor is a
past one retold ("… đã đề nghị …"). Shortcomings are announced the same way outside any heading
("Bên cạnh những kết quả đạt được, vẫn còn những tồn tại, hạn chế như sau:", "Nguyên nhân của những
hạn chế trên là do:"): the bulleted, numbered or lettered items after such a sentence are items of
the kinds it names. A file may hold several documents (a cover letter and the letter it forwards, a
tờ trình and its draft): each body after a signature tail that a header of its own opens is read too.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from pipeline.data import read_list, read_table
from pipeline.document import CELL_SEPARATOR, DocumentText, TextBlock
from pipeline.extract.metadata import DocumentMetadata, extract_metadata
from pipeline.extract.sections import OutlineNode, Section, body_parts, build_outline, marker_of, quoted_blocks
from pipeline.normalize import fold_accents, fold_prefix

KINDS = ("difficulty", "limitation", "cause", "recommendation")
_MAX_LABEL_CHARS = 200
# a paragraph of at most this many words that names a kind is a label line, not an item
_MAX_BARE_LABEL_WORDS = 8
_PARTICULAR_LABEL_WORDS = 5  # "Tên đề nghị sửa đổi:", "Thời gian thực hiện:"
_MAX_BARE_LABEL_CHARS = 80  # "Tồn tại, hạn chế, khó khăn, vướng mắc và nguyên nhân" is 52
_LABEL = re.compile(r"^(?P<label>[^:]{3,200}?)\s*:\s*(?P<rest>.*)$", re.DOTALL)
_FOOTNOTE_MARK = re.compile(r"(?<=[a-zà-ỹđ)\]”])(?:\d{1,2}|\[\d{1,2}\])(?=[\s,.;:)]|$)|[¹²³⁴⁵⁶⁷⁸⁹⁰]+")
_EMPHASIS = re.compile(r"\*+")
# what separates the words of a list of heading words ("tồn tại, hạn chế", "khó khăn và vướng mắc")
_LIST_GAP = re.compile(r"\s*(?:[,;/&–\-]|va(?!\w))?\s*")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_CLOSING_MARK = re.compile(r"\.?\s*/\s*\.\s*$")
_SKIP_KINDS = frozenset({"footnote", "table_row"})
_HEADER_ROWS = 3
_SENTENCE_LINES = 3
_MAX_HEADER_CELL = 80
_MAX_CLOSING_CHARS = 120
_CLOSING_PREFIX = 40  # the closing formulas of difficulty_item_cues.tsv open a block
_CONDITION_PREFIX = 100  # "Trong quá trình tổ chức thực hiện, nếu có khó khăn, vướng mắc"
_MAX_BARE_CLOSING_CHARS = 50
_CAPITALS = "A-ZĐÀ-Ỹ"
# an addressee's name: a dozen words at most, none of them one that starts a purpose or an object
_ADDRESSEE = r"(?:(?!(?:để|cho|về|việc|nhằm|ban hành|bổ sung)\b)[^\s,;:.]+,?\s+){1,12}"  # "UBND tỉnh, Sở Nội vụ"


def _verbs(words: Iterable[str]) -> str:
    """Alternatives of words as printed (not accent-folded), longest first."""
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
_SUBJECT_LINE = re.compile(r"(?<!\w)(?:ve viec|v/v)(?!\w)[^,;:]*")
_CONTEXT_CHARS = 30
# quoted text (a law, a letter) speaks for its author, not for the issuer; an unclosed quote runs on
_QUOTED = re.compile(r"[“\"][^”\"]*(?:[”\"]|$)")
# a request retold from a cited document or letter: "Công văn số 298/VP-… của Văn phòng … đề nghị"
# "Nhận được Công văn số … của …, đề nghị" retells the letter received; "Nhận được Công văn này, đề
# nghị …" is the closing formula by which the writer asks of the addressee of this very letter
_RETOLD = re.compile(r"(?<!\w)(?:so\s*\d|nhan duoc(?!(?: \w+){0,2} nay(?!\w))|\d+/[a-z])")
_RETOLD_SENTENCE = re.compile(r"(?<!\w)(?:co|ban hanh|gui) (?:cong van|van ban|to trinh)(?!\w)")
_SENTENCE_END = re.compile(r"\.(?=\s|$)")
_SENTENCE_ENDS = (".", "!", "?", ".)", ".”", "…")
_QUOTE_OPEN = ("“", '"', "‘", "«")
_CLAUSE_END = re.compile(r"[,.;:]")
# a list announced by a lead-in is made of items; a numbered heading with content of its own
# starts the next part (a report's opening "… báo cáo và đề xuất như sau:" announces its parts)
_BULLETS = frozenset({"dash", "plus", "dot"})


@dataclass(frozen=True)
class DifficultyItem:
    """One listed difficulty, limitation, cause or recommendation: ``doc.text[start:end]``."""

    kind: str  # difficulty | limitation | cause | recommendation
    text: str
    section: str  # heading as printed
    start: int
    end: int
    page: int | None


def _phrase(words: Iterable[str]) -> str:
    alternatives = sorted((re.escape(fold_accents(w)) for w in words), key=len, reverse=True)
    return "(?:" + "|".join(alternatives) + ")"


@dataclass(frozen=True)
class _Tables:
    kind_of_word: dict[str, str]  # a heading word (folded) -> the kind it names
    heading: re.Pattern[str]
    lead_suffix: re.Pattern[str]
    follow: re.Pattern[str]
    initial: re.Pattern[str]
    closes_part: re.Pattern[str]
    exclude: tuple[str, ...]
    request_start: re.Pattern[str]
    request_verb: re.Pattern[str]
    difficulty: re.Pattern[str]
    limitation: re.Pattern[str]
    cause_start: re.Pattern[str]
    none: frozenset[str]
    closing: re.Pattern[str]
    conditional_close: re.Pattern[str]
    operative: re.Pattern[str]
    operative_request_doc: re.Pattern[str]
    submit: re.Pattern[str]
    lead_in: re.Pattern[str]
    lead_in_request_doc: re.Pattern[str]
    send_by: re.Pattern[str]
    announce: re.Pattern[str]
    subject: re.Pattern[str]
    not_before: re.Pattern[str]
    not_after: re.Pattern[str]
    request_doc_types: frozenset[str]
    request_title: re.Pattern[str]
    content_free: re.Pattern[str]
    strength: re.Pattern[str]
    turn: re.Pattern[str]
    next_part: re.Pattern[str]
    person: re.Pattern[str]
    announced_list: re.Pattern[str]
    opens_with_kind: re.Pattern[str]
    label_filler: re.Pattern[str]
    complement: re.Pattern[str]
    past_request: re.Pattern[str]


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    words = tuple((kind, fold_accents(word)) for kind, word in read_table("difficulty_headings.tsv"))
    context: dict[str, list[str]] = {}
    for role, word in read_table("difficulty_heading_context.tsv"):
        context.setdefault(role, []).append(word)
    cues: dict[str, list[str]] = {}
    for role, word in read_table("difficulty_item_cues.tsv"):
        cues.setdefault(role, []).append(word)
    heading_alt = _phrase(word for _, word in words)
    lead = _phrase(context["lead"])
    return _Tables(
        kind_of_word={word: kind for kind, word in words},
        heading=re.compile(rf"(?<!\w)(?P<word>{heading_alt})(?!\w)"),
        # what may stand before a heading word: nothing, lead words, or a separator (+ lead words)
        lead_suffix=re.compile(rf"(?:^|[,;:–\-/&]|(?<!\w)va)\s*(?:{lead}\s*)*$"),
        follow=re.compile(
            rf"^\s*(?:$|[,;:.–\-]|(?:{_phrase(context['follow'])})(?!\w)|{heading_alt}(?!\w))"
        ),
        initial=re.compile(rf"^\s*(?:{lead}\s*)*$"),
        closes_part=re.compile(
            rf"^\s*(?:[,;:.–\-]?\s*(?:va\s+)?(?:{lead}\s*)*{heading_alt}(?!\w)|[\W_]*$)"
        ),
        exclude=tuple(fold_accents(w) for w in context["exclude"]),
        request_start=re.compile(rf"^(?:{_phrase(cues['request'])})(?!\w)"),
        request_verb=re.compile(rf"(?<!\w){_phrase(cues['request_anywhere'])}(?!\w)"),
        difficulty=re.compile(rf"(?<!\w){_phrase(cues['difficulty'])}(?!\w)"),
        limitation=re.compile(rf"(?<!\w){_phrase(cues['limitation'])}(?!\w)"),
        cause_start=re.compile(rf"^(?:{_phrase(cues['cause'])})(?!\w)"),
        none=frozenset(fold_accents(w) for w in cues["none"]),
        closing=re.compile(rf"^(?:{_phrase(cues['closing'])})(?!\w)"),
        conditional_close=re.compile(
            rf"^(?:trong qua trinh [^,.;:]{{0,40}}?[,\s]\s*)?(?:{_phrase(cues['closing_condition'])})\s"
            rf"[^.;:]{{0,40}}?(?:{_phrase(cues['closing_trouble'])})(?!\w)"
        ),
        operative=re.compile(rf"(?<!\w){_phrase(cues['operative'])}(?!\w)"),
        operative_request_doc=re.compile(
            rf"(?<!\w){_phrase(cues['operative'] + cues['operative_request_doc'])}(?!\w)"
        ),
        submit=re.compile(
            rf"(?<!\w){_phrase(cues['submit'])}(?!\w)"
            rf"(?=(?:[^.;]|\.(?=\S)){{0,200}}?(?<!\w){_phrase(cues['submit_follow'])}(?!\w))"
        ),
        lead_in=re.compile(rf"(?<!\w){_phrase(cues['operative'] + cues['lead_in'])}(?!\w)"),
        send_by=re.compile(rf"(?<!\w)(?<!da )(?<!duoc )(?:{_phrase(cues['send_by'])})(?!\w)(?:[^.;]|\.(?=\S)){{0,200}}?(?<!\w)truoc ngay\s*\d"),
        lead_in_request_doc=re.compile(
            rf"(?<!\w){_phrase(cues['operative'] + cues['lead_in'] + cues['operative_request_doc'])}(?!\w)"
        ),
        announce=re.compile(rf"(?<!\w){_phrase(cues['announce'])}\s*:\s*$"),
        subject=re.compile(
            rf"^\s*(?:$|(?:{_phrase(list(read_list('agency_heads.txt')) + cues['subject_lead'])})(?!\w))"
        ),
        not_before=re.compile(rf"(?<!\w){_phrase(cues['not_before'])}\s*$"),
        not_after=re.compile(rf"^\s*{_phrase(cues['not_after'])}(?!\w)"),
        # an honorific, then a name of two to five capitalised words (matched on the printed text)
        person=re.compile(
            rf"(?<!\w)(?i:{'|'.join(re.escape(w) for w in sorted(read_list('person_honorifics.txt'), key=len, reverse=True))})"
            rf"\s+(?:[{_CAPITALS}]\w*\s*){{2,5}}"
        ),
        strength=re.compile(rf"(?<!\w){_phrase(context['strength'])}(?!\w)"),
        turn=re.compile(rf"^\W*(?:{_phrase(context['turn'])})(?!\w)"),
        next_part=re.compile(rf"^\W{{0,3}}\w?\W{{0,2}}(?:{_phrase(context['next_part'])})(?!\w)"),
        # "… vẫn còn những tồn tại, hạn chế như sau:": kinds named as a list's noun right before the colon
        announced_list=re.compile(
            rf"(?<!\w)(?:{_phrase(context['quantifier'])})\s+(?:{lead}\s+)*"
            rf"(?P<kinds>(?:{heading_alt})(?:\s*(?:,|va(?!\w))\s*(?:{lead}\s+)*(?:{heading_alt}))*)"
            rf"(?:\s+(?:{_phrase(context['list_close'])}))*\s*:$"
        ),
        opens_with_kind=re.compile(rf"^(?:{lead}\s+)*(?:{heading_alt})(?!\w)"),
        # a request retold as past ("đã đề nghị", "đã có kiến nghị"), or with what was done about
        # it after a colon ("Hộ ông … đề nghị sửa chữa cống …: Ban Nhân dân ấp đã sửa chữa xong")
        past_request=re.compile(
            rf"(?<!\w)da\s+(?:\w+\s+){{0,2}}?(?:{_phrase(cues['request_anywhere'])})(?!\w)"
            rf"|(?<!\w){_phrase(cues['request_anywhere'])}(?!\w)[^:;.]*[:;][^.]*?(?<!\w)da(?!\w)"
        ),
        # "… của những": what follows is the complement of the heading word before
        complement=re.compile(rf"(?<!\w)(?:{_phrase(context['complement'])})\s+(?:{lead}\s*)*$"),
        # what a bare section label is made of besides its heading words: lead words, companions, separators
        label_filler=re.compile(
            rf"(?<!\w)(?:{lead}|{_phrase(context['label_companion'])}|va)(?!\w)|[\s,;:&/–\-]+"
        ),
        request_doc_types=frozenset(fold_accents(w) for w in cues["request_doc_type"]),
        request_title=re.compile(rf"(?<!\w){_phrase(cues['request_title'])}(?!\w)"),
        # "Sở Nội vụ kính trình Chủ tịch UBND tỉnh xem xét, quyết định./." asks for nothing in particular:
        # a request word, an addressee (capitalised: "bổ sung" is not "Bộ") and "xem xét" with at most
        # a formula after it; or, short, "Sở Nội vụ kính trình UBND tỉnh./."
        content_free=re.compile(
            rf"^(?=.{{0,{_MAX_CLOSING_CHARS}}}$)[^,;:]*?(?<!\w)(?i:{_verbs(cues['request_anywhere'] + cues['closing_wish'])})\s+(?=[{_CAPITALS}])"
            rf"{_ADDRESSEE}(?i:{_verbs(cues['closing_consider'])})(?:\s*,?\s*(?i:{_verbs(cues['closing_tail'])}))?\s*[./\s]*$"
            rf"|^(?=.{{0,{_MAX_BARE_CLOSING_CHARS}}}$)[^,;:]*?(?<!\w)(?i:kính trình|kính đề nghị)\s+(?=[{_CAPITALS}])"
            rf"[^,;:.]*[./\s]*$"
        ),
    )


def heading_kinds(label: str) -> list[str]:
    """Kinds a heading names, in the order it names them (empty when it names none).

    A heading word counts when it opens the heading (after lead words such as "Những", "Một số",
    "Ý kiến"; a request verb — kiến nghị, đề xuất, đề nghị — then must not be followed by an
    object: "Đề nghị phê duyệt Đề án …" is a subject line), or when it is a whole element of a
    comma/semicolon/"và"-separated list that closes the heading ("Kết quả đạt được, tồn
    tại, hạn chế").
    """
    tables = _tables()
    label = _EMPHASIS.sub("", label).strip()
    label = label[marker_of(label)[2] :]
    folded = _SPACES.sub(" ", fold_accents(label)).strip(" :.")
    if not folded or len(folded) > _MAX_LABEL_CHARS or folded.startswith(tables.exclude):
        return []
    kinds: list[str] = []
    in_complement = False
    previous_end = 0
    for match in tables.heading.finditer(folded):
        between = folded[previous_end : match.start()]
        previous_end = match.end()
        # "Nguyên nhân của những tồn tại, hạn chế": the words after "của" say whose causes, and
        # so do the words listed on with them
        if kinds and tables.complement.search(folded[: match.start()]):
            in_complement = True
            continue
        if in_complement and _LIST_GAP.fullmatch(between):
            continue
        in_complement = False
        if not tables.lead_suffix.search(folded[: match.start()]):
            continue
        kind = tables.kind_of_word[match.group("word")]
        following = folded[match.end() :]
        if not tables.initial.match(folded[: match.start()]):
            # inside a heading, a heading word counts only in the closing list of them
            # ("Đánh giá chung, tồn tại, hạn chế"), not as a noun with a complement ("xử lý
            # phản ánh, kiến nghị của các cá nhân") or a verb in a list of tasks ("tham mưu, đề
            # xuất và tổ chức thực hiện").
            if not tables.closes_part.match(following):
                continue
        elif kind == "recommendation" and not tables.follow.match(following):
            continue
        if kind not in kinds:
            kinds.append(kind)
    return kinds


def is_kind_label(text: str) -> bool:
    """Whether the line ``text`` is nothing but a section label naming kinds ("Khó khăn, vướng mắc",
    "Nguyên nhân", "Giải pháp, kiến nghị", "Những tồn tại, hạn chế:"): such a line heads a section
    whatever its type face, which a plain text or a scan does not give (a tham luận's parts)."""
    if len(text) > _MAX_BARE_LABEL_CHARS or text.rstrip(":").endswith(_SENTENCE_ENDS):
        return False  # most blocks: a sentence, decided before any folding
    tables = _tables()
    if not heading_kinds(text):
        return False
    folded = _SPACES.sub(" ", fold_accents(_EMPHASIS.sub("", text))).strip(" :.")
    return not tables.label_filler.sub("", tables.heading.sub("", folded))


def makes_request(text: str, lead_in: bool = False, request_doc: bool = False, listed: bool = False) -> bool:
    """Whether ``text`` asks something in its own voice: a request verb that is not a noun.

    With ``lead_in``, words that announce comments on a draft ("ý kiến góp ý") count too; in a
    ``request_doc`` so does advising the superior ("tham mưu"). A lead-in says it announces a list
    ("… như sau:"), unless ``listed``: a numbered or bulleted list follows it right away ("… kính
    đề xuất UBND tỉnh xem xét, cho ý kiến chỉ đạo:" over "1. … 2. …"). Request words inside a subject line
    ("về việc đề nghị …"), after a noun that owns them ("theo đề nghị", "Đơn đề nghị"), followed
    by "của", or in a clause that retells a cited letter do not; outside a lead-in, the verb must
    open its clause or follow the agency that asks.
    """
    tables = _tables()
    folded = _request_text(text)
    if lead_in:
        if not listed and not tables.announce.search(folded):
            return False
        pattern = tables.lead_in_request_doc if request_doc else tables.lead_in
    else:
        pattern = tables.operative_request_doc if request_doc else tables.operative
    return _asks(folded, pattern.finditer(folded), lead_in)


def submits(text: str) -> bool:
    """Whether the sentence ``text`` submits something to be considered, in its own voice ("Thường
    trực HĐND tỉnh thống nhất trình HĐND tỉnh xem xét miễn nhiệm …"): how a tờ trình asks
    (Nghị định 30/2020's form), counted in a document written to request."""
    folded = _request_text(text)
    return _asks(folded, _tables().submit.finditer(folded), lead_in=False)


def _request_text(text: str) -> str:
    folded = _QUOTED.sub(" ", _SPACES.sub(" ", text))
    return _SUBJECT_LINE.sub(" ", fold_accents(folded))


def _asks(folded: str, matches: Iterable[re.Match[str]], lead_in: bool) -> bool:
    """Whether one of the request words at ``matches`` asks: not a noun, not retold, and (outside
    a lead-in) opening its clause or following the agency that asks."""
    tables = _tables()
    for match in matches:
        before = folded[max(0, match.start() - _CONTEXT_CHARS) : match.start()]
        if tables.not_before.search(before) or tables.not_after.match(folded[match.end() :]):
            continue
        clause = _CLAUSE_END.split(folded[: match.start()])[-1]
        sentence = _SENTENCE_END.split(folded[: match.start()])[-1]
        if _RETOLD.search(clause) or _RETOLD_SENTENCE.search(sentence):
            continue
        if lead_in:
            return True
        if not clause.strip():
            # a verb opening its clause asks only when no cited document precedes it in the
            # sentence ("Triển khai Quyết định số 145/QĐ-BNV … Kế hoạch …; đề xuất nhiệm vụ …"
            # is the plan's title)
            if not _RETOLD.search(sentence):
                return True
            continue
        if tables.subject.match(clause):
            return True
    return False


def _clean(text: str) -> str:
    text = _FOOTNOTE_MARK.sub("", _EMPHASIS.sub("", text))
    return _SPACES.sub(" ", text).strip().rstrip(";,").strip()


def _item_kind(text: str, kinds: Sequence[str]) -> str:
    """Kind of one item under a heading that names ``kinds`` (several when the heading is mixed)."""
    tables = _tables()
    if len(kinds) == 1:
        return kinds[0]
    folded = fold_accents(text).lstrip("-+• ")
    opening = " ".join(folded.split()[:6])
    if "recommendation" in kinds and (
        tables.request_start.match(folded) or tables.request_verb.search(opening)
    ):
        return "recommendation"
    rest = [kind for kind in kinds if kind != "recommendation"] or ["recommendation"]
    if "cause" in rest and len(rest) > 1:
        if tables.cause_start.match(folded):
            return "cause"
        rest = [kind for kind in rest if kind != "cause"]
    if "difficulty" in rest and "limitation" in rest:
        if tables.difficulty.search(folded):
            return "difficulty"
        if tables.limitation.search(folded):
            return "limitation"
    return rest[0]


@dataclass
class _Piece:
    start: int
    end: int
    page: int | None
    blocks: list[int]


class _Reader:
    """Reads the items of one document from its outline."""

    def __init__(self, doc: DocumentText, metadata: DocumentMetadata | None = None) -> None:
        self.doc = doc
        self.nodes = build_outline(doc)
        self.children: dict[int | None, list[int]] = {}
        for position, node in enumerate(self.nodes):
            self.children.setdefault(node.parent, []).append(position)
        self.node_at = {node.first: position for position, node in enumerate(self.nodes)}
        self.node_firsts = [node.first for node in self.nodes]  # in document order
        self.items: list[DifficultyItem] = []
        self.taken = [False] * len(doc.blocks)
        self.emitted: set[int] = set()  # blocks some item holds
        self.closings: dict[int, str | None] = {}
        self.bodies = body_parts(doc.blocks) if doc.blocks else [(0, 0)]
        self.quoted = set().union(*(quoted_blocks(doc.blocks, start, end) for start, end in self.bodies))
        meta = metadata if metadata is not None else extract_metadata(doc.blocks, doc.name)
        tables = _tables()
        self.request_doc = fold_accents(meta.doc_kind or "") in tables.request_doc_types or bool(
            meta.title and tables.request_title.search(fold_accents(meta.title))
        )

    # -- text of nodes -------------------------------------------------------------------------
    def own_text(self, node: OutlineNode) -> tuple[int, int]:
        """Offsets of the node's text after its number/bullet."""
        last = self.doc.blocks[node.last]
        start = node.marker_end if node.first == node.last else last.start
        return start, last.end

    def label_of(self, node: OutlineNode) -> tuple[str, int | None]:
        """A node's label and, for "label: content" lines, where the inline content starts."""
        start, end = self.own_text(node)
        text = self.doc.text[start:end]
        match = _LABEL.match(text)
        if match and heading_kinds(match.group("label")):
            rest = match.group("rest").strip()
            return match.group("label"), (start + match.start("rest")) if rest else None
        if len(text) <= _MAX_LABEL_CHARS:
            return text, None
        return "", None

    def printed_heading(self, node: OutlineNode, inline_start: int | None) -> str:
        """The heading as printed: number kept, bullet dropped, inline content cut off."""
        block = self.doc.blocks[node.first]
        if node.last != node.first:
            return _clean(self.doc.blocks[node.last].text)
        start = node.marker_end if marker_of(block.text)[0] in {"dash", "plus", "dot"} else block.start
        end = inline_start if inline_start is not None else block.end
        return _clean(self.doc.text[start:end])

    # -- items ---------------------------------------------------------------------------------
    @staticmethod
    def is_noise(text: str) -> bool:
        """What OCR reads from a stamp or a signature ("Ậ+ r.» — Ậ A Ậ hà ` ^"): fewer than
        three words of two letters or more."""
        return sum(1 for word in _WORD.findall(text) if sum(ch.isalpha() for ch in word) >= 2) < 3

    def is_none(self, text: str) -> bool:
        return fold_accents(text).strip(" .;:!") in _tables().none

    def closing(self, block: TextBlock) -> str | None:
        """"skip" for the closing formula, "last" for a request that ends the body ("… ./.")."""
        # the readers ask again about the same blocks; each answer is read from the block alone
        if block.index not in self.closings:
            self.closings[block.index] = self._closing(block)
        return self.closings[block.index]

    def _closing(self, block: TextBlock) -> str | None:
        tables = _tables()
        if (
            tables.closing.match(fold_prefix(block.text, _CLOSING_PREFIX))
            or tables.conditional_close.match(fold_prefix(block.text, _CONDITION_PREFIX))
            or tables.content_free.search(block.text)
        ):
            return "skip"
        if _CLOSING_MARK.search(block.text):
            folded = fold_accents(block.text)
            # "… kính trình UBND tỉnh xem xét phê duyệt …./." is the request itself;
            # "UBND tỉnh báo cáo Bộ Nội vụ …./." only closes the report.
            return "last" if _tables().request_verb.search(folded) else "skip"
        return None

    def emit(self, piece: _Piece, kinds: Sequence[str], section: str) -> None:
        if list(kinds) == ["recommendation"]:
            if self.retells_request(piece):
                return
            for part in self.own_requests(piece):
                self.emit_one(part, kinds, section)
        else:
            self.emit_one(piece, kinds, section)

    def retells_request(self, piece: _Piece) -> bool:
        """Whether a recommendation's text only reports a request made before, by someone else or
        settled since ("Hộ ông … đề nghị sửa chữa cống …: Ban Nhân dân ấp đã sửa chữa xong"), and
        does not ask in its own voice."""
        text = self.doc.text[piece.start : piece.end]
        return bool(_tables().past_request.search(fold_accents(text))) and not makes_request(text)

    def own_requests(self, piece: _Piece) -> list[_Piece]:
        """A recommendation split where a later paragraph of it asks again in its first sentence.

        "- Thứ ba: … đề nghị bổ sung …." followed by "Ngoài ra, đề nghị rà soát …." are two
        requests; a paragraph that explains or lists what the first asks for is part of it.
        """
        parts = [_Piece(piece.start, piece.end, piece.page, piece.blocks[:1])]
        for index in piece.blocks[1:]:
            block = self.doc.blocks[index]
            current = parts[-1]
            before = self.doc.text[current.start : self.doc.blocks[current.blocks[-1]].end].rstrip()
            if (
                index not in self.node_at
                and before.endswith(_SENTENCE_ENDS)
                and block.text[:1].isupper()
                and makes_request(_SENTENCE_END.split(block.text, 1)[0], request_doc=self.request_doc)
            ):
                current.end = self.doc.blocks[current.blocks[-1]].end
                parts.append(_Piece(block.start, piece.end, block.page, [index]))
            else:
                current.blocks.append(index)
        if len(parts) > 1 and not makes_request(self.doc.text[parts[0].start : parts[0].end], request_doc=self.request_doc):
            return parts[1:]  # what the requests answer ("Đối với Hội X: Qua theo dõi, …") asks nothing
        return parts

    def emit_one(self, piece: _Piece, kinds: Sequence[str], section: str) -> None:
        text = _clean(self.doc.text[piece.start : piece.end])
        if len(_WORD.findall(text)) < 2 or self.is_none(text) or self.is_noise(text):
            return
        self.emitted.update(piece.blocks)
        self.items.append(
            DifficultyItem(
                kind=_item_kind(text, kinds),
                text=text,
                section=section,
                start=piece.start,
                end=piece.end,
                page=piece.page,
            )
        )

    def paragraphs(self, first: int, stop: int) -> list[_Piece]:
        """Unnumbered blocks of ``[first, stop)`` as paragraph items (wrapped lines re-joined)."""
        pieces: list[_Piece] = []
        for index in range(first, stop):
            block = self.doc.blocks[index]
            if block.kind in _SKIP_KINDS or index in self.node_at:
                continue
            closing = self.closing(block)
            if closing == "skip" or _tables().next_part.match(fold_accents(block.text)):
                break
            if pieces and closing is None and (block.text[:1].islower() or self.wraps(pieces[-1], block)):
                pieces[-1].end = block.end
                pieces[-1].blocks.append(index)
                continue
            if not pieces and index == first and block.text[:1].islower():
                continue  # the tail of a heading broken over two lines
            pieces.append(_Piece(block.start, block.end, block.page, [index]))
            if closing == "last":
                break
        return pieces

    def wraps(self, piece: _Piece, block: TextBlock) -> bool:
        """A PDF line that follows an unfinished sentence continues it (DOCX paragraphs are whole)."""
        if block.page is None or piece.blocks[-1] != block.index - 1:
            return False
        tail = self.doc.text[piece.start : piece.end].rstrip()
        return bool(tail) and tail[-1].isalnum()

    def continuation(self, node: OutlineNode, start: int, nested: bool = False) -> _Piece | None:
        """The node's own text from ``start`` plus the unnumbered blocks that continue it.

        With ``nested``, the nodes listed under it are part of it too.
        """
        piece = _Piece(start, self.doc.blocks[node.last].end, self.doc.blocks[node.first].page, [node.last])
        for index in range(node.last + 1, node.stop):
            block = self.doc.blocks[index]
            if index in self.node_at and not nested:
                break
            if block.kind in _SKIP_KINDS:
                continue
            if self.closing(block) is not None:
                break
            piece.end = block.end
            piece.blocks.append(index)
        return piece if piece.end > piece.start else None

    def has_content(self, node: OutlineNode) -> bool:
        return any(
            self.doc.blocks[i].kind not in _SKIP_KINDS for i in range(node.last + 1, node.stop)
        )

    def read_section(self, position: int, kinds: Sequence[str], section: str, inline: int | None) -> None:
        """Items of the node at ``position``, a section that names ``kinds``."""
        node = self.nodes[position]
        children = self.children.get(position, [])
        if inline is not None:
            piece = _Piece(inline, self.doc.blocks[node.last].end, self.doc.blocks[node.last].page, [node.last])
            if not children:
                piece = self.continuation(node, inline) or piece
            self.emit(piece, kinds, section)
            if not children:
                return
        labelled = [c for c in children if self.sub_kinds(c)]
        if labelled:
            # The section is split into named parts (difficulties / causes / recommendations):
            # read only those; the rest of it is results or lessons.
            for child in labelled:
                self.read_child(child, kinds, section)
            return
        first_child = self.nodes[children[0]].first if children else node.stop
        pieces = self.paragraphs(node.last + 1, first_child)
        if list(kinds) == ["recommendation"]:
            pieces = self.requests_only(pieces)
        elif _tables().strength.search(fold_accents(section)):
            pieces = self.after_turn(pieces)
        for number, piece in enumerate(pieces):
            text = self.doc.text[piece.start : piece.end].rstrip()
            label_kinds = self.bare_label(text)
            if label_kinds:
                # an unnumbered label line ("Các nguyên nhân") names the paragraphs after it
                kinds, section = label_kinds, _clean(text)
                continue
            if text.endswith(":") and (number + 1 < len(pieces) or children):
                continue  # a lead-in ("… còn một số khó khăn, hạn chế như:")
            self.emit(piece, kinds, section)
        for child in children:
            self.read_child(child, kinds, section)

    @staticmethod
    def bare_label(text: str) -> list[str]:
        """Kinds named by a paragraph that is only a label: a few words, no sentence, naming a kind."""
        words = _WORD.findall(text)
        if not words or len(words) > _MAX_BARE_LABEL_WORDS or text.rstrip(":").endswith(_SENTENCE_ENDS):
            return []
        return heading_kinds(text)

    def after_turn(self, pieces: list[_Piece]) -> list[_Piece]:
        """Under a heading that names achievements too, the paragraphs from the one that turns to
        shortcomings ("Tuy nhiên, …", "Bên cạnh đó, …"); all of them when none turns."""
        for number, piece in enumerate(pieces):
            if _tables().turn.match(fold_accents(self.doc.text[piece.start : piece.end])):
                return pieces[number:]
        return pieces

    def requests_only(self, pieces: list[_Piece]) -> list[_Piece]:
        """Of several paragraphs under a recommendation heading, those that make a request.

        When none or all do, all are kept (a list of proposals need not repeat "đề nghị").
        """
        asking = [makes_request(self.doc.text[p.start : p.end]) for p in pieces]
        if len(pieces) < 2 or all(asking) or not any(asking):
            return pieces
        return [piece for piece, asks in zip(pieces, asking) if asks]

    def sub_kinds(self, position: int) -> list[str]:
        label, _ = self.label_of(self.nodes[position])
        return heading_kinds(label) if label else []

    def is_roster(self, position: int) -> bool:
        """Whether the nodes listed directly under ``position`` are people ("- Chủ nhiệm: Luật sư
        Huỳnh Tho"): the members of a proposed board are part of the proposal, not requests."""
        lines = [self.doc.blocks[self.nodes[child].first].text for child in self.children.get(position, [])]
        people = sum(1 for line in lines if _tables().person.search(line))
        return people >= 2 and people * 2 >= len(lines)

    def read_child(self, position: int, kinds: Sequence[str], section: str) -> None:
        node = self.nodes[position]
        if self.children.get(position) and self.is_roster(position):
            piece = self.continuation(node, self.own_text(node)[0], nested=True)
            if piece is not None:
                self.emit(piece, kinds, section)
            return
        label, inline = self.label_of(node)
        own_kinds = heading_kinds(label) if label else []
        text_end = self.doc.blocks[node.last].end
        own = self.doc.text[self.own_text(node)[0] : text_end].rstrip()
        is_group = bool(self.children.get(position)) or (own.endswith(":") and self.has_content(node))
        if own_kinds and (is_group or inline is not None or (node.is_heading and self.has_content(node))):
            self.read_section(position, own_kinds, self.printed_heading(node, inline), inline)
            return
        if is_group:
            self.read_section(position, kinds, self.printed_heading(node, None), None)
            return
        piece = self.continuation(node, self.own_text(node)[0])
        if piece is not None:
            self.emit(piece, kinds, section)

    def read(self) -> list[DifficultyItem]:
        stop = -1
        for position, node in enumerate(self.nodes):
            if node.first < stop:
                continue
            label, inline = self.label_of(node)
            kinds = heading_kinds(label) if label else []
            if not kinds:
                continue
            if not node.is_heading and inline is None:
                continue
            self.read_section(position, kinds, self.printed_heading(node, inline), inline)
            stop = node.stop
            self.take(node.first, node.stop)
        self.read_bare_sections()
        self.read_tables()
        self.read_requests()
        return self.items

    def read_bare_sections(self) -> None:
        """Sections under a plain line that is only a label (:func:`is_kind_label`) outside any
        headed section: a tham luận's "Khó khăn, vướng mắc", "Nguyên nhân", "Giải pháp, kiến nghị"
        typed plain, or scanned (OCR keeps no bold). Its paragraphs and listed items are read up to
        the next label, a heading, what was read already, or the closing formula."""
        for body_start, body_end in self.bodies:
            index = body_start
            while index < body_end:
                block = self.doc.blocks[index]
                if (
                    self.taken[index] or index in self.node_at or index in self.quoted
                    or block.kind in _SKIP_KINDS or block.column is not None or not is_kind_label(block.text)
                ):
                    index += 1
                    continue
                stop = index + 1
                while stop < body_end and not self.taken[stop] and not self.bounds_bare_section(stop):
                    stop += 1
                kinds, section = heading_kinds(block.text), _clean(block.text)
                pieces = self.paragraphs(index + 1, stop)
                if list(kinds) == ["recommendation"]:
                    pieces = self.requests_only(pieces)
                for piece in pieces:
                    if not self.doc.text[piece.start : piece.end].rstrip().endswith(":"):
                        self.emit(piece, kinds, section)
                inside = range(bisect_right(self.node_firsts, index), bisect_left(self.node_firsts, stop))
                for position in inside:
                    parent = self.nodes[position].parent
                    if parent is None or self.nodes[parent].first <= index:
                        self.read_child(position, kinds, section)
                self.take(index, stop)
                index = stop

    def bounds_bare_section(self, index: int) -> bool:
        """Whether block ``index`` ends a section opened by a plain label: another label, a heading."""
        block = self.doc.blocks[index]
        position = self.node_at.get(index)
        return (
            block.kind == "heading"
            or (position is not None and self.nodes[position].is_heading)
            or is_kind_label(block.text)
        )

    def read_tables(self) -> None:
        """Cells of table columns whose header names a kind ("Khó khăn, vướng mắc", "Kiến nghị")."""
        blocks = self.doc.blocks
        index = 0
        while index < len(blocks):
            if blocks[index].kind != "table_row" or not blocks[index].cells:
                index += 1
                continue
            stop = index
            while stop < len(blocks) and blocks[stop].kind == "table_row" and blocks[stop].cells:
                stop += 1
            self.read_table(list(range(index, stop)))
            index = stop

    def read_table(self, rows: list[int]) -> None:
        """Items of one table: the cells under its header's columns that name a kind."""
        header = next(
            (position for position, row in enumerate(rows[:_HEADER_ROWS])
             if any(len(c) <= _MAX_HEADER_CELL and heading_kinds(c) for c in self.doc.blocks[row].cells or ())),
            None,
        )
        if header is None:
            return
        header_cells = self.doc.blocks[rows[header]].cells or ()
        columns = {
            column: (kinds, _clean(cell))
            for column, cell in enumerate(header_cells)
            if len(cell) <= _MAX_HEADER_CELL and (kinds := heading_kinds(cell))
        }
        for row in rows[header + 1 :]:
            block = self.doc.blocks[row]
            cells = block.cells or ()
            if cells == header_cells:
                continue  # the header repeated after a page break
            offset = block.start
            for column, cell in enumerate(cells):
                if column in columns and cell.strip():
                    kinds, section = columns[column]
                    self.emit(_Piece(offset, offset + len(cell), block.page, [row]), kinds, section)
                offset += len(cell) + len(CELL_SEPARATOR)

    def take(self, first: int, stop: int) -> None:
        for index in range(first, min(stop, len(self.taken))):
            self.taken[index] = True

    def enclosing(self, index: int) -> int | None:
        """Position of the innermost outline node whose extent holds block ``index`` after its own text."""
        # the nearest node before the block, or one of its ancestors, holds it
        position: int | None = bisect_right(self.node_firsts, index) - 1
        while position is not None and position >= 0:
            node = self.nodes[position]
            if node.last < index < node.stop:
                return position
            position = node.parent
        return None

    def read_requests(self) -> None:
        """Requests outside the headed sections: announced lists and, in request documents, sentences."""
        for body_start, body_end in self.bodies:
            self.read_body_requests(body_start, body_end)

    def read_body_requests(self, body_start: int, body_end: int) -> None:
        """``read_requests`` in the body ``[body_start, body_end)`` of one document of the file."""
        index = body_start
        while index < body_end:
            block = self.doc.blocks[index]
            closing = self.closing(block)
            # the request that closes a request document is its own item even where the last
            # section's extent runs over it
            unread_close = closing == "last" and self.request_doc and index not in self.emitted
            if (self.taken[index] and not unread_close) or index in self.quoted or block.kind in _SKIP_KINDS or closing == "skip":
                index += 1
                continue
            text = block.text.rstrip()
            if self.announces(text, index):
                index = self.read_announced(index, body_end)
                continue
            announced = self.announced_kinds(text)
            if announced:
                index = self.read_announced_items(index, announced)
                continue
            if (
                not self.request_doc and closing == "last" and not self.taken[index]
                and makes_request(_SENTENCE_END.split(text, maxsplit=1)[0])
            ):
                # the paragraph that closes a report opening with the agency's own request ("Để …,
                # Hội Nông dân tỉnh kính đề nghị UBND tỉnh quan tâm bổ sung … ./."): its recommendation
                self.emit(_Piece(block.start, block.end, block.page, [index]), ["recommendation"], "")
                self.taken[index] = True
                index += 1
                continue
            if self.request_doc and not text.endswith(":") and (
                makes_request(text, request_doc=True) or self.asks_in_sentence(index, body_end)
            ):
                position = self.node_at.get(index)
                if position is not None and self.children.get(position):
                    index += 1  # a numbered heading that asks: its items are read as they come
                    continue
                if position is None:
                    following = bisect_right(self.node_firsts, index)
                    next_node = self.node_firsts[following] if following < len(self.node_firsts) else body_end
                    pieces = self.paragraphs(index, min(next_node, body_end))
                    piece = pieces[0] if pieces else None
                else:
                    piece = self.continuation(self.nodes[position], self.own_text(self.nodes[position])[0])
                if piece is not None:
                    # the letter's closing request stands under no heading, whatever extent runs over it
                    owner = None if closing == "last" else self.enclosing(index)
                    section = (
                        self.printed_heading(self.nodes[owner], None) if owner is not None else ""
                    )
                    self.emit(piece, ["recommendation"], section)
                    for taken in piece.blocks:
                        self.taken[taken] = True
            index += 1

    def sentence_at(self, index: int, body_end: int) -> str:
        """The sentence that opens block ``index``: a scan's lines are blocks, so it is read on
        over the next lines (at most ``_SENTENCE_LINES``) until it ends."""
        text = ""
        for block in self.doc.blocks[index : min(index + _SENTENCE_LINES, body_end)]:
            text = f"{text} {block.text}"
            if _SENTENCE_END.search(block.text):
                break
        return text

    def asks_in_sentence(self, index: int, body_end: int) -> bool:
        """Whether the sentence opening block ``index`` asks in a request document's other ways:
        the instruction to send the reply by a day ("Văn bản góp ý gửi về Sở Tài chính … trước
        ngày 03/6/2019") or submitting something to be considered (:func:`submits`)."""
        sentence = self.sentence_at(index, body_end)
        return bool(_tables().send_by.search(_SPACES.sub(" ", fold_accents(sentence)))) or submits(sentence)

    def announces(self, text: str, index: int | None = None) -> bool:
        """Whether ``text`` (block ``index``, if given) is a lead-in that announces requests ("… đề
        nghị … như sau:", or a paragraph "… đề xuất … cho ý kiến chỉ đạo:" right over a numbered or
        bulleted list; a listed line ending so, "- Kiến nghị xử lý vi phạm:", is a label of data)."""
        if not text.rstrip().endswith(":"):
            return False
        following = self.node_at.get(index + 1) if index is not None and index not in self.node_at else None
        listed = following is not None and not self.nodes[following].is_heading
        return makes_request(text, lead_in=True, request_doc=self.request_doc, listed=listed)

    @staticmethod
    def announced_kinds(text: str) -> list[str]:
        """Kinds of the list a sentence ending with a colon announces outside any headed section.

        "Bên cạnh những kết quả đạt được, vẫn còn những tồn tại, hạn chế như sau:" names them as
        the list's noun right before the colon; "Nguyên nhân của những hạn chế trên là do:" opens
        with the kind it announces.
        """
        plain = _EMPHASIS.sub("", text)
        if not plain.rstrip().endswith(":"):
            return []  # most blocks: decided before folding them
        folded = _SPACES.sub(" ", fold_accents(plain)).strip()
        tables = _tables()
        if tables.opens_with_kind.match(folded):
            return heading_kinds(text)
        match = tables.announced_list.search(folded)
        if match is None:
            return []
        kinds: list[str] = []
        for word in tables.heading.finditer(match.group("kinds")):
            if tables.kind_of_word[word.group("word")] not in kinds:
                kinds.append(tables.kind_of_word[word.group("word")])
        return kinds

    def read_announced_items(self, index: int, kinds: Sequence[str]) -> int:
        """The listed items (bullets, numbers, letters) announced by the lead-in at block ``index``;
        returns where the list ends. Unmarked paragraphs after such a sentence are not read: in
        running text nothing says where the list stops."""
        position = self.node_at.get(index)
        section = _clean(self.doc.blocks[index].text)
        if position is not None and self.children.get(position):
            tops, end = self.children[position], self.nodes[position].stop
        else:
            following = self.node_at.get(index + 1)
            if following is None or self.taken[index + 1]:
                return index + 1
            tops = [following]
            while True:
                node = self.nodes[tops[-1]]
                sibling = self.node_at.get(node.stop)
                if (
                    sibling is None
                    or self.taken[node.stop]
                    or (self.nodes[sibling].scheme, self.nodes[sibling].level) != (node.scheme, node.level)
                ):
                    break
                tops.append(sibling)
            end = self.last_item_end(tops[-1])
        for top in tops:
            node = self.nodes[top]
            piece = self.continuation(node, self.own_text(node)[0], nested=True)
            if piece is not None and piece.blocks[-1] >= end:
                piece = self.cut(piece, end)
            if piece is not None and self.closing(self.doc.blocks[node.last]) != "skip":
                self.emit(piece, kinds, section)
        self.take(index, end)
        return max(end, index + 1)

    def last_item_end(self, position: int) -> int:
        """Where the last item of an announced list ends: after its own lines, the nodes listed
        under it and the lines that continue it (in lower case, or a PDF line after an unfinished
        sentence); a new paragraph of running text after it belongs to the body again."""
        node = self.nodes[position]
        index = node.last + 1
        while index < node.stop:
            block = self.doc.blocks[index]
            owner = self.node_at.get(index)
            unfinished = block.page is not None and self.doc.blocks[index - 1].text.rstrip()[-1:].isalnum()
            if owner is not None:
                if not self.descends(owner, position):
                    break
            elif not (block.kind in _SKIP_KINDS or block.text[:1].islower() or unfinished):
                break
            index += 1
        return index

    def descends(self, position: int, ancestor: int) -> bool:
        """Whether the node at ``position`` is listed (at any depth) under the node at ``ancestor``."""
        parent = self.nodes[position].parent
        while parent is not None:
            if parent == ancestor:
                return True
            parent = self.nodes[parent].parent
        return False

    def cut(self, piece: _Piece, end: int) -> _Piece | None:
        """``piece`` without its blocks from ``end`` on."""
        blocks = [b for b in piece.blocks if b < end]
        if not blocks:
            return None
        return _Piece(piece.start, self.doc.blocks[blocks[-1]].end, piece.page, blocks)

    def read_announced(self, index: int, body_end: int) -> int:
        """The items of the list announced by the lead-in at block ``index``; returns where it ends."""
        position = self.node_at.get(index)
        if position is not None:
            node = self.nodes[position]
            self.read_list(node.last + 1, node.stop, self.children.get(position, []), self.printed_heading(node, None))
            self.take(node.first, node.stop)
            return max(node.stop, index + 1)
        owner = self.enclosing(index)
        # a lead-in printed after a node's own text may close that node's extent ("7. Dự án đã được
        # thẩm định …" then "… kính trình UBND tỉnh xem xét, quyết định:" over "1. … 2. …"): the
        # list is held by the first enclosing node that goes on past it
        while owner is not None and self.nodes[owner].stop <= index + 1:
            owner = self.nodes[owner].parent
        stop = self.nodes[owner].stop if owner is not None else body_end
        # the list ends where the outline goes on with a heading, at what was read already, or at
        # an unnumbered paragraph that closes the body ("Sở … đề nghị … ./."): the letter's own
        # closing request, not a part of the list's last item;
        # a node numbered like the list's first ("16." after "1." … "15.") is one more item
        first_item: tuple[str, int] | None = None
        for later in range(index + 1, stop):
            position = self.node_at.get(later)
            if position is None and self.closing(self.doc.blocks[later]) == "last":
                stop = later
                break
            heading = False
            if position is not None:
                node = self.nodes[position]
                heading = node.is_heading and node.scheme not in _BULLETS
                if first_item is None and not heading:
                    first_item = (node.scheme, node.level)
                elif heading and first_item == (node.scheme, node.level):
                    heading = False
            if self.taken[later] or heading:
                stop = later
                break
        inside = range(bisect_right(self.node_firsts, index), bisect_left(self.node_firsts, stop))
        top_level = min((self.nodes[p].level for p in inside), default=0)
        tops = [p for p in inside if self.nodes[p].level == top_level]
        if tops and all(self.is_particular(p) for p in tops):
            # "… kính đề nghị được đổi tên như sau:" over "- Tên hiện tại: …", "- Tên đề nghị: …":
            # the list gives the particulars of the one request the lead-in makes
            block = self.doc.blocks[index]
            last = self.doc.blocks[self.nodes[tops[-1]].last]
            self.emit(_Piece(block.start, last.end, block.page, list(range(index, self.nodes[tops[-1]].last + 1))),
                      ["recommendation"], "")
        else:
            self.read_list(index + 1, stop, tops, _clean(self.doc.blocks[index].text))
        self.take(index, stop)
        return max(stop, index + 1)

    def is_particular(self, position: int) -> bool:
        """Whether a listed line is a particular, not a request: a short label and its value
        ("Tên hiện tại: Hiệp hội Tôm Bình Thuận", "Tổng mức đầu tư: 38,6 tỷ đồng")."""
        node = self.nodes[position]
        text = _clean(self.doc.text[self.own_text(node)[0] : self.doc.blocks[node.last].end])
        label = _LABEL.match(text)
        return (
            label is not None and len(_WORD.findall(label.group("label"))) <= _PARTICULAR_LABEL_WORDS
            and not makes_request(text) and not _tables().request_start.match(fold_accents(text))
        )

    def read_list(self, first: int, stop: int, tops: list[int], section: str) -> None:
        """An announced list: its paragraphs that ask, and each of its listed nodes.

        A listed node is one item with whatever is listed under it (the members of a proposed board
        are part of the proposal), unless it is itself a lead-in that announces requests.
        """
        first_node = self.nodes[tops[0]].first if tops else stop
        for piece in self.requests_only(self.paragraphs(first, first_node)):
            if piece.blocks[0] not in self.quoted and not self.doc.text[piece.start : piece.end].lstrip().startswith(_QUOTE_OPEN):
                # a quoted paragraph is the wording of the draft or law proposed, not a request
                self.emit(piece, ["recommendation"], section)
        for top in tops:
            node = self.nodes[top]
            own = self.doc.text[self.own_text(node)[0] : self.doc.blocks[node.last].end]
            if self.children.get(top) and self.announces(own):
                self.read_list(node.last + 1, node.stop, self.children[top], self.printed_heading(node, None))
                continue
            if not self.children.get(top) and self.is_topic(node):
                # what the lead-in announced is asked topic by topic: every paragraph under one
                # is a request, whether or not it repeats a request verb ("Chỉ đạo các ngành …")
                pieces = self.paragraphs(node.last + 1, node.stop)
                for piece in pieces:
                    self.emit(piece, ["recommendation"], self.printed_heading(node, None))
                if pieces:
                    continue
            piece = self.continuation(node, self.own_text(node)[0], nested=True)
            if piece is not None and self.closing(self.doc.blocks[node.last]) != "skip":
                self.emit(piece, ["recommendation"], section)

    def is_topic(self, node: OutlineNode) -> bool:
        """Whether a listed node names a subject ("2.4 Đối với vấn đề chống sạt lở bờ sông:") whose
        paragraphs are the requests, rather than being a request itself: a heading or a line ending
        in a colon (its lower-case tail on the next line included) that asks nothing."""
        text = self.doc.text[self.own_text(node)[0] : self.doc.blocks[node.last].end]
        following = node.last + 1
        if following < node.stop and following not in self.node_at and self.doc.blocks[following].text[:1].islower():
            text += " " + self.doc.blocks[following].text
        text = text.rstrip()
        return (node.is_heading or text.endswith(":")) and not makes_request(text, request_doc=self.request_doc)


def find_difficulties(
    doc: DocumentText, sections: list[Section] | None = None, metadata: DocumentMetadata | None = None
) -> list[DifficultyItem]:
    """Every listed difficulty, limitation, cause and recommendation of ``doc``, in text order.

    ``sections`` is accepted for callers that already built the section tree; the finder reads the
    finer outline (bullets included) itself, so it is not needed. ``metadata`` (the metadata
    stage's result) says whether the document is written to request; it is read from the header
    when not given.
    """
    del sections  # the outline below includes the bullet levels the section list leaves out
    items = _Reader(doc, metadata).read()
    return sorted(items, key=lambda item: item.start)


# -- scoring -----------------------------------------------------------------------------------
def _words(item: object) -> frozenset[str]:
    if isinstance(item, str):
        text = item
    elif isinstance(item, dict):
        text = str(item.get("text", ""))
    else:
        text = str(getattr(item, "text", ""))
    return frozenset(w.lower() for w in _WORD.findall(text))


def match_items(
    gold_items: Sequence[object], found_items: Sequence[object], threshold: float = 0.5
) -> list[tuple[int, int]]:
    """One-to-one ``(gold index, found index)`` pairs of items that say the same thing.

    Items are strings, dicts with ``"text"`` or objects with ``.text``. Pairs are matched greedily,
    best Jaccard similarity of their lower-cased word sets first, and count when it is at least
    ``threshold``.
    """
    gold_words = [_words(item) for item in gold_items]
    found_words = [_words(item) for item in found_items]
    pairs: list[tuple[float, int, int]] = []
    for g, gw in enumerate(gold_words):
        for f, fw in enumerate(found_words):
            union = gw | fw
            similarity = len(gw & fw) / len(union) if union else 0.0
            if similarity >= threshold:
                pairs.append((similarity, g, f))
    pairs.sort(key=lambda pair: (-pair[0], pair[1], pair[2]))
    used_gold: set[int] = set()
    used_found: set[int] = set()
    matched = []
    for _, g, f in pairs:
        if g in used_gold or f in used_found:
            continue
        used_gold.add(g)
        used_found.add(f)
        matched.append((g, f))
    return sorted(matched)


def score_items(
    gold_items: Sequence[object], found_items: Sequence[object], threshold: float = 0.5
) -> tuple[int, int, int, list[object], list[object]]:
    """Match items one-to-one by word overlap (:func:`match_items`) and count hits.

    Returns ``(tp, fp, fn, unmatched_gold, unmatched_found)``.
    """
    matched = match_items(gold_items, found_items, threshold)
    used_gold = {g for g, _ in matched}
    used_found = {f for _, f in matched}
    unmatched_gold = [item for g, item in enumerate(gold_items) if g not in used_gold]
    unmatched_found = [item for f, item in enumerate(found_items) if f not in used_found]
    return len(matched), len(unmatched_found), len(unmatched_gold), unmatched_gold, unmatched_found
