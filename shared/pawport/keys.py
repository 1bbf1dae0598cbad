"""The main DynamoDB table's key layout (single-table design): every key is built here.

A household's projection lives in one partition, so the dashboard (and the membership check
that guards it) is one Query:
    pk = "HOUSEHOLD#<id>"   sk = "HOUSEHOLD" | "MEMBER#<user id>" | "PET#<id>" | "RECORD#<id>"
                                 | "DRAFT#<upload id>" (workers, TTL) | "DOCHASH#<sha256>" | "DOCS#<pet id>"
                                 | "PETREMOVED#<pet id>" (control, TTL: a removed pet's files are to go)
                                 | "PHOTO#<pet id>" (workers: the pet has a photo, rebuilt from S3)
                                 | "PHOTOREFUSED#<pet id>" (workers, TTL: why its last photo was refused)
Other partitions: "PET#<id>"/"PET" (which household a pet belongs to), "JOB#<id>"/"JOB" (which
draft an extraction job serves, TTL), "OUTBOX"/"PENDING#..." (control's relay markers, TTL),
"USER#<sub>"/"HOUSEHOLD#<id>" (the caller's households, one item per membership),
"MAIL#<id>"/"MAIL" (a mail for workers to send, TTL),
"SUPPRESSION"/"<address, lower case>" (an address SES reported bounced or complained: no mail goes
to it; control's projection of its suppression list, in one partition so a rebuild reads it whole),
"REMINDER#<day>"/"HOUSEHOLD#<id>#RECORD#<id>" (the due-date index: which records the daily run of
<day> reminds about, shared by every household so the run reads one partition, TTL a week after its run; pawport/reminders.py),
"REMINDERS"/"CURSOR" (the last day the run finished), "REMINDED#<day>"/"HOUSEHOLD#<id>#MEMBER#<sub>"
(a reminder mail claimed for one member, TTL), "HOUSEHOLD#<id>"/"REMINDERSETTINGS#<sub>" (a member's
reminder windows, projected from Aurora), "LLMUSAGE#<yyyy-mm>"/"prompt_tokens" | "completion_tokens"
| "micro_usd" (the deployment's LLM use in a month: live counters; pawport/llm_usage.py),
"IDEMPOTENCY#workers"/<key> (Powertools' once-per-object records, TTL),
"WAKEATTEMPT#<yyyy-mm>"/"<started at, ISO>#<id>" (control's connection attempts that found Aurora
paused: each started a resume and opened no session, so the wake ledger has no row of it; TTL),
"LIMIT#<user sub>"/"<limit>#<window start, ISO>" (a person's use of a per-user limit in one window,
e.g. POST /warmup: a live counter that goes with its window, TTL; control/rate_limits.py).
Asks and the LLM budget (pawport/llm_budget.py): "ASK#<request id>"/"ASK" (an ask control handed
over, its minimized context and then its answer, TTL); "HOUSEHOLD#<id>"/"LLMBUDGET" (the household's
monthly budget, projected from Aurora); "LLMSPEND#<household>"/"<yyyy-mm>" | "<yyyy-mm>#settled"
(live counters: reserved + settled, and settled alone, in micro-USD); "LLMHOLD#<call id>"/"HOLD" (a
reservation's timer: its TTL expiry releases an estimate never settled); "LLMUSE#<yyyy-mm>"/
"<household>#<call id>" (each call's usage event, what the counters and Aurora's rollups add up, TTL).
Passports: "HOUSEHOLD#<id>"/"PASSPORT#<id>" (the owner's list) and "VIEWS#<id>" (its live view counter);
"PASSPORT#<token>"/"PASSPORT" (what a viewer's link is checked against, TTL = its expiry) and
"PUBLISHED" (the hash of the artifact workers last published under the token, TTL);
"PASSPORTEXPIRY#<day>"/"<expires at, ISO>#<token>" (what the expiry sweep removes that day, TTL);
"ACCESSLOG#<object key>"/"COUNTED" (an access-log object already counted, TTL).
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


def pet_photo_sk(pet_id: str) -> str:
    """Workers' note that the pet has a photo (derived from S3 alone: pawport/pet_photos.py)."""
    return f"PHOTO#{pet_id}"


def pet_photo_refused_sk(pet_id: str) -> str:
    """Why the pet's last photo upload was refused (TTL)."""
    return f"PHOTOREFUSED#{pet_id}"


def pet_removal_sk(pet_id: str) -> str:
    """A removed pet's notice (TTL): its INSERT has workers delete the pet's files and drafts."""
    return f"PETREMOVED#{pet_id}"


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


def reminder_settings_sk(user_id: str) -> str:
    return f"REMINDERSETTINGS#{user_id}"


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


def passport_sk(passport_id: str) -> str:
    return f"PASSPORT#{passport_id}"


def passport_views_sk(passport_id: str) -> str:
    return f"VIEWS#{passport_id}"


def passport_key(token: str) -> str:
    return f"PASSPORT#{token}"


PASSPORT_SK, PUBLISHED_SK = "PASSPORT", "PUBLISHED"


def passport_expiry_key(day: str) -> str:
    return f"PASSPORTEXPIRY#{day}"


def passport_expiry_sk(expires_at: str, token: str) -> str:
    return f"{expires_at}#{token}"


def access_log_key(object_key: str) -> str:
    return f"ACCESSLOG#{object_key}"


ACCESS_LOG_SK = "COUNTED"


def ask_key(request_id: str) -> str:
    return f"ASK#{request_id}"


ASK_SK = "ASK"
LLM_BUDGET_SK = "LLMBUDGET"


def llm_spend_key(household_id: str) -> str:
    return f"LLMSPEND#{household_id}"


def llm_settled_sk(month: str) -> str:
    return f"{month}#settled"


def llm_hold_key(call_id: str) -> str:
    return f"LLMHOLD#{call_id}"


LLM_HOLD_SK = "HOLD"


def llm_use_key(month: str) -> str:
    return f"LLMUSE#{month}"


def llm_use_sk(household_id: str, call_id: str) -> str:
    return f"{household_id}#{call_id}"


SUPPRESSION_KEY = "SUPPRESSION"


def suppression_sk(address: str) -> str:
    return address.strip().lower()


def llm_rollup_key(month: str) -> str:
    """/<household>: what control last wrote to the household's rollup in Aurora, so the daily
    reconciliation wakes Aurora only when there is something new (TTL)."""
    return f"LLMROLLUP#{month}"
