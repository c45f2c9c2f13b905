"""Draw the app's logos (a double chevron, "escalate", on Garden blue) as PNGs with the stdlib only.

python zendesk_app/scripts/make_logos.py   # writes assets/logo.png (320x320) and assets/logo-small.png (128x128)
"""
from __future__ import annotations

import struct
import zlib
from pathlib import Path

ASSETS = Path(__file__).resolve().parent.parent / "assets"
BACKGROUND = (0x1F, 0x73, 0xB7)  # Garden blue-600
MARK = (0xFF, 0xFF, 0xFF)
SAMPLES = 4  # per axis: 16 samples per pixel for smooth edges


def chevron(top: float) -> list[tuple[float, float]]:
    """An upward chevron whose apex is at `top` (unit square coordinates)."""
    return [(0.5, top), (0.78, top + 0.28), (0.78, top + 0.42), (0.5, top + 0.14), (0.22, top + 0.42), (0.22, top + 0.28)]


MARKS = [chevron(0.17), chevron(0.43)]


def inside_polygon(x: float, y: float, points: list[tuple[float, float]]) -> bool:
    """Even-odd rule."""
    result = False
    j = len(points) - 1
    for i, (xi, yi) in enumerate(points):
        xj, yj = points[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            result = not result
        j = i
    return result


def inside_rounded_square(x: float, y: float, radius: float = 0.2) -> bool:
    cx = min(max(x, radius), 1 - radius)
    cy = min(max(y, radius), 1 - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2


def pixel(px: int, py: int, size: int) -> tuple[int, int, int, int]:
    background = mark = 0
    for sy in range(SAMPLES):
        for sx in range(SAMPLES):
            x = (px + (sx + 0.5) / SAMPLES) / size
            y = (py + (sy + 0.5) / SAMPLES) / size
            if inside_rounded_square(x, y):
                if any(inside_polygon(x, y, points) for points in MARKS):
                    mark += 1
                else:
                    background += 1
    total = SAMPLES * SAMPLES
    covered = background + mark
    if not covered:
        return (0, 0, 0, 0)
    color = [round((BACKGROUND[c] * background + MARK[c] * mark) / covered) for c in range(3)]
    return (*color, round(255 * covered / total))


def png(size: int) -> bytes:
    rows = []
    for py in range(size):
        row = bytearray([0])  # filter type: none
        for px in range(size):
            row.extend(pixel(px, py, size))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b"")


def main() -> None:
    for name, size in (("logo.png", 320), ("logo-small.png", 128)):
        (ASSETS / name).write_bytes(png(size))
        print(ASSETS / name)


if __name__ == "__main__":
    main()
