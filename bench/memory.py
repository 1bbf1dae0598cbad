"""Peak resident memory of the handlers that hold a whole upload, on the largest file accepted
(20 MiB): workers' upload check and thumbnail, egress's extraction request. Each measurement runs
in a process of its own, started by a meter process that reads its children's peak
(resource.getrusage(RUSAGE_CHILDREN).ru_maxrss), so one measurement's pages never count in the next.

The child does what the handler does with the file: workers read the object, judge its bytes and
draw the preview; egress encodes the document into the model's request body. Imports are the
handler's (boto3, the service's modules), so the figure includes the interpreter Lambda runs."""
import json
import math
import resource
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from devstack import REPO
from pawport.documents import MAX_BYTES

FUNCTIONS = {"workers.upload_events": "workers", "egress.extract": "egress"}
INPUTS = {"pdf": "application/pdf", "photo-jpeg": "image/jpeg", "photo-png": "image/png"}
HEADROOM = 1.5          # over the measured peak: other inputs, and the runtime's own growth
STEP_MB = 64            # memory sizes rounded up to this


def measure() -> dict[str, Any]:
    """Peaks in MB by function (the largest over the inputs) and by function and input, and the
    memory size each function gets with headroom."""
    with tempfile.TemporaryDirectory() as folder:
        files = make_inputs(Path(folder))
        peaks = {f"{function} ({kind})": metered(function, path, INPUTS[kind])
                 for function in FUNCTIONS for kind, path in files.items()}
    by_function = {function: max(mb for name, mb in peaks.items() if name.startswith(function + " "))
                   for function in FUNCTIONS}
    return {"peak_memory_mb": by_function, "peak_memory_mb_by_input": peaks,
            "memory_size_mb": {function: memory_size(mb) for function, mb in by_function.items()}}


def memory_size(peak_mb: float) -> int:
    return max(128, math.ceil(peak_mb * HEADROOM / STEP_MB) * STEP_MB)


def metered(function: str, path: Path, content_type: str) -> float:
    command = [sys.executable, "-m", "bench.memory", "meter", function, str(path), content_type]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True)
    return round(int(done.stdout.split()[-1]) / 1024, 1)   # ru_maxrss is in KiB on Linux


def make_inputs(folder: Path) -> dict[str, Path]:
    """A noise photo just under the limit as JPEG and PNG (noise does not compress), and a one-page
    PDF holding the JPEG, all within 20 MiB."""
    import numpy
    from fpdf import FPDF
    from PIL import Image

    rng = numpy.random.default_rng(7)
    jpeg, png, pdf = folder / "photo.jpg", folder / "photo.png", folder / "certificate.pdf"
    side = int(math.sqrt(MAX_BYTES / 3)) - 8
    Image.fromarray(rng.integers(0, 256, (side, side, 3), dtype=numpy.uint8)).save(png, compress_level=1)
    width = 4000
    for _ in range(6):   # the JPEG's size per pixel is known only once written: converge on the limit
        height = width * 3 // 4
        Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=numpy.uint8)).save(jpeg, quality=95)
        width = int(width * math.sqrt(MAX_BYTES * 0.97 / jpeg.stat().st_size))
    document = FPDF()
    document.add_page()
    document.image(str(jpeg), x=0, y=0, w=210)
    document.output(str(pdf))
    files = {"pdf": pdf, "photo-jpeg": jpeg, "photo-png": png}
    assert all(p.stat().st_size <= MAX_BYTES for p in files.values()), {k: p.stat().st_size for k, p in files.items()}
    return files


def _meter(function: str, path: str, content_type: str) -> None:
    subprocess.run([sys.executable, "-m", "bench.memory", "child", function, path, content_type], check=True)
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def _child(function: str, path: str, content_type: str) -> None:
    service = FUNCTIONS[function]
    sys.path.insert(0, str(REPO / "services" / service))
    import boto3  # noqa: F401  (the handler's import: part of what its process holds)
    data = Path(path).read_bytes()   # S3's GetObject body, read whole as the handler does
    if service == "workers":
        from chalicelib.workers.thumbnails import make_thumbnail
        from chalicelib.workers.upload_checks import SNIFF_BYTES, check
        verdict = check(len(data), data[:SNIFF_BYTES])
        assert verdict.accepted, verdict.reason
        make_thumbnail(data, verdict.content_type)
    else:
        from chalicelib.egress import extraction
        json.dumps({"model": "gpt-4.1-mini", "messages": extraction.messages(content_type, data)}).encode()


if __name__ == "__main__":
    {"meter": _meter, "child": _child}[sys.argv[1]](*sys.argv[2:])
