#!/usr/bin/python3
"""Render the OCR test fixtures in test/fixtures/images/ (issue 7).

Card-style images (coloured background, border, an emblem-like disc, one to three lines of text)
in Arabic, Persian, Urdu, English and mixed Arabic+English, plus the bad images the OCR code must
refuse without crashing (truncated, decompression bomb, lying header, wrong type, hostile SVG).

Needs Debian's PIL with raqm (correct Arabic shaping and bidi) and fonts-noto-core:
    apt-get install -y --no-install-recommends python3-pil libraqm0 fonts-noto-core
    /usr/bin/python3 scripts/make-ocr-fixtures.py

Everything is synthetic. Propaganda-like lines are moderator-guide level slogans already in
raqib's synthetic sample data, never operational content. The ground truth goes to
test/fixtures/images/manifest.json (text in logical order, lines joined by newlines).
"""
import json
import os
import struct
import sys
import zlib

from PIL import Image, ImageDraw, ImageFont, features

if not features.check('raqm'):
    sys.exit('PIL has no raqm: Arabic would be drawn unshaped. Use /usr/bin/python3 with libraqm0 installed.')

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'images')
NOTO = '/usr/share/fonts/truetype/noto'
DEJAVU = '/usr/share/fonts/truetype/dejavu'
FONTS = {
    'naskh': f'{NOTO}/NotoNaskhArabic-Regular.ttf',
    'naskh-bold': f'{NOTO}/NotoNaskhArabic-Bold.ttf',
    'kufi-bold': f'{NOTO}/NotoKufiArabic-Bold.ttf',
    'sans-arabic': f'{NOTO}/NotoSansArabic-Regular.ttf',
    'nastaliq': f'{NOTO}/NotoNastaliqUrdu-Regular.ttf',
    'sans': f'{NOTO}/NotoSans-Regular.ttf',
    'sans-bold': f'{NOTO}/NotoSans-Bold.ttf',
    'serif': f'{NOTO}/NotoSerif-Regular.ttf',
    'dejavu': f'{DEJAVU}/DejaVuSans.ttf',
}

# id, language (ground truth), lines, font, size, colours (background, text, accent), layout
CARDS = [
    ('ar-naskh', 'ar', ['أسود الخلافة', 'مجموعة بطاقات رقمية'], 'naskh-bold', 44, ('#f4ecd8', '#1b1b1b', '#8a6d3b'), 'card'),
    ('ar-kufi-dark', 'ar', ['باقية وتتمدد', 'الإصدار الأول'], 'kufi-bold', 40, ('#111111', '#f5f5f5', '#777777'), 'card'),
    ('ar-sans-small', 'ar', ['قصيدة عن البحر والسماء في المساء'], 'sans-arabic', 18, ('#dfe9f3', '#203040', '#6080a0'), 'strip'),
    ('fa-naskh', 'fa', ['پرچم سیاه بر فراز کوه', 'مجموعه کارت های دیجیتال'], 'naskh', 40, ('#fff8e7', '#222222', '#b08d57'), 'card'),
    ('fa-sans', 'fa', ['گنجشک کوچک در باغ'], 'sans-arabic', 36, ('#e8f5e9', '#1b3d1f', '#4caf50'), 'card'),
    ('ur-naskh', 'ur', ['ڈیجیٹل آرٹ کا مجموعہ', 'یہ ایک خوبصورت تصویر ہے'], 'naskh', 40, ('#f3e5f5', '#2a1030', '#8e24aa'), 'card'),
    ('ur-nastaliq', 'ur', ['پاکستان کی خوبصورت وادی'], 'nastaliq', 36, ('#fffde7', '#212121', '#f9a825'), 'card'),
    ('en-sans', 'en', ['LIONS OF THE CALIPHATE', 'Series 1 of 12'], 'sans-bold', 40, ('#0d0d0d', '#eeeeee', '#555555'), 'card'),
    ('en-serif', 'en', ['Digital art collection', 'Limited edition card 42'], 'serif', 38, ('#fdf6e3', '#073642', '#268bd2'), 'card'),
    ('en-small', 'en', ['Wishing peace to every family tonight'], 'dejavu', 14, ('#ffffff', '#333333', '#999999'), 'strip'),
    ('mixed-ar-en', 'mul', ['أسود الخلافة', 'Lions Series'], 'naskh-bold', 42, ('#f4ecd8', '#1b1b1b', '#8a6d3b'), 'card'),
]


def font(name, size):
    return ImageFont.truetype(FONTS[name], size, layout_engine=ImageFont.Layout.RAQM)


def is_rtl(line):
    return any('\u0600' <= ch <= '\u06ff' for ch in line)


def line_font(card_font, line, size):
    # a mixed card: Latin lines in a Latin font
    if not is_rtl(line) and card_font in ('naskh', 'naskh-bold', 'kufi-bold', 'sans-arabic', 'nastaliq'):
        return font('sans-bold', size)
    return font(card_font, size)


def render(card):
    cid, lang, lines, fname, size, (bg, fg, accent), layout = card
    fonts = [line_font(fname, ln, size) for ln in lines]
    boxes = []
    for ln, f in zip(lines, fonts):
        kw = {'direction': 'rtl', 'language': 'ar' if lang == 'mul' else lang} if is_rtl(ln) else {}
        boxes.append((ln, f, kw, f.getbbox(ln, **kw)))
    widths = [b[3][2] - b[3][0] for b in boxes]
    heights = [b[3][3] - b[3][1] for b in boxes]
    gap = int(size * 0.6)
    pad = int(size * 1.2) if layout == 'card' else 12
    emblem = int(size * 1.6) if layout == 'card' else 0
    w = max(widths) + 2 * pad
    h = sum(heights) + gap * (len(lines) - 1) + 2 * pad + (emblem + gap if emblem else 0)
    img = Image.new('RGB', (w, h), bg)
    d = ImageDraw.Draw(img)
    if layout == 'card':
        d.rectangle([6, 6, w - 7, h - 7], outline=accent, width=4)
        cx = w // 2
        d.ellipse([cx - emblem // 2, pad // 2, cx + emblem // 2, pad // 2 + emblem], fill=accent)
        y = pad // 2 + emblem + gap
    else:
        y = pad
    for (ln, f, kw, bb), lw, lh in zip(boxes, widths, heights):
        x = (w - lw) // 2 - bb[0]
        d.text((x, y - bb[1]), ln, font=f, fill=fg, **kw)
        y += lh + gap
    # small palettes keep the committed PNGs small; anti-aliasing survives with 32 colours
    img = img.quantize(colors=32, method=Image.Quantize.MEDIANCUT)
    path = os.path.join(OUT, f'{cid}.png')
    img.save(path, optimize=True)
    return {'file': f'{cid}.png', 'lang': lang, 'text': '\n'.join(lines), 'font': os.path.basename(FONTS[fname]), 'size': size, 'width': w, 'height': h}


def png_chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width, height, bit_depth, colour_type, idat):
    ihdr = struct.pack('>IIBBBBB', width, height, bit_depth, colour_type, 0, 0, 0)
    return b'\x89PNG\r\n\x1a\n' + png_chunk(b'IHDR', ihdr) + png_chunk(b'IDAT', idat) + png_chunk(b'IEND', b'')


def bad_images(manifest):
    bad = {}
    with open(os.path.join(OUT, 'en-serif.png'), 'rb') as fh:
        good = fh.read()
    # truncated: the first half of a valid PNG
    open(os.path.join(OUT, 'bad-truncated.png'), 'wb').write(good[: len(good) // 2])
    bad['bad-truncated.png'] = 'first half of en-serif.png'
    # decompression bomb: 12,000 x 12,000 1-bit greyscale, all zero: 144 megapixels from a few KB
    side = 12000
    raw = (b'\x00' + b'\x00' * (side // 8)) * side
    open(os.path.join(OUT, 'bad-bomb.png'), 'wb').write(png(side, side, 1, 0, zlib.compress(raw, 9)))
    bad['bad-bomb.png'] = f'{side}x{side} 1-bit PNG ({side * side // 1_000_000} megapixels) compressed to a few KB'
    # a header that lies: 100,000 x 100,000 pixels, one tiny IDAT
    open(os.path.join(OUT, 'bad-huge-header.png'), 'wb').write(png(100000, 100000, 8, 0, zlib.compress(b'\x00' * 64)))
    bad['bad-huge-header.png'] = 'IHDR claims 100000x100000, the data is 64 bytes'
    # wrong type: HTML saved as .png, and an empty file
    open(os.path.join(OUT, 'bad-not-image.png'), 'wb').write(b'<!doctype html><html><body>not an image</body></html>\n')
    bad['bad-not-image.png'] = 'an HTML page named .png'
    open(os.path.join(OUT, 'bad-empty.png'), 'wb').write(b'')
    bad['bad-empty.png'] = 'zero bytes'
    # hostile SVG: an external entity and an <image> reading a local file; must not be followed
    evil = ('<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
            '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="200" height="80">\n'
            '  <image href="file:///etc/hostname" width="200" height="80"/>\n'
            '  <text x="10" y="40">&xxe;</text>\n</svg>\n')
    open(os.path.join(OUT, 'bad-evil.svg'), 'w').write(evil)
    bad['bad-evil.svg'] = 'DOCTYPE with an external entity and an <image> pointing at a local file'
    manifest['bad'] = bad


def svg_card(manifest):
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="480" height="200" viewBox="0 0 480 200">\n'
           '  <rect width="480" height="200" fill="#f4ecd8"/>\n'
           '  <text x="240" y="80" font-family="Noto Naskh Arabic" font-size="44" text-anchor="middle" direction="rtl">أسود الخلافة</text>\n'
           '  <text x="240" y="150" font-family="Noto Sans" font-size="32" text-anchor="middle">Lions <tspan font-weight="bold">Series</tspan></text>\n'
           '</svg>\n')
    open(os.path.join(OUT, 'svg-card.svg'), 'w', encoding='utf-8').write(svg)
    manifest['svg'] = [{'file': 'svg-card.svg', 'lang': 'mul', 'text': 'أسود الخلافة\nLions Series'}]


def main():
    os.makedirs(OUT, exist_ok=True)
    missing = [p for p in FONTS.values() if not os.path.exists(p)]
    if missing:
        sys.exit(f'missing fonts (apt-get install fonts-noto-core fonts-dejavu-core): {missing}')
    manifest = {'generator': 'scripts/make-ocr-fixtures.py', 'cards': [render(c) for c in CARDS]}
    svg_card(manifest)
    bad_images(manifest)
    with open(os.path.join(OUT, 'manifest.json'), 'w', encoding='utf-8') as fh:
        json.dump(manifest, fh, ensure_ascii=False, indent=2)
        fh.write('\n')
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f'wrote {len(os.listdir(OUT))} files to {OUT} ({total // 1024} KiB)')


if __name__ == '__main__':
    main()
