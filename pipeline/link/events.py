"""Events: a service (or the legal basis of harm reduction) started, expanded, ended, planned.

An event cue binds to the nearest year of its clause and to the service that is its
subject: the first service of the clause, else of an earlier clause of the sentence, else
the service an anaphor ("such programmes") points back to. A cue that only says something
could happen ("allowed … to be implemented") is not an event.
"""

from __future__ import annotations

import re
from dataclasses import replace

from pipeline.extract.match import Hit, SentenceFinds
from pipeline.extract.numbers import TimeRef
from pipeline.link.context import (
    GENERIC_SUBJECT,
    PLANNED_AMOUNT,
    Context,
    anaphoric_services,
    chunk_of,
    clause_of,
    earlier_services,
    is_heading,
    nearest_time,
    noun_phrase_end,
    previous_year,
    provenance,
    region,
    services,
    statement_country,
    usable_times,
)
from pipeline.types import Event
from pipeline.vocab import load, phrases_regex

# "allowed the regions to set up such services": made possible, not done.
_ALLOWED_TO = re.compile(r"\b(?:allow(?:s|ed|ing)?|permit(?:s|ted|ting)?|enabl(?:es|ed|ing))"
                         r"(?:\s+[\w-]+){0,3}\s+to\s+$")


def _modal(sf: SentenceFinds, cue: Hit) -> bool:
    base = sf.sentence.start
    lead = sf.text[max(0, cue.start - base - 40) : cue.start - base].lower()
    modal = phrases_regex(tuple(load("cues")["modal_blockers"]), after=r"\s+(?:\w+\s+)?$")
    return bool(modal.search(lead[-20:]) or _ALLOWED_TO.search(lead))


def _examples_start(sf: SentenceFinds) -> int | None:
    """Offset of 'such as' (services after it are examples of a general measure)."""
    m = re.search(r"\bsuch as\b", sf.text)
    return sf.sentence.start + m.start() if m else None


def _subject(ctx: Context, cue: Hit, clause: tuple[int, int]) -> list[Hit]:
    sf = ctx.sf
    in_clause = [s for s in services(sf) if clause[0] <= s.start < clause[1]]
    if cue.text.lower() in load("cues")["statuses"]["planned_nouns"]:
        np_end = noun_phrase_end(sf, cue.end)
        return [s for s in in_clause if cue.end <= s.start < np_end]
    if in_clause and all(s.start > cue.end for s in in_clause) and _ANAPHORIC_SUBJECT.search(
        sf.local(clause[0], cue.start)
    ):
        # "The programme was rolled out nationally in 2016 and is now offered by
        # low-threshold services": the subject points back, the services come after
        prior = anaphoric_services(ctx) or earlier_services(ctx)
        if prior:
            return prior[:1]
    if in_clause:
        return [in_clause[0]]
    medicines = [m for m in sf.of("medicine") if clause[0] <= m.start < clause[1]]
    if medicines and not services(sf):
        return medicines[:1]  # "In 2008, buprenorphine was introduced": a change of OST
    if sf.of("plan") and any(clause[0] <= p.start < clause[1] for p in sf.of("plan")):
        return []  # "A hepatitis plan was launched": the plan is the subject
    earlier = [s for s in services(sf) if s.start < clause[0]]
    clause_head = sf.text[clause[0] - sf.sentence.start :]
    if earlier and (_RELATIVE.match(clause_head) or _RELATIVE_BEFORE.search(
            sf.local(sf.sentence.start, clause[0]))):
        # "OST with buprenorphine, which was introduced in 2010": the service just before
        return [earlier[-1]]
    if earlier and (cue.code != "planned" or _ELIDED.match(clause_head)
                    or _CHANGE_OF_IT.match(clause_head)):
        # "NSPs operated unofficially since 1984 but were only legalised in 1992"; a plan
        # needs the elided subject ("… and a final evaluation is planned" is no service's)
        return [earlier[0]]
    prior = anaphoric_services(ctx)
    if prior:
        return prior[:1]
    if cue.code not in ("planned", "started_since") and _pronoun_subject(sf, cue, clause):
        # "… 53 OST units, eleven of which were launched in 2012", "Three of them closed";
        # not "Since 2003, it has been financed by …" (a duration says nothing of a start)
        return earlier[-1:] or earlier_services(ctx)[:1]
    if cue.code in _STARTS and _generic_subject_before(sf, cue, clause):
        # "OST was piloted in the capital. Treatment commenced in three cities in 1996."
        return earlier_services(ctx)[:1]
    clause_text = sf.text[clause[0] - sf.sentence.start : clause[1] - sf.sentence.start]
    if cue.code in ("ended", "ended_weak", "planned") and GENERIC_SUBJECT.search(clause_text):
        # "A facility in Olten was closed in 2017", "… not yet available, but a pilot
        # programme is planned": the service named last before it; a programme or site is
        # not an outreach team or a mobile unit, which deliver one.
        channels = set(load("indicators").get("channel_services", ()))
        for before in (earlier, earlier_services(ctx)):
            programmes = [s for s in before if s.code not in channels]
            if programmes:
                return programmes[-1:]
        before = earlier or earlier_services(ctx)
        return before[-1:]
    return []


_STARTS = ("started", "started_weak", "expanded")


def _generic_subject_before(sf: SentenceFinds, cue: Hit, clause: tuple[int, int]) -> bool:
    """The clause's subject, right before its verb, is a generic noun ("treatment",
    "the programme", "a pilot")."""
    nouns = phrases_regex(tuple(load("cues")["generic_service_nouns"])
                          + tuple(load("cues")["generic_treatment_nouns"]),
                          after=r"\s+(?:\w+\s+){0,2}$")
    return bool(nouns.search(sf.local(max(clause[0], cue.start - 40), cue.start)))


_ANAPHORIC_SUBJECT = re.compile(r"^\s*(?:the|this|that|these|its)\s+(?:programmes?|services?|"
                                r"projects?|pilot|scheme|initiative)\b", re.I)
# "…, and its opening is planned for 2021", "; national scale-up is planned for 2019": the
# change of the service named before.
_CHANGE_OF_IT = re.compile(r"\s*(?:and\s+)?(?:its|their|the|a|national|nationwide|further)?\s*"
                           r"(?:[\w-]+\s+)?(?:scale-up|scaling up|expansion|extension|roll-out|"
                           r"rollout|opening|reopening|introduction)\b", re.I)
_RELATIVE = re.compile(r"\s*(?:which|where|when|that)\b", re.I)
# The clause split ate the relative pronoun: "OST with methadone, which was introduced …".
_RELATIVE_BEFORE = re.compile(r",\s+(?:which|where)\s*$", re.I)
# A clause that starts with its verb has the subject of the clause before.
_ELIDED = re.compile(r"\s*(?:(?:and|but|then)\s+)?(?:was|were|is|are|has|have|had|been|later|"
                     r"only|then|also|subsequently|since)\b", re.I)
_RECOMMENDED = re.compile(r"\b(?:recommend\w*|should|proposed)\b", re.I)
# "no room has opened", "has not been extended": a negated change is not an event.
_NEGATED = re.compile(r"\b(?:no|not|never|nor)\b(?:\s+\w+){0,4}\s*$", re.I)


def _pronoun_subject(sf: SentenceFinds, cue: Hit, clause: tuple[int, int]) -> bool:
    """The clause's subject, a few words before its verb, is a pronoun ("it", "of them")."""
    pronouns = phrases_regex(tuple(load("cues")["subject_pronouns"]),
                             after=r"\s+(?:[\w-]+\s+){0,3}$")
    return bool(pronouns.search(sf.local(max(clause[0], cue.start - 40), cue.start)))


def _subject_right_before(sf: SentenceFinds, cue: Hit) -> bool:
    """'The first OST programme started': a service (and its head noun) just before."""
    return any(0 <= cue.start - s.end <= WEAK_SUBJECT_GAP
               for s in services(sf) + sf.of("medicine"))


# Characters allowed between a service and a weak start verb ("OST programme started").
WEAK_SUBJECT_GAP = 14


# ", in 2015": after a year named before the verb, the next item of a dated list.
_NEXT_ITEM = re.compile(r",\s*(?:and\s+)?(?:in|by|during)\s*$")
_PLACE_LIST = re.compile(r"(?:\s*(?:to|in|and|,|(?-i:[A-Z][\w’'-]+)))*\s*"
                         r"(?:in|between|from|by|during|until)?\s*", re.I)


def _year(sf: SentenceFinds, cue: Hit, clause: tuple[int, int],
          times: list[TimeRef]) -> TimeRef | None:
    """'was extended to prisons in 2008': a year after the verb, before any comma, wins;
    else the nearest year of the clause ("In 2012, a unit was launched"), else of the
    sentence."""
    base = sf.sentence.start
    in_clause = [t for t in times if clause[0] <= t.start < clause[1]]
    framing = [t for t in in_clause if t.end <= cue.start]
    for t in in_clause:
        gap = sf.text[cue.end - base : t.start - base]
        if t.start >= cue.end and (not re.search(r"[,;(]", gap) or _PLACE_LIST.fullmatch(gap)):
            if framing and _NEXT_ITEM.search(gap):
                return framing[-1]  # "In 2012 a unit opened in Oslo, in 2015 in Bergen"
            return t  # "were expanded to Durrës, Shkodër and Vlorë between 2005 and 2011"
    # Beyond its clause, a year that dates another change is not this one's ("established in
    # the late 1990s and were scaled up from 2004").
    other_cues = [c for c in sf.of("event") if c is not cue]
    free = [t for t in times
            if not any(clause_of(sf, c.start) == clause_of(sf, t.start) for c in other_cues)]
    return nearest_time(in_clause, cue.start) or nearest_time(free, cue.start)


def _since_year(sf: SentenceFinds, clause: tuple[int, int], times: list[TimeRef]) -> TimeRef | None:
    base = sf.sentence.start
    for t in times:
        if clause[0] <= t.start < clause[1] and (re.search(
            r"\b(?:since|from)\s+$", sf.text[max(0, t.start - base - 8) : t.start - base], re.I
        ) or _since_phrase_of_service(sf, chunk_of(sf, t.start)[0], t.start)):
            return t  # "since 2015", "Since the national demonstration project in 2015, …"
    return None


def _since_phrase_of_service(sf: SentenceFinds, start: int, year_start: int) -> bool:
    """'Since the naloxone demonstration project in 2015, …' dates the service; 'Since the
    reorganisation of mental health care in 2014, …' dates something else."""
    phrase = sf.local(start, year_start)
    return bool(re.match(r"\W*since\b", phrase, re.I)) and (
        any(start <= s.start < year_start for s in services(sf))
        or bool(GENERIC_SUBJECT.search(phrase)))


def _existence_period(sf: SentenceFinds, clause: tuple[int, int],
                      times: list[TimeRef]) -> TimeRef | None:
    base = sf.sentence.start
    for t in times:
        if clause[0] <= t.start < clause[1] and t.kind == "range" and re.match(
            r"(?:from|between)\b", sf.text[t.start - base :], re.I
        ):
            return t
    return None


def _period_events(ctx: Context, cue: Hit, period: TimeRef) -> list[Event]:
    clause = clause_of(ctx.sf, cue.start)
    subjects = _subject(ctx, cue, clause)
    rows = []
    for subject in subjects:
        for code, year in (("started", period.start_year), ("ended", period.year)):
            rows.append(Event(
                doc_id=ctx.doc_id,
                country=statement_country(ctx),
                event=code,
                service=subject.code,
                year=year,
                prov=provenance(ctx, cue.start, cue.end, f"event:period:{cue.text}"),
            ))
    return rows


def _event_code(sf: SentenceFinds, code: str, subject: Hit | None, cue: Hit) -> str:
    """A start of a second/further facility is an expansion ("a second one opened")."""
    if code != "started" or subject is None:
        return code
    base = sf.sentence.start
    markers = tuple(load("cues")["expansion_markers"])
    lead = sf.text[max(0, subject.start - base - 25) : subject.start - base].lower()
    if phrases_regex(markers, after=r"\s+(?:[\w-]+\s+){0,2}$").search(lead):
        return "expanded"
    # "… was made available nationally from 2022": the service reaches the whole country
    # (not "has been available nationally since 1998", which dates its start).
    after = sf.text[cue.end - base : clause_of(sf, cue.start)[1] - base]
    scopes = tuple(load("cues")["expansion_scopes"])
    if cue.code != "started_since" and phrases_regex(scopes, after=r"\b").match(
        after.lstrip().lower()
    ):
        return "expanded"
    # "OST has also been available in the Central Prison since 2016": one more setting.
    if cue.code == "started_since" and re.search(r"\balso\s+(?:\w+\s+)?$",
                                                 sf.text[max(0, cue.start - base - 20):
                                                         cue.start - base], re.I):
        return "expanded"
    # "OST capacity was expanded: a new methadone unit opened in 2017": the opening is the
    # expansion the sentence announced for the same service.
    if any(c.code == "expanded" and c.end <= cue.start
           and any(s.code == subject.code and s.end <= c.start for s in services(sf))
           for c in sf.of("event")):
        return "expanded"
    # "53 OST units (eleven of which were launched in 2012)": some more units.
    if phrases_regex(tuple(load("cues")["partitive_subjects"]),
                     after=r"\s+(?:[\w-]+\s+){0,3}$").search(
            sf.local(max(clause_of(sf, cue.start)[0], cue.start - 40), cue.start)):
        return "expanded"
    # "Syringe vending machines were installed": a new channel of an existing service.
    if phrases_regex(tuple(load("cues")["expansion_components"])).search(subject.text):
        return "expanded"
    clause = clause_of(sf, cue.start)
    # "OST was introduced in prisons in 2008": one more setting of a service that exists.
    if phrases_regex(tuple(load("cues")["expansion_settings"]), after=r"\b").search(
        sf.local(max(clause[0], min(subject.start, cue.start)), min(
            [chunk_of(sf, cue.start)[1]] + [c.start for c in sf.of("event") if c.start > cue.end]))
    ):
        return "expanded"
    if subject.start < clause[0]:  # subject named in an earlier clause: look at this one
        own = sf.text[clause[0] - base : cue.start - base].lower()
        if phrases_regex(markers, after=r"\b").search(own):
            return "expanded"
    return "started"


def _legal_generic(sf: SentenceFinds, clause: tuple[int, int]) -> bool:
    generic = [g for g in sf.of("generic") if g.start < clause[1]]
    return bool(generic) or _examples_start(sf) is not None


_ENABLES = re.compile(r"^[^.;]{0,80}?\b(?:allows?|permits?|makes? it (?:legal|possible)|"
                      r"legali[sz]es?|authori[sz]es?|provides? the legal basis)\b", re.I)


def _adopted_laws(sf: SentenceFinds) -> list[Hit]:
    """'the Drug Consumption Rooms Act was adopted in 2009': a law head whose clause adopts or
    amends it is a legal change too."""
    out = []
    for head in sf.of("plan"):
        if head.code != "law":
            continue
        clause = clause_of(sf, head.start)
        text = sf.text[clause[0] - sf.sentence.start : clause[1] - sf.sentence.start]
        adopted = [h for h in sf.of("adoption") if clause[0] <= h.start < clause[1]]
        # "The Misuse of Drugs (…) Act 2017 allows a licensed facility …", "the Regulations
        # 1987 make it legal to supply needles": a dated law that makes a service possible.
        enables = _ENABLES.search(sf.local(head.end, clause[1]))
        if adopted or enables or re.search(r"\bamend", text, re.I):
            out.append(Hit("event", "legal_basis", head.start, head.end, head.text))
    return out




def _object_right_after(sf: SentenceFinds, cue: Hit) -> bool:
    """'began distributing nasal naloxone': the service is the object of the -ing verb."""
    return any(0 <= s.start - cue.end and len(sf.local(cue.end, s.start).split()) <= 2
               for s in services(sf))


def _is_statement(sf: SentenceFinds, cue: Hit, clause: tuple[int, int]) -> bool:
    """False for cues that do not state a change: modal ("allowed … to be implemented"),
    the framework of a legal change ("a legal framework for measures … was established"),
    or a weak verb without its service ("a trend that started")."""
    base = sf.sentence.start
    if cue.code in ("started", "expanded", "started_weak", "ended", "ended_weak"):
        if _NEGATED.search(sf.text[max(0, cue.start - base - 30) : cue.start - base]):
            return False
        if _RECOMMENDED.search(sf.text[max(0, cue.start - base - 25) : cue.start - base]):
            return False  # "the review recommended the expansion of OST"
    if cue.code == "planned" and PLANNED_AMOUNT.match(sf.text[cue.end - base :]):
        return False  # "below its planned capacity of 60"
    if cue.code == "legal_basis" and re.search(
        r"\b(?:has|have|had)\s+not\b|\bnot\s+yet\b",
        sf.text[cue.end - base : clause[1] - base], re.I,
    ):
        return False  # "the necessary amendment … has not yet been adopted"
    if cue.code == "started_since" and any(
        c.code == "legal_basis" and clause[0] <= c.start < cue.start for c in sf.of("event")
    ):
        return False  # "the legal framework for DCRs has existed since 2001"
    if cue.code in ("started", "expanded", "started_weak"):
        if _modal(sf, cue):
            return False
        legal_before = any(
            c.code == "legal_basis" and clause[0] <= c.start < cue.start for c in sf.of("event")
        )
        if legal_before and _legal_generic(sf, clause):
            return False
    if cue.code == "ended_weak":
        return _subject_right_before(sf, cue)  # "the drug checking pilot ended in 2019"
    return cue.code != "started_weak" or _subject_right_before(sf, cue) or (
        cue.text.endswith("ing") and _object_right_after(sf, cue)
    ) or _generic_subject_before(sf, cue, clause)


def _cue_time(ctx: Context, cue: Hit, clause: tuple[int, int],
              plan_years: set[tuple[int, int]]) -> TimeRef | None:
    """The year a cue is dated by: the law's own year for legal changes (plan years too)."""
    sf = ctx.sf
    relative = _relative_time(ctx, clause)
    if relative is not None:
        return relative
    if cue.code == "legal_basis":
        return _year(sf, cue, clause, usable_times(sf, set()))
    dating = [t for t in usable_times(sf, plan_years) if not _attributive(sf, t)]
    if cue.code == "started_since":
        return _since_year(sf, clause, dating)
    if cue.code == "planned":
        ahead = [t for t in dating if cue.end <= t.start < clause[1]]
        if ahead:
            return max(ahead, key=lambda t: (t.year, t.start))  # the target year of a plan
    return _year(sf, cue, clause, dating)


def _relative_time(ctx: Context, clause: tuple[int, int]) -> TimeRef | None:
    """'… detected in 1985. NSPs started the following year' (1986), 'That year, a room
    opened': a clause that names no year of its own, dated from the year named before."""
    sf = ctx.sf
    if any(clause[0] <= t.start < clause[1] for t in sf.times):
        return None
    offsets = load("cues")["relative_years"]
    text = sf.local(*clause)
    m = phrases_regex(tuple(offsets), after=r"\b").search(text)
    anaphor = [h for h in sf.of("year_anaphor") if clause[0] <= h.start < clause[1]]
    if m is None and not anaphor:
        return None
    pos = clause[0] + m.start() if m else anaphor[0].start
    prior = previous_year(ctx, pos)
    if prior is None:
        return None
    shift = offsets[m.group(0).lower()] if m else 0
    return TimeRef(pos, pos + (len(m.group(0)) if m else len(anaphor[0].text)),
                   prior.year + shift)


# "in response to the 1980's HIV epidemic", "the 2015 reform": a year (or decade) that
# modifies a noun dates that noun, not the change the sentence tells of.
_YEAR_AS_ADJECTIVE = re.compile(
    r"\s*(?:['’]?s)?\s+(?!(?:and|or|to|until|till|through|when|where|with|in|at|on|by|for|of|"
    r"as|the|a|an|onwards|onward|was|were|is|are|has|had|have|but|after|before|then)\b)"
    r"[A-Za-z]", re.I)


def _attributive(sf: SentenceFinds, t: TimeRef) -> bool:
    lead = sf.local(max(sf.sentence.start, t.start - 12), t.start)
    return bool(re.search(r"\bthe\s+(?:(?:early|mid|late)[\s-]+)?$", lead, re.I)
                and _YEAR_AS_ADJECTIVE.match(sf.local(t.end, sf.sentence.end)))


def _timeline_line(ctx: Context, plan_years: set[tuple[int, int]]) -> list[Event]:
    """A fact-sheet line "Opioid substitution treatment – methadone since 2001": a short
    line without a verb of its own that names a service and "since" (or "from") a year."""
    sf = ctx.sf
    if sf.of("event") or not services(sf):  # the cheap test first
        return []
    if not is_heading(sf) and not _LIST_LINE.match(sf.text):
        return []
    m = re.search(r"\b(?:since|from)\s+(?:\w+\s+)?((?:19|20)\d\d)\b(?!\s*(?:to|-|–))",
                  sf.text, re.I)
    if not m:
        return []
    times = [t for t in usable_times(sf, plan_years)
             if t.start <= sf.sentence.start + m.start(1) < t.end]
    if not times:
        return []
    first = services(sf)[0]
    return [Event(ctx.doc_id, statement_country(ctx, first.start), "started", first.code,
                  times[0].year, provenance(ctx, first.start, first.end, "event:timeline line"),
                  month=times[0].month)]


_LIST_LINE = re.compile(r"\s*[-•*–]?\s*[A-Z][^.;]{0,120}\s[–—-]\s[^.;]{0,80}$")


def sentence_events(ctx: Context, plan_years: set[tuple[int, int]]) -> list[Event]:
    """Events stated by one sentence."""
    sf = ctx.sf
    out: list[Event] = _timeline_line(ctx, plan_years)
    legal_clauses: set[tuple[int, int]] = set()
    for cue in sorted(sf.of("event") + _adopted_laws(sf), key=lambda h: h.start):
        clause = clause_of(sf, cue.start)
        if cue.code == "legal_basis":
            if clause in legal_clauses:
                continue  # one legal change per clause: its first cue ("legal framework")
            legal_clauses.add(clause)
        if not _is_statement(sf, cue, clause):
            continue
        if cue.code == "started_since":
            period = _existence_period(sf, clause, usable_times(sf, plan_years))
            if period is not None:  # "operated from 2013 to 2014": it started, then ended
                out.extend(_period_events(ctx, cue, period))
                continue
        time = _cue_time(ctx, cue, clause, plan_years)
        if time is None:
            continue
        code = load("cues")["event_aliases"].get(cue.code, cue.code)
        if code == "legal_basis":
            subjects = _legal_subjects(ctx, clause) or []
        else:
            subjects = _subject(ctx, cue, clause)
        year, month = time.year, time.month
        if time.kind == "range" and (time.start <= cue.start < time.end or code == "started"):
            # "between its launch in 1993 and 2016"; "was piloted between 2004 and 2006":
            # a start over a period is dated by the period's start
            year, month = time.start_year, None
        items = _dated_items(sf, cue, time, set() if code == "legal_basis" else plan_years
                             ) if code in _LISTABLE else []
        for subject in subjects:
            event = _event_code(sf, code, subject, cue)
            out.append(
                Event(
                    doc_id=ctx.doc_id,
                    country=_item_country(ctx, items[0]) if items else statement_country(
                        ctx, cue.start),
                    event=event,
                    service=subject.code if subject is not None else None,
                    year=year,
                    prov=provenance(ctx, cue.start, cue.end, f"event:{cue.code}:{cue.text}"),
                    month=month,
                    region=(_item_city(sf, items[0]) if items else region(ctx, cue.start))
                    or (_place_of(sf, cue, clause) if event == "started" else None),
                )
            )
            if items:
                out.extend(_listed_events(ctx, cue, subject, event, items))
    return out


# Changes a dated list can repeat ("opened in A in 1997, in B in 2000"); not a plan's target
# years, and not "since" (one start).
_LISTABLE = ("started", "expanded", "ended", "legal_basis")
# A place of a list item: "in Basel", "to Tirana and Durrës", "under the Central Hospital",
# "2014 (Basel)".
_NAMES = r"(?:the\s+)?[A-Z][\w'’.-]*(?:\s+(?:and\s+)?[A-Z][\w'’.-]*)*"
_ITEM_PLACE = rf"\s+(?:in|at|under|to)\s+{_NAMES}|\s*\({_NAMES}\)"
# Between two years of a list: the rest of the item before (an optional place after its
# year: "in 1989 in Leeds"), the separator, and the next item up to its year ("in Hull in",
# "the second in", "under the Central Hospital in", or nothing: "in 1997, 2000 and 2004").
_LIST_GAP = re.compile(
    rf"(?:{_ITEM_PLACE})?"
    r"\s*(?P<sep>,\s*(?:and\s+)?|and\s+)(?P<item>(?:[^\d;:()]{0,100}?\s)?(?:in|by|during)\s+)?")
# After the last year: an optional place, then the end of the sentence or clause.
_LIST_END = re.compile(
    rf"(?:{_ITEM_PLACE})?"
    r"\s*(?:[.;)]|,\s*respectively\b|$)")


def _dated_items(sf: SentenceFinds, cue: Hit, time: TimeRef,
                 plan_years: set[tuple[int, int]]) -> list[tuple[TimeRef, int, int]]:
    """'opened in Zurich in 1997, in Basel in 2000 and in Bern in 2004', 'the first in
    1997, the second in 2000', 'In 2012 a unit opened in Oslo, in 2015 in Bergen': every
    item (its year, start and end) of a dated list that follows the cue and ends the
    sentence, the cue's own year first; [] when there is no such list. Nothing between two
    of its years may state anything else: no other cue, service, medicine, figure or verb
    (`dated_list_blockers`)."""
    if time.kind != "year":
        return []
    blockers = phrases_regex(tuple(load("cues")["dated_list_blockers"]), after=r"\b")
    prev_end = max(time.end, cue.end)
    stop = min([c.start for c in sf.of("event") if c.start >= prev_end] + [sf.sentence.end])
    hits = services(sf) + sf.of("medicine")
    listed: list[TimeRef] = []
    separators: list[int] = []
    for t in (t for t in usable_times(sf, plan_years) if prev_end <= t.start < stop):
        gap = _LIST_GAP.fullmatch(sf.local(prev_end, t.start))
        if (gap is None or t.kind != "year" or blockers.search(gap.group(0))
                or any(prev_end <= h.start < t.start for h in hits)
                or any(prev_end <= f.start < t.start for f in sf.figures)):
            break
        listed.append(t)
        separators.append(prev_end + gap.start("sep"))
        prev_end = t.end
    if not listed or not _LIST_END.match(sf.local(prev_end, sf.sentence.end)):
        return []
    bounds = [cue.end, *separators, sf.sentence.end]
    return [(t, bounds[i], bounds[i + 1]) for i, t in enumerate([time, *listed])]


def _item_city(sf: SentenceFinds, item: tuple[TimeRef, int, int]) -> str | None:
    """The one city a list item names (its region)."""
    cities = [c[2] for c in sf.cities if item[1] <= c[0] < item[2]]
    return cities[0] if len(cities) == 1 else None


def _item_country(ctx: Context, item: tuple[TimeRef, int, int]) -> str | None:
    """The one country a list item names, else the statement's country at its year."""
    named = {c for s, _, c in ctx.sf.countries if c != "EU" and item[1] <= s < item[2]}
    return named.pop() if len(named) == 1 else statement_country(ctx, item[0].start)


def _listed_events(ctx: Context, cue: Hit, subject: Hit | None, event: str,
                   items: list[tuple[TimeRef, int, int]]) -> list[Event]:
    """One event per further item of a dated list: a further opening in a country the list
    named before is an expansion (a further facility of a service that exists there), the
    other changes repeat."""
    rows = []
    countries = [_item_country(ctx, items[0])]
    for item in items[1:]:
        t, country = item[0], _item_country(ctx, item)
        rows.append(Event(
            doc_id=ctx.doc_id,
            country=country,
            event="expanded" if event == "started" and country in countries else event,
            service=subject.code if subject is not None else None,
            year=t.year,
            prov=provenance(ctx, t.start, t.end, f"event:dated list:{cue.text}"),
            month=t.month,
            region=_item_city(ctx.sf, item),
        ))
        countries.append(country)
    return rows


def _legal_subjects(ctx: Context, clause: tuple[int, int]) -> list[Hit | None] | None:
    """Services a legal change is about; [None] for harm reduction in general."""
    sf = ctx.sf
    examples = _examples_start(sf)
    named = [s for s in services(sf) if examples is None or s.start < examples]
    if sf.of("generic") or examples is not None:
        return [None] if not named else named
    if named:
        in_clause = [s for s in named if clause[0] <= s.start < clause[1]]
        return in_clause or named
    medicines = [m for m in sf.of("medicine") if clause[0] <= m.start < clause[1]]
    if medicines:
        return medicines[:1]  # "amended to allow pharmacies to dispense methadone"
    prior = anaphoric_services(ctx)
    if prior:
        return prior[:1]
    return None


def merge_events(events: list[Event]) -> list[Event]:
    """One row per (country, event, service, year): the first statement is the evidence.

    A sentence that starts one service twice ("OST was introduced in 2004 with a
    buprenorphine pilot, and methadone became available in 2008"), or that expands it too,
    tells of one start and a later expansion (a new medication, more sites), unless the
    later one names its region."""
    first: dict[tuple, int] = {}
    expanded: dict[tuple, int] = {}
    for e in events:
        key = (e.prov.sentence, e.country, e.service)
        if e.event == "started" and e.service and e.year:
            first[key] = min(first.get(key, e.year), e.year)
        if e.event == "expanded" and e.service and e.year:
            # "OST capacity was expanded: a new unit opened in 2017"
            expanded[key] = min(expanded.get(key, e.year), e.year)
    # The document's first start of a service is its start; a later one that names no place
    # of its own is a new medicine, setting or site: "Methadone was introduced in 1995. …
    # Buprenorphine treatment became available in 2008."
    earliest: dict[tuple, int] = {}
    for e in events:
        if e.event == "started" and e.service and e.year:
            key = (e.country, e.service)
            earliest[key] = min(earliest.get(key, e.year), e.year)
    seen: dict[tuple, Event] = {}
    for e in events:
        key = (e.prov.sentence, e.country, e.service)
        if e.event == "started" and e.service and e.year and not e.region and (
            e.year > first[key] or e.year >= expanded.get(key, e.year + 1)
            or (e.year > earliest[(e.country, e.service)] and not _names_place(e.prov.sentence))
        ):
            e = replace(e, event="expanded")
        seen.setdefault((e.country, e.event, e.service, e.year), e)
    return list(seen.values())


def _place_of(sf: SentenceFinds, cue: Hit, clause: tuple[int, int]) -> str | None:
    """'treatment commenced in three cities in 1996': the part of the country a start names
    after its verb, in its own clause (its region)."""
    m = _places().search(sf.local(cue.end, clause[1]))
    return m.group(0).split(None, 1)[1] if m else None


def _places() -> re.Pattern[str]:
    return phrases_regex(tuple(load("cues")["place_nouns"]),
                         before=r"\b(?:in|to)\s+(?:\w+\s+){0,2}", after=r"\b")


def _names_place(sentence: str) -> bool:
    """'… commenced in three cities', '… implemented there', 'in the northern region': a
    start in a named part of the country (a start there, not an expansion)."""
    return bool(_places().search(sentence) or phrases_regex(tuple(load("cues")["place_words"]),
                                                            after=r"\b").search(sentence))
