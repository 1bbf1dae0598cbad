"""Extraction quality: the local reader (devstack/llm) against the generated certificates
(bench/certificates), field by field.

Each field of the truth and of the answer is one of: right; wrong (a value that is not the truth's,
or a value where the truth has none); missed (null where the truth has a value). Per kind of
document (clean PDF, scanned PDF, photo, HEIC photo):

- precision = right / (right + wrong), recall = right / (right + missed), accuracy = right / all three;
- wrong but ready: a wrong value the reader marked confident (at or above egress's line), which a
  person would see as ready. The goal is none.

Read vaccinations are matched to the truth's by vaccine; one left over on either side counts its
fields as missed or wrong. `python -m bench.extraction [--quick]` runs it alone and adds its keys to
.bench/latest.json; `make bench` runs it with the rest (BENCH_CERTIFICATES sets how many).
"""
import argparse
import json
import os
import re
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from bench.certificates.corpus import FULL, QUICK, certificate

READY = 0.5   # egress's llm_min_confidence: a field at or above it is shown as ready
GOALS = {"pdf": 0.95, "photo": 0.85}
DOCUMENT_FIELDS = ("pet_name", "species", "microchip", "clinic")
VACCINATION_FIELDS = ("vaccine", "administered_on", "expires_on", "validity", "batch", "vet")
TITLES = {"dr", "dvm", "vmd", "mrcvs", "bvsc", "bvms", "bvetmed", "ma", "vetmb", "phd"}
SPECIES = {"canine": "dog", "feline": "cat", "puppy": "dog", "kitten": "cat"}


def count() -> int:
    return int(os.environ.get("BENCH_CERTIFICATES") or (QUICK if os.environ.get("BENCH_HOUSEHOLDS") else FULL))


def measure(certificates: int | None = None, workers: int = 2) -> dict[str, Any]:
    started = time.monotonic()
    total = certificates or count()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        scored = list(pool.map(score_one, range(total)))
    return figures(scored) | {"extraction_certificates": total,
                              "extraction_seconds": round(time.monotonic() - started, 1)}


def score_one(k: int) -> dict[str, Any]:
    from devstack.llm.certificate import read_certificate  # in the worker: each loads the reader once

    cert = certificate(k)
    started = time.monotonic()
    answer, _ = read_certificate([(cert.media_type, cert.data)])
    outcomes = score(cert.truth(), answer)
    return {"key": cert.key, "medium": cert.medium, "layout": cert.layout, "outcomes": outcomes,
            "seconds": time.monotonic() - started}


def score(truth: dict, answer: dict) -> list[tuple[str, str, bool]]:
    """(field, right | wrong | missed, reported confident) for every field either side has."""
    out = [_outcome(name, truth.get(name), answer.get(name), answer["confidence"].get(name, 0.0))
           for name in DOCUMENT_FIELDS]
    left = list(answer["vaccinations"])
    for expected in truth["vaccinations"]:
        match = next((item for item in left if item["vaccine"] == expected["vaccine"]), None)
        if match:
            left.remove(match)
        item = match or {"confidence": {}}
        out += [_outcome(name, expected.get(name), item.get(name), item["confidence"].get(name, 0.0))
                for name in VACCINATION_FIELDS]
    for extra in left:
        out += [_outcome(name, None, extra.get(name), extra["confidence"].get(name, 0.0)) for name in VACCINATION_FIELDS]
    return [o for o in out if o]


def _outcome(name: str, expected: Any, got: Any, confidence: float) -> tuple[str, str, bool] | None:
    if expected is None and got is None:
        return None
    if got is None:
        return (name, "missed", False)
    right = expected is not None and normal(name, expected) == normal(name, got)
    return (name, "right" if right else "wrong", confidence >= READY)


def normal(name: str, value: Any) -> str:
    text = str(value).lower()
    if name == "microchip":
        return re.sub(r"\D", "", text)
    if name == "species":
        return SPECIES.get(text, text)
    if name == "vet":
        return " ".join(w for w in re.findall(r"[a-z]+", text) if w not in TITLES)
    return " ".join(re.findall(r"[a-z0-9]+", text))


def figures(scored: list[dict[str, Any]]) -> dict[str, Any]:
    kinds = {"pdf": ["pdf"], "scan": ["scan"], "photo": ["photo", "heic"], "heic": ["heic"]}
    out: dict[str, Any] = {}
    per_kind = {}
    for kind, media in kinds.items():
        tally = Counter(o[1] for s in scored if s["medium"] in media for o in s["outcomes"])
        right, wrong, missed = tally["right"], tally["wrong"], tally["missed"]
        per_kind[kind] = {"documents": sum(1 for s in scored if s["medium"] in media),
                          "fields": right + wrong + missed,
                          "precision": _ratio(right, right + wrong), "recall": _ratio(right, right + missed),
                          "accuracy": _ratio(right, right + wrong + missed),
                          "wrong_but_ready": sum(1 for s in scored if s["medium"] in media
                                                 for o in s["outcomes"] if o[1] == "wrong" and o[2])}
    for kind in ("pdf", "scan", "photo"):
        out[f"extraction_field_accuracy_{kind}"] = per_kind[kind]["accuracy"]
    out["extraction_wrong_but_ready"] = sum(1 for s in scored for o in s["outcomes"] if o[1] == "wrong" and o[2])
    out["extraction_by_kind"] = per_kind
    out["extraction_by_field"] = {name: dict(Counter(o[1] for s in scored for o in s["outcomes"] if o[0] == name))
                                  for name in DOCUMENT_FIELDS + VACCINATION_FIELDS}
    out["extraction_wrong_but_ready_fields"] = [f"{s['key']}: {o[0]}" for s in scored for o in s["outcomes"]
                                                if o[1] == "wrong" and o[2]]
    out["extraction_goals"] = {kind: (f"{per_kind[kind]['accuracy']} of fields right, goal >= {goal}: "
                                      + ("met" if (per_kind[kind]["accuracy"] or 0) >= goal else "MISSED"))
                               for kind, goal in GOALS.items()} | {
        "wrong_but_ready": f"{out['extraction_wrong_but_ready']}, goal 0: "
                           + ("met" if out["extraction_wrong_but_ready"] == 0 else "MISSED")}
    return out


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def main() -> None:
    from bench.__main__ import RESULTS

    parser = argparse.ArgumentParser(prog="python -m bench.extraction", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"the first {QUICK} certificates only")
    parser.add_argument("--certificates", type=int)
    arguments = parser.parse_args()
    results = measure(arguments.certificates or (QUICK if arguments.quick else FULL))
    saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(saved | results, indent=2))
    json.dump(results, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
