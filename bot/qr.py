"""QR codes of links, for posters and event doors: SVG (for print) and PNG (for screens and
posts), written with segno (pure Python)."""

from __future__ import annotations

from pathlib import Path

import segno

SCALE = 10  # pixels (SVG units) a module: about 5 cm wide printed at 150 dpi
BORDER = 4  # the quiet zone the QR standard asks for, in modules


def write_qr(link: str, folder: Path, stem: str) -> list[Path]:
    """Write ``stem.svg`` and ``stem.png`` in ``folder``; their paths. Error correction M
    (15 % of the code may be lost) keeps a code on a creased poster readable."""
    code = segno.make(link, error="m", micro=False)
    paths = [folder / f"{stem}.svg", folder / f"{stem}.png"]
    for path in paths:
        code.save(str(path), scale=SCALE, border=BORDER)
    return paths
