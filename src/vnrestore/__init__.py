"""vnrestore: restore the diacritics of Vietnamese text.

    >>> import vnrestore
    >>> vnrestore.restore("Cong hoa xa hoi chu nghia Viet Nam")
    'Cộng hòa xã hội chủ nghĩa Việt Nam'

``restore`` and ``explain`` use the packaged default model, loaded on first use and
shared; build a ``Restorer`` to choose a model directory or options once for many calls.
"""

from __future__ import annotations

import threading

from .errors import InputError, ModelError, VnrestoreError
from .pipeline import Options, Restorer, TokenChoice

__version__ = "0.1.0"
__all__ = [
    "restore", "explain", "Restorer", "Options", "TokenChoice",
    "VnrestoreError", "ModelError", "InputError", "__version__",
]

_default: dict[Options, Restorer] = {}
_lock = threading.Lock()


def _restorer(options: Options) -> Restorer:
    with _lock:
        restorer = _default.get(options)
        if restorer is None:
            shared_model = next(iter(_default.values())).model if _default else None
            restorer = _default[options] = Restorer(shared_model, options)
        return restorer


def restore(text: str, *, style: str = "new", mode: str = "auto") -> str:
    """Restore the diacritics of `text` with the default model.

    `style`: tone placement, "new" (hòa) or "old" (hoà).  `mode`: "plain" only puts back
    lost diacritics; "ocr" also repairs OCR letter noise; "auto" chooses per block."""
    return _restorer(Options(style=style, mode=mode)).restore(text)


def explain(text: str, *, style: str = "new", mode: str = "auto") -> list[TokenChoice]:
    """Per-token choices (span, input, output, source, confidence, alternatives)."""
    return _restorer(Options(style=style, mode=mode)).explain(text)
