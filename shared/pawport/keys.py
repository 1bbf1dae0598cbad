"""The main DynamoDB table's key layout (single-table design): every key is built here.

A household's projection lives in one partition, so the dashboard (and the membership check
that guards it) is one Query:
    pk = "HOUSEHOLD#<id>"   sk = "HOUSEHOLD" | "MEMBER#<user id>" | "PET#<id>" | "RECORD#<id>"
                                 | "DRAFT#<upload id>" (workers, TTL) | "DOCHASH#<sha256>" | "DOCS#<pet id>"
Other partitions: "PET#<id>"/"PET" (which household a pet belongs to), "JOB#<id>"/"JOB" (which
draft an extraction job serves, TTL), "OUTBOX"/"PENDING#..." (control's relay markers, TTL),
"USER#<sub>"/"HOUSEHOLD#<id>" (the caller's households, one item per membership),
"MAIL#<id>"/"MAIL" (a mail for workers to send, TTL),
"REMINDER#<day>"/"HOUSEHOLD#<id>#RECORD#<id>" (the due-date index: which records the daily run of
<day> reminds about, shared by every household so the run reads one partition; pawport/reminders.py),
"REMINDERS"/"CURSOR" (the last day the run finished), "REMINDED#<day>"/"HOUSEHOLD#<id>#MEMBER#<sub>"
(a reminder mail claimed for one member, TTL), "LLMUSAGE#<yyyy-mm>"/"prompt_tokens" | "completion_tokens"
| "micro_usd" (the deployment's LLM use in a month: live counters; pawport/llm_usage.py),
"IDEMPOTENCY#workers"/<key> (Powertools' once-per-object records, TTL),
"WAKEATTEMPT#<yyyy-mm>"/"<started at, ISO>#<id>" (control's connection attempts that found Aurora
paused: each started a resume and opened no session, so the wake ledger has no row of it; TTL),
"LIMIT#<user sub>"/"<limit>#<window start, ISO>" (a person's use of a per-user limit in one window,
e.g. POST /warmup: a live counter that goes with its window, TTL; control/rate_limits.py).
Every item has the attributes pk, sk, kind, version, body (a map) and, where it applies, count
(live counters, atomic ADD) and expires_at (TTL, epoch seconds): pawport.store.Item.
Projection items carry `version`, the source row's version in Aurora: writes are conditional on
it, so a replayed or late outbox entry never rolls an item back. Work items (drafts, counters,
job lookups) carry version 0.
"""


def household_key(household_id: str) -> str:
    return f"HOUSEHOLD#{household_id}"


HOUSEHOLD_SK = "HOUSEHOLD"


def member_sk(user_id: str) -> str:
    return f"MEMBER#{user_id}"


def pet_sk(pet_id: str) -> str:
    return f"PET#{pet_id}"


def record_sk(record_id: str) -> str:
    return f"RECORD#{record_id}"


def draft_sk(upload_id: str) -> str:
    return f"DRAFT#{upload_id}"


def document_hash_sk(sha256: str) -> str:
    return f"DOCHASH#{sha256}"


def document_count_sk(pet_id: str) -> str:
    return f"DOCS#{pet_id}"


def pet_key(pet_id: str) -> str:
    return f"PET#{pet_id}"


PET_SK = "PET"


def job_key(job_id: str) -> str:
    return f"JOB#{job_id}"


JOB_SK = "JOB"


def user_key(user_id: str) -> str:
    return f"USER#{user_id}"


def membership_sk(household_id: str) -> str:
    return f"HOUSEHOLD#{household_id}"


def mail_key(mail_id: str) -> str:
    return f"MAIL#{mail_id}"


MAIL_SK = "MAIL"


def reminder_key(day: str) -> str:
    return f"REMINDER#{day}"


def reminder_sk(household_id: str, record_id: str) -> str:
    return f"HOUSEHOLD#{household_id}#RECORD#{record_id}"


def reminder_household_prefix(household_id: str) -> str:
    return f"HOUSEHOLD#{household_id}#"


REMINDER_CURSOR_KEY, REMINDER_CURSOR_SK = "REMINDERS", "CURSOR"


def reminded_key(day: str) -> str:
    return f"REMINDED#{day}"


def reminded_sk(household_id: str, user_id: str) -> str:
    return f"HOUSEHOLD#{household_id}#MEMBER#{user_id}"


def llm_usage_key(month: str) -> str:
    return f"LLMUSAGE#{month}"


IDEMPOTENCY_KEY = "IDEMPOTENCY#workers"


def wake_attempt_key(month: str) -> str:
    return f"WAKEATTEMPT#{month}"


def wake_attempt_sk(started_at: str, attempt_id: str) -> str:
    return f"{started_at}#{attempt_id}"


def limit_key(user_id: str) -> str:
    return f"LIMIT#{user_id}"


def limit_sk(limit: str, window_start: str) -> str:
    return f"{limit}#{window_start}"
