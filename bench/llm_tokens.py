"""What one extraction costs with the model the docs recommend, by its provider's published token
rules (bench/prices.yaml, llm_extraction: the rules and their pages), beside the local reader's
count, which reads text only and so sees far fewer tokens than a model sent the page's image."""
import math
from typing import Any

from pawport import llm_usage


def image_tokens(width: int, height: int, rules: dict[str, Any]) -> int:
    """OpenAI's patch rule: 32 px patches covering the image, at most `max_patches` of them (a larger
    image is scaled down to fit, then again so its shorter side is a whole number of patches, as in
    the guide's 1800 x 2400 example: 1,452 patches), times the model's multiplier."""
    size, cap = rules["patch_px"], rules["max_patches"]
    patches = math.ceil(width / size) * math.ceil(height / size)
    if patches > cap:
        shrink = math.sqrt(cap * size * size / (width * height))
        short, long = sorted((width, height))
        across = short * shrink / size
        fit = math.floor(across) / across
        patches = math.floor(across) * math.ceil(long * shrink * fit / size)
    return int(patches * rules["token_multiplier"])


def prompt_tokens(content: str, rules: dict[str, Any]) -> int:
    """A PDF page goes in as its extracted text and an image of the page; a photo as an image."""
    if content == "pdf":
        page = image_tokens(*rules["pdf_page_px"], rules) + rules["pdf_text_tokens"]
        return rules["instruction_tokens"] + rules["pdf_pages"] * page
    return rules["instruction_tokens"] + image_tokens(*rules["photo_px"], rules)


def per_extraction(rules: dict[str, Any]) -> dict[str, int]:
    """Prompt tokens for a PDF and for a photo, and the answer's tokens."""
    return {"pdf_prompt": prompt_tokens("pdf", rules), "photo_prompt": prompt_tokens("photo", rules),
            "completion": rules["completion_tokens"]}


def usd_per_extraction(rules: dict[str, Any]) -> float:
    """The mix of PDFs and photos at the model's list price (pawport/llm_usage.py)."""
    tokens, (per_prompt, per_completion) = per_extraction(rules), llm_usage.price(rules["model"])
    share = rules["photo_share"]
    prompt = share * tokens["photo_prompt"] + (1 - share) * tokens["pdf_prompt"]
    return (prompt * per_prompt + tokens["completion"] * per_completion) / 1e6
