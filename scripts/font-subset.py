#!/usr/bin/env python3
"""Make data/fonts/PencereSans.ttf: DejaVu Sans cut to the letters the
portal's PDFs print (e-certificates, receipts) in Azerbaijani, English and
Russian — ASCII, Latin-1 (ö ü ç), the Azerbaijani letters ə ğ ı İ ş (and
capitals), Cyrillic, dashes, quotes, the bullet, the ellipsis, № and ₼ —
without hinting or layout tables (the PDFs position text themselves).

The Bitstream Vera licence (DejaVu's) lets a modified font be shipped
under another name, so the copy is renamed "Pencere Sans".  Run it again
after changing the set (needs python3-fonttools):

  /usr/bin/python3 scripts/font-subset.py [/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf]
"""
import os
import sys

from fontTools import subset
from fontTools.ttLib import TTFont

SRC = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "fonts", "PencereSans.ttf")
UNICODES = (list(range(0x20, 0x7F)) + list(range(0xA0, 0x100)) +
            [0x11E, 0x11F, 0x130, 0x131, 0x15E, 0x15F, 0x18F, 0x259] +
            list(range(0x400, 0x460)) +
            [0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x201E, 0x2022, 0x2026, 0x2116, 0x20BC])

opts = subset.Options()
opts.hinting = False
opts.layout_features = []
opts.name_IDs = [0, 1, 2, 3, 4, 5, 6]
opts.notdef_outline = True
opts.recalc_timestamp = False
font = TTFont(SRC)
sub = subset.Subsetter(opts)
sub.populate(unicodes=UNICODES)
sub.subset(font)
for rec in font["name"].names:
    if rec.nameID in (1, 3, 4, 6):
        text = rec.toUnicode()
        text = text.replace("DejaVu Sans", "Pencere Sans").replace("DejaVuSans", "PencereSans")
        rec.string = text
for t in [t for t in ("GSUB", "GPOS", "GDEF", "kern", "FFTM", "MATH") if t in font]:
    del font[t]
font.save(OUT)
print("%s: %d glyphs, %d bytes" % (OUT, font["maxp"].numGlyphs, os.path.getsize(OUT)))
