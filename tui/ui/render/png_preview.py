"""A small preview of a PNG in Unicode half blocks (``▀``: the top pixel in the
foreground colour, the bottom one in the background), for any terminal.

No image library: PNG is zlib and five row filters, read here for the common case (8 bits
a sample, grey, RGB, palette, with or without alpha, not interlaced). Anything else, and
anything larger than ``MAX_PIXELS``, has no preview (None): undoing the filters in
Python costs about a microsecond a byte. Pure: bytes in, rows of colours out.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable

from rich.color import Color
from rich.style import Style
from rich.text import Text

SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_PIXELS = 512 * 512  # larger images are not previewed
COLUMNS = 32  # the preview's width at most, in cells
ROWS = 12  # and its height (two pixels a cell)
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # colour type → samples a pixel

RGB = tuple[int, int, int]


def png_cells(data: bytes, columns: int = COLUMNS, rows: int = ROWS) -> list[list[RGB]] | None:
    """The image scaled to fit ``columns`` × ``2 * rows`` pixels (aspect kept), as rows
    of colours (alpha laid over black); None when it cannot be previewed."""
    image = _decode(data)
    if image is None:
        return None
    width, height, pixel = image
    out_w = min(columns, width)
    out_h = max(1, round(height * out_w / width))
    if out_h > 2 * rows:
        out_h = 2 * rows
        out_w = max(1, round(width * out_h / height))
    return [[pixel(x * width // out_w, y * height // out_h) for x in range(out_w)]
            for y in range(out_h)]


def half_blocks(cells: list[list[RGB]]) -> Text:
    """Two rows of pixels a line of ``▀``."""
    text = Text(no_wrap=True, overflow="crop")
    for top_index in range(0, len(cells), 2):
        top = cells[top_index]
        bottom = cells[top_index + 1] if top_index + 1 < len(cells) else None
        for x, colour in enumerate(top):
            below = bottom[x] if bottom is not None else None
            text.append("▀", Style(color=Color.from_rgb(*colour),
                                   bgcolor=Color.from_rgb(*below) if below else None))
        if top_index + 2 < len(cells):
            text.append("\n")
    return text


def _decode(data: bytes) -> tuple[int, int, Callable[[int, int], RGB]] | None:
    """(width, height, pixel(x, y) → RGB) or None."""
    if not data.startswith(SIGNATURE):
        return None
    at, header, palette, compressed = len(SIGNATURE), None, b"", []
    while at + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        at += 12 + length
        if kind == b"IHDR" and len(body) == 13:
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            palette = body
        elif kind == b"IDAT":
            compressed.append(body)
        elif kind == b"IEND":
            break
    if header is None:
        return None
    width, height, depth, colour, _, _, interlace = header
    channels = _CHANNELS.get(colour)
    if (channels is None or depth != 8 or interlace or not width or not height
            or width * height > MAX_PIXELS or (colour == 3 and not palette)):
        return None
    stride = width * channels
    expected = height * (stride + 1)
    try:
        raw = zlib.decompressobj().decompress(b"".join(compressed), expected)
    except zlib.error:
        return None
    if len(raw) < expected:
        return None
    lines = _unfilter(raw, height, stride, channels)
    if lines is None:
        return None

    def pixel(x: int, y: int) -> RGB:
        line, i = lines[y], x * channels
        if colour == 2:
            return line[i], line[i + 1], line[i + 2]
        if colour == 6:
            a = line[i + 3]
            return line[i] * a // 255, line[i + 1] * a // 255, line[i + 2] * a // 255
        if colour == 3:
            p = line[i] * 3
            entry = palette[p:p + 3]
            return (entry[0], entry[1], entry[2]) if len(entry) == 3 else (0, 0, 0)
        grey = line[i] if colour == 0 else line[i] * line[i + 1] // 255
        return grey, grey, grey

    return width, height, pixel


def _unfilter(raw: bytes, height: int, stride: int, bpp: int) -> list[bytes] | None:
    lines: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, previous, strict=True))
        elif kind == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = previous[i]
                c = previous[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        elif kind != 0:
            return None
        lines.append(bytes(line))
        previous = line
    return lines
