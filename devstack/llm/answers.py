"""Asks, answered by rules over the context the request carries, so the ask flow works offline and
its answers can be asserted. egress sends the minimized context as JSON after "Records: " and the
question after "Question: ", with the `pet_question_answer` schema; the answer is that schema's
object: the text, the refs of the records it rests on, and whether they suffice.

Three kinds of question are understood, for the pets named in it (all of them if none is):
- cleared on a day ("is Ollie cleared for boarding on 3 December?"): the newest record of each
  vaccine (or of the vaccine named) must be valid that day, i.e. given on or before it and
  expiring on or after it;
- due before a day ("what is due before our trip on 20 January?"): records expiring before it;
- given by a clinic ("which of Luna's vaccines did Riverside give?").
A date without a year is the next one on or after the context's today. Anything else: the records
do not settle it (sufficient false).
"""
import json
import re
import threading
import time
import uuid
from collections import Counter
from datetime import date

SCHEMA_NAME = "pet_question_answer"
ASK = re.compile(r"Records: (\{.*\})\s+Question: (.*)", re.DOTALL)
MONTHS = {name: number for number, names in enumerate(
    ["jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july", "aug august",
     "sep sept september", "oct october", "nov november", "dec december"], start=1) for name in names.split()}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
DATES = [(re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), "ymd"),
         (re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})\b\.?(?:,?\s+(\d{{4}}))?"), "dmy"),
         (re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}))?"), "mdy")]
CLINIC_VERBS = re.compile(r"\b(give|gave|given|did|from|by|at)\b")
DUE_WORDS = re.compile(r"\b(due|expir\w*|run out|renew\w*)\b")

_lock = threading.Lock()
RECEIVED: Counter[str] = Counter()   # chat completions received, by kind (GET /stats)


def count(kind: str) -> None:
    with _lock:
        RECEIVED[kind] += 1


def is_ask(request: dict) -> bool:
    return ((request.get("response_format") or {}).get("json_schema") or {}).get("name") == SCHEMA_NAME


def complete(request: dict, model_id: str) -> dict:
    """The chat completion for an ask: the rules' answer as the schema's JSON."""
    texts = [m.get("content") for m in request.get("messages") or [] if isinstance(m.get("content"), str)]
    found = ASK.search(texts[-1] if texts else "")
    if found is None:
        raise ValueError("an ask carries 'Records: {...}' and 'Question: ...'")
    content = json.dumps(reply(json.loads(found.group(1)), found.group(2).strip()))
    prompt, completion = _tokens(sum(len(t) for t in texts)), _tokens(len(content))
    return {"id": f"chatcmpl-{uuid.uuid4().hex}", "object": "chat.completion", "created": int(time.time()),
            "model": model_id,
            "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                         "message": {"role": "assistant", "content": content, "refusal": None}}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}}


def reply(context: dict, question: str) -> dict:
    """{"answer", "records", "sufficient"} for the question over the context (pure)."""
    today, asked = date.fromisoformat(context["today"]), question.lower()
    pets = [p for p in context["pets"] if re.search(rf"\b{re.escape(p['name'].lower())}\b", asked)] or context["pets"]
    day = mentioned_day(asked, today)
    clinic = next((c for c in _clinics(pets) if _clinic_named(c, asked)), None)
    if clinic and CLINIC_VERBS.search(asked):
        return given_by(pets, clinic)
    if day and DUE_WORDS.search(asked):
        return due_before(pets, day)
    if day:
        return cleared_on(pets, day, asked)
    return _answer("The records do not say; try asking whether a pet is cleared on a day, what is due before "
                   "a day, or which vaccines a clinic gave.", [], sufficient=False)


def cleared_on(pets: list[dict], day: date, asked: str) -> dict:
    parts, refs, cleared = [], [], True
    for pet in pets:
        newest = _newest(pet, asked)
        if not newest:
            return _answer(f"The records hold no vaccination for {pet['name']}.", [], sufficient=False)
        lapsed = [r for r in newest if not _valid_on(r, day)]
        cleared = cleared and not lapsed
        refs += [r["ref"] for r in newest]
        parts.append(f"{pet['name']}'s " + ", ".join(
            f"{r['vaccine']} ({_validity(r, day)})" for r in (lapsed or newest)))
    verdict = "Yes" if cleared else "No"
    return _answer(f"{verdict}: on {day.isoformat()} " + "; ".join(parts) + ".", refs)


def due_before(pets: list[dict], day: date) -> dict:
    due = [(pet, r) for pet in pets for r in _newest(pet, "") if r["expires_on"] and date.fromisoformat(r["expires_on"]) < day]
    if not due:
        return _answer(f"Nothing is due before {day.isoformat()}: every record runs past it.",
                       [r["ref"] for pet in pets for r in _newest(pet, "")])
    return _answer(f"Due before {day.isoformat()}: " + ", ".join(
        f"{pet['name']}'s {r['vaccine']} (expires {r['expires_on']})" for pet, r in due) + ".", [r["ref"] for _, r in due])


def given_by(pets: list[dict], clinic: str) -> dict:
    given = [(pet, r) for pet in pets for r in pet["records"] if r["clinic"] == clinic]
    return _answer(f"{clinic} gave " + ", ".join(
        f"{pet['name']}'s {r['vaccine']} ({r['administered_on'] or 'date not recorded'})" for pet, r in given) + ".",
        [r["ref"] for _, r in given])


def mentioned_day(asked: str, today: date) -> date | None:
    """The first date in the question; without a year, the next one on or after today."""
    for pattern, order in DATES:
        found = pattern.search(asked)
        if not found:
            continue
        if order == "ymd":
            return date(*map(int, found.groups()))
        day, month, year = (found.group(1), found.group(2), found.group(3)) if order == "dmy" else \
            (found.group(2), found.group(1), found.group(3))
        candidate = date(int(year or today.year), MONTHS[month], int(day))
        return candidate if year or candidate >= today else candidate.replace(year=today.year + 1)
    return None


def _newest(pet: dict, asked: str) -> list[dict]:
    """The newest record of each vaccine (only those named in the question, if any is)."""
    named = [r for r in pet["records"] if r["vaccine"].lower() in asked]
    newest: dict[str, dict] = {}
    for record in named or pet["records"]:
        held = newest.get(record["vaccine"])
        if held is None or (record["administered_on"] or "") > (held["administered_on"] or ""):
            newest[record["vaccine"]] = record
    return list(newest.values())


def _valid_on(record: dict, day: date) -> bool:
    given, expires = record["administered_on"], record["expires_on"]
    return (given is None or date.fromisoformat(given) <= day) and (expires is None or date.fromisoformat(expires) >= day)


def _validity(record: dict, day: date) -> str:
    if record["administered_on"] and date.fromisoformat(record["administered_on"]) > day:
        return f"given only on {record['administered_on']}"
    if record["expires_on"] is None:
        return "no expiry recorded"
    return f"valid until {record['expires_on']}" if _valid_on(record, day) else f"expired on {record['expires_on']}"


def _clinics(pets: list[dict]) -> list[str]:
    return sorted({r["clinic"] for pet in pets for r in pet["records"] if r["clinic"]})


def _clinic_named(clinic: str, asked: str) -> bool:
    """The clinic's name, or its first word ("Riverside" for "Riverside Vets"), is in the question."""
    words = clinic.lower().split()
    return clinic.lower() in asked or bool(words and re.search(rf"\b{re.escape(words[0])}\b", asked))


def _answer(text: str, refs: list[str], sufficient: bool = True) -> dict:
    return {"answer": text, "records": refs, "sufficient": sufficient}


def _tokens(characters: int) -> int:
    return max(1, -(-characters // 4))
