"""The document, fetched by the presigned GET workers put in the job: egress holds no S3
permission, so a URL for one object, valid a few minutes, is all it can read."""
import urllib.error
import urllib.request


class DocumentUnavailable(Exception):
    """The URL gave no document (expired, refused, unreachable): the invocation fails, and workers
    retry it with a fresh URL. The message names the status only, never the URL."""


def fetch(url: str, max_bytes: int, timeout_seconds: float) -> tuple[bytes, int]:
    """The document and its size; the bytes stay unread (empty) when it is over max_bytes."""
    try:
        with urllib.request.urlopen(url, timeout=timeout_seconds) as answer:   # an https URL from workers
            declared = int(answer.headers.get("Content-Length") or -1)
            if declared > max_bytes:
                return b"", declared
            data = answer.read(max_bytes + 1)
    except urllib.error.HTTPError as error:
        raise DocumentUnavailable(f"the document URL answered HTTP {error.code}") from None
    except (urllib.error.URLError, TimeoutError) as error:
        raise DocumentUnavailable(f"the document URL could not be reached ({type(error).__name__})") from None
    return (b"", len(data)) if len(data) > max_bytes else (data, len(data))
