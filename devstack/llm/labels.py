"""The words certificates label their fields with, the vaccines they name, and a table's column
headers. Longer labels win over the shorter ones inside them ("Lot expiration" is not "Lot", "Vaccine
manufacturer" is not "Vaccine", "Administered by" is not "Administered")."""
import re
from dataclasses import dataclass

FIELD_LABELS = [   # (kind, pattern); kinds the reader does not answer stop a neighbour's value. OCR reads l as 1 or t
    ("lot_expiry", r"lot\s*exp\w*\.?,?(?:\s+date)?|exp\w*\s+of\s+lot|vial\s+exp\w*"),
    ("vet", r"veterinarian(?:'s)?(?:\s+(?:name|signature))?|veterinary\s+surgeon|vet(?:erinarian)?\s+name"
            r"|administered\s+by|vaccinated\s+by|signed(?:\s+by)?|vet"),
    ("other", r"vaccine\s+manufacturer|manufacturer|owner(?:'s)?(?:\s+name)?|client(?:\s+name)?|address"
              r"|tel(?:ephone)?\.?|phone|e-?mail|breed(?:\s*/\s*colou?r)?|sex|gender|colou?r|markings|weight|age"
              r"|date\s+of\s+birth|d\.?o\.?b\.?|born|licen[sc]e(?:\s+no\.?)?|invoice(?:\s+(?:no\.?|number|date))?"
              r"|date|qty|quantity|amount|price|total|tag(?:\s+no\.?)?"),
    ("given", r"date\s+(?:given|administered|vaccinated|of\s+vaccination)|administered(?:\s+on)?|vaccinated(?:\s+on)?"
              r"|given(?:\s+on)?|vaccination\s+date"),
    ("expires", r"(?:next\s+)?(?:vaccination\s+)?due\s+(?:by|on|date)|(?:next|booster)\s+due|due\s+date"
                r"|expir(?:es|y|ation)(?:\s+date)?(?:\s+on)?|valid\s+(?:unt[il1|t]{1,2}|through|thru|to)|revaccinat\w*(?:\s+by)?"
                r"|booster\s+(?:date|on)|next\s+vaccination(?:\s+due)?(?:\s+by)?"),
    ("validity", r"(?:vaccination\s+)?valid\s+for|duration(?:\s+of\s+immunity)?|validity|term"),
    ("batch", r"serial\s*/?\s*lot(?:\s+(?:no\.?|number|#))?|batch\s*/\s*lot(?:\s+no\.?)?|batch(?:\s+(?:no\.?|number|#))?"
              r"|lot(?:\s+(?:no\.?|number|#))?|lot\s*#|serial(?:\s+(?:no\.?|number))?"),
    ("chip", r"micro\s*chip(?:\s+(?:no\.?|number|#|id|code))?|chip(?:\s+(?:no\.?|number|id))?"
             r"|transponder(?:\s+(?:no\.?|number|code))?"),
    ("species", r"species|animal\s+type|type\s+of\s+animal"),
    ("pet", r"(?:pet|patient|animal|dog|cat)(?:'?s)?\s+name|name\s+of\s+(?:the\s+)?(?:pet|animal|patient)"
            r"|patient|pet|animal"),
    ("name", r"name"),
    ("vaccine", r"vaccine(?:\s+(?:type|name|product))?|vaccination|product(?:\s+name)?"),
    ("clinic", r"clinic(?:\s+(?:name|stamp))?|practice(?:\s+(?:name|stamp))?|hospital|veterinary\s+practice"),
]
COLUMNS = [   # a table's headers: (kind, pattern matching the whole header cell)
    ("vaccine", r"vaccines?(?:\s+(?:type|name|given|product))?|vaccinations?|immuni[sz]ations?|description"
                r"|items?|services?|products?|treatment"),
    ("lot_expiry", r"lot\s*exp\w*\.?(?:\s+date)?|vial\s+exp\w*"),
    ("given", r"date(?:\s+(?:given|administered|of\s+vaccination|vaccinated))?|given(?:\s+on)?"
              r"|administered(?:\s+on)?|vaccinated(?:\s+on)?|vaccination\s+date"),
    ("expires", r"next\s+due|valid\s+(?:until|to|through)|expir(?:es|y|ation)(?:\s+date)?|due(?:\s+date)?"
                r"|booster(?:\s+due)?|re-?vaccinat\w*(?:\s+(?:date|due))?|next\s+vaccination|renewal(?:\s+date)?"),
    ("validity", r"duration|validity|valid\s+for|term"),
    ("batch", r"batch(?:\s+no\.?)?|lot(?:\s+(?:no\.?|number))?|serial(?:\s+no\.?)?|batch\s*/\s*lot|lot\s*#"),
    ("vet", r"vet|veterinarian|signed|signature|administered\s+by"),
    ("other", r"qty|quantity|amount|price|cost|total|fee|units?|code"),
]
VACCINES = [   # (the label reported, what certificates print)
    ("Rabies", r"rabies|imrab|rabvac|defensor"),
    ("DHPP", r"dhl?ppi?|da2ppv?|dappv?|dhp|distemper(?!\s*\(?feline)|parvo\w*"),
    ("Leptospirosis", r"lepto\w*|l4"),
    ("Bordetella", r"bordetella|kennel\s+cough|kc"),
    ("FVRCP", r"fvrcp|rcp|tricat|feline\s+(?:enteritis|distemper|panleuko\w*)"),
    ("FeLV", r"felv|feline\s+leuka?emia"),
    ("Lyme", r"lyme|borrelia"),
    ("Canine Influenza", r"canine\s+influenza|influenza|civ|h3n[28]"),
]
# Words that say a line is about a vaccination: a vaccine named on such a line is one given
VACCINATION_CONTEXT = r"vaccin\w*|booster|immuni[sz]\w*|inoculat\w*|shot"


@dataclass(frozen=True)
class Label:
    kind: str
    start: int
    end: int
    colon: bool   # printed "Label:"; a bare word is a label only where its value shows it is one


def find_labels(text: str) -> list[Label]:
    """The labels in a cell's text, left to right, the longest at each place."""
    found = []
    for kind, pattern in FIELD_LABELS:
        for match in re.finditer(rf"(?<![\w/])(?:{pattern})(?![\w])", text, re.IGNORECASE):
            found.append((match.start(), -(match.end() - match.start()), kind, match.end()))
    known = [Label(label.kind, label.start, label.end, bool(re.match(r"\s*[:#]", text[label.end:])))
             for label in _longest(found)]
    others = [(m.start(), 0, "other", m.end() - 1)   # any other "Label:" ends the value before it
              for m in re.finditer(r"(?<![\w])[A-Z][A-Za-z'.]*(?:\s[a-z'.]+){0,2}\s?:", text)
              if not any(k.start < m.end() - 1 and m.start() < k.end for k in known)]
    return sorted(known + [Label("other", s, e, True) for s, _, _, e in others], key=lambda label: label.start)


def _longest(found: list[tuple[int, int, str, int]]) -> list[Label]:
    labels: list[Label] = []
    for start, _, kind, end in sorted(found):
        if labels and start < labels[-1].end:
            continue
        labels.append(Label(kind, start, end, False))
    return labels


def column_kind(text: str) -> str | None:
    cleaned = text.strip().rstrip(":").strip()
    for kind, pattern in COLUMNS:
        if re.fullmatch(pattern, cleaned, re.IGNORECASE):
            return kind
    return None


def vaccines_in(text: str) -> list[tuple[int, str]]:
    """(position, label) of each vaccine named in `text`."""
    found = [(m.start(), label) for label, pattern in VACCINES
             for m in re.finditer(rf"(?<![\w])(?:{pattern})(?![\w])", text, re.IGNORECASE)]
    return sorted(found)


def vaccine_in(text: str) -> str | None:
    found = vaccines_in(text)
    return found[0][1] if found else None


def about_vaccination(text: str) -> bool:
    return bool(re.search(rf"\b(?:{VACCINATION_CONTEXT})\b", text, re.IGNORECASE))
