#!/usr/bin/python3
"""Renders a terminal screen captured with `tmux capture-pane -p -e` (text with SGR colour codes)
to a PNG, one monospace cell per character. Needs Pillow (Debian: python3-pil) and DejaVu Sans Mono.
Usage: ansi-png.py SCREEN.ansi OUT.png [columns]"""
import re
import sys

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
SIZE = 15
BG, FG = (24, 24, 28), (214, 214, 214)
BASIC = [(0, 0, 0), (205, 49, 49), (13, 188, 121), (229, 229, 16), (36, 114, 200), (188, 63, 188), (17, 168, 205), (229, 229, 229),
         (102, 102, 102), (241, 76, 76), (35, 209, 139), (245, 245, 67), (59, 142, 234), (214, 112, 214), (41, 184, 219), (255, 255, 255)]


def xterm256(n):
    if n < 16:
        return BASIC[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return steps[n // 36], steps[(n // 6) % 6], steps[n % 6]
    level = 8 + (n - 232) * 10
    return level, level, level


def parse(text):
    """Rows of cells (char, fg, bg, bold)."""
    rows = []
    for line in text.rstrip("\n").split("\n"):
        fg, bg, bold, inverse, faint = None, None, False, False, False
        cells = []
        for part in re.split(r"(\x1b\[[0-9;]*m)", line):
            if part.startswith("\x1b["):
                codes = [int(c) if c else 0 for c in part[2:-1].split(";")] or [0]
                i = 0
                while i < len(codes):
                    c = codes[i]
                    if c == 0:
                        fg, bg, bold, inverse, faint = None, None, False, False, False
                    elif c == 1:
                        bold = True
                    elif c == 2:
                        faint = True
                    elif c == 22:
                        bold = faint = False
                    elif c == 7:
                        inverse = True
                    elif c == 27:
                        inverse = False
                    elif 30 <= c <= 37:
                        fg = BASIC[c - 30]
                    elif 90 <= c <= 97:
                        fg = BASIC[c - 90 + 8]
                    elif 40 <= c <= 47:
                        bg = BASIC[c - 40]
                    elif 100 <= c <= 107:
                        bg = BASIC[c - 100 + 8]
                    elif c == 39:
                        fg = None
                    elif c == 49:
                        bg = None
                    elif c in (38, 48) and i + 2 < len(codes) and codes[i + 1] == 5:
                        colour = xterm256(codes[i + 2])
                        fg, bg = (colour, bg) if c == 38 else (fg, colour)
                        i += 2
                    elif c in (38, 48) and i + 4 < len(codes) and codes[i + 1] == 2:
                        colour = tuple(codes[i + 2:i + 5])
                        fg, bg = (colour, bg) if c == 38 else (fg, colour)
                        i += 4
                    i += 1
                continue
            for ch in part:
                f, b = fg or FG, bg or BG
                if faint:
                    f = tuple(v * 2 // 3 for v in f)
                if inverse:
                    f, b = b, f
                cells.append((ch, f, b, bold))
        rows.append(cells)
    return rows


def main():
    source, target = sys.argv[1], sys.argv[2]
    columns = int(sys.argv[3]) if len(sys.argv) > 3 else None
    rows = parse(open(source, encoding="utf-8").read())
    regular, bold = ImageFont.truetype(FONT, SIZE), ImageFont.truetype(BOLD, SIZE)
    width = round(regular.getlength("M"))
    height = SIZE + 4
    columns = columns or max(len(r) for r in rows)
    pad = 10
    image = Image.new("RGB", (columns * width + 2 * pad, len(rows) * height + 2 * pad), BG)
    draw = ImageDraw.Draw(image)
    for y, cells in enumerate(rows):
        for x, (ch, fg, bg, is_bold) in enumerate(cells):
            left, top = pad + x * width, pad + y * height
            if bg != BG:
                draw.rectangle([left, top, left + width - 1, top + height - 1], fill=bg)
            if ch != " ":
                draw.text((left, top + 1), ch, font=bold if is_bold else regular, fill=fg)
    image.save(target, optimize=True)


if __name__ == "__main__":
    main()
