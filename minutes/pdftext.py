"""The text layer of a PDF, read in a child process with bounded time and memory.

A PDF is a program for a renderer: a 30 KB file whose pages share one compressed content stream
can inflate to hundreds of megabytes and keep pypdf busy for minutes. The web worker (gunicorn
kills it after its timeout) and an import batch must not pay for that. So pypdf runs in a fresh
Python process (``python -m minutes.pdftext``) with an address-space limit and a CPU-time limit,
the caller waits at most SECONDS, and before the slow text extraction the child adds up the pages'
decompressed content and refuses a file with far more than any text document has.

A fresh process rather than a fork: it works inside the importer's daemonic pool workers (which may
not fork children of their own), and shares no database connection or lock with the caller.

The child writes one JSON object: ``{"pages": [...]}`` or ``{"error": "<Danish reason>"}``.
Pure Python: no Django.
"""

import io
import json
import os
import resource
import subprocess
import sys

from pypdf import PdfReader
from pypdf.errors import DependencyError

# Wall-clock time for one PDF, start-up included: a 300-page referat takes 4-7 s on 2 busy cores, and
# gunicorn's worker timeout (30 s) must never be reached.
SECONDS = 20
MEMORY_BYTES = 512 * 1024 * 1024  # address space of the child, interpreter and pypdf included
MAX_PAGES = 2000
# The pages' content streams, decompressed and added up. A text page holds 5-50 KB of drawing
# operations, so 300 pages are a few MB; a bomb that shares one 5 MB stream among 200 pages is
# 1 GB of operations, found in a tenth of a second, before the slow text extraction starts.
MAX_CONTENT_BYTES = 64 * 1024 * 1024


class PdfError(Exception):
    """A PDF whose text cannot be had; str() is a Danish reason."""


def page_texts(data: bytes) -> list[str]:
    """Each page's text in pypdf's layout mode. Raises PdfError with a Danish reason."""
    seconds = SECONDS
    limits = [str(MEMORY_BYTES), str(int(seconds) + 1), str(MAX_PAGES), str(MAX_CONTENT_BYTES)]
    try:
        child = subprocess.run(
            [sys.executable, "-m", "minutes.pdftext", *limits],
            input=data,
            capture_output=True,
            timeout=seconds,
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
            check=False,
        )
    except subprocess.TimeoutExpired:  # subprocess.run kills the child before raising
        raise PdfError(
            f"PDF'en kunne ikke læses på {seconds:g} sekunder (den er usædvanligt tung at pakke ud) "
            "– gem den igen som PDF fra Word eller upload teksten"
        ) from None
    try:
        answer = json.loads(child.stdout)
    except ValueError:
        answer = {}
    if "pages" in answer:
        return answer["pages"]
    if "error" in answer:
        raise PdfError(answer["error"])
    # Killed by its limits (SIGKILL/SIGXCPU), or a crash: no answer at all.
    raise PdfError(
        "PDF'en kræver for meget hukommelse eller tid at læse (den er usædvanligt tung at pakke ud) "
        "– gem den igen som PDF fra Word eller upload teksten"
    )


def _read(data: bytes, max_pages: int, max_content: int) -> dict:
    try:
        reader = PdfReader(io.BytesIO(data))
        locked = reader.is_encrypted and not _decrypted(reader)
        pages = 0 if locked else len(reader.pages)
    except MemoryError:
        raise
    except Exception as error:  # pypdf raises many kinds of exception on a damaged file
        return {"error": _unreadable(error)}
    if locked:
        return {"error": "PDF'en er krypteret – gem den uden adgangskode og upload den igen"}
    if pages > max_pages:
        count, limit = (f"{n:,}".replace(",", ".") for n in (pages, max_pages))
        return {"error": f"PDF'en har for mange sider ({count}; højst {limit})"}
    try:
        if _content_size(reader, max_content) > max_content:
            return {
                "error": "PDF'en har usædvanligt meget sideindhold, når den pakkes ud (over "
                f"{max_content // 1024 // 1024} MB) – gem den igen som PDF fra Word eller upload teksten"
            }
        return {"pages": [page.extract_text(extraction_mode="layout") for page in reader.pages]}
    except MemoryError:
        raise
    except Exception as error:  # pypdf raises many kinds of exception on a damaged file
        return {"error": _unreadable(error)}


def _content_size(reader: PdfReader, limit: int) -> int:
    """The pages' content streams decompressed and added up, counted until past ``limit``."""
    total = 0
    for page in reader.pages:
        contents = page.get_contents()
        total += len(contents.get_data()) if contents is not None else 0
        if total > limit:
            break
    return total


def _decrypted(reader: PdfReader) -> bool:
    """Open a PDF that is encrypted with an empty user password (an owner password only)."""
    try:
        return bool(reader.decrypt(""))
    except DependencyError:  # AES needs the cryptography package
        return False


def _unreadable(error: Exception) -> str:
    return f"PDF'en kan ikke læses: {error or type(error).__name__}"


def _main(memory_bytes: int, cpu_seconds: int, max_pages: int, max_content: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    data = sys.stdin.buffer.read()
    try:
        answer = _read(data, max_pages, max_content)
    except MemoryError:
        answer = {
            "error": "PDF'en kræver for meget hukommelse at læse (den er usædvanligt tung at pakke ud) "
            "– gem den igen som PDF fra Word eller upload teksten"
        }
    sys.stdout.write(json.dumps(answer, ensure_ascii=False))


if __name__ == "__main__":
    _main(*(int(arg) for arg in sys.argv[1:5]))
