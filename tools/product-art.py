#!/usr/bin/env python3
"""Draws the demo products' pictures as small SVG files (apps/storefront/public/images/products/<slug>.svg).

The demo has no photographs; these are honest illustrations (a leaf or a tea cup over the product's name),
about 1 KB each, so pages stay light. Usage: tools/product-art.py postgres://postgres@127.0.0.1:5432/htx
"""
import html, subprocess, sys, pathlib, textwrap

url = sys.argv[1] if len(sys.argv) > 1 else 'postgres://postgres@127.0.0.1:5432/htx'
rows = subprocess.run(['psql', url, '-AtF', '\t', '-c',
    "SELECT p.slug, p.name_vi, coalesce(c.slug,'') FROM products p LEFT JOIN categories c ON c.id = p.category_id ORDER BY p.slug"],
    check=True, capture_output=True, text=True).stdout.strip().splitlines()
out = pathlib.Path(__file__).resolve().parent.parent / 'apps/storefront/public/images/products'
out.mkdir(parents=True, exist_ok=True)
PALETTE = {'tra': ('#e4efd9', '#3d7a3a'), 'thao-duoc': ('#f4ead2', '#a0701c'), 'la-tam-la-xong': ('#dcefe9', '#2f6b5a')}
LEAF = '<path d="M150 60c-55 20-80 70-60 120 50-10 85-55 60-120z" fill="{fg}" opacity=".85"/><path d="M150 60c-20 40-40 80-60 120" stroke="#fff" stroke-width="3" fill="none" opacity=".7"/>'
CUP = '<path d="M95 110h110v40a55 55 0 0 1-110 0z" fill="{fg}" opacity=".85"/><path d="M205 120h15a18 18 0 0 1 0 36h-18" stroke="{fg}" stroke-width="8" fill="none"/><path d="M130 75c-10 12 10 18 0 30M165 75c-10 12 10 18 0 30" stroke="{fg}" stroke-width="5" fill="none" opacity=".6"/>'
for line in rows:
    slug, name, cat = line.split('\t')
    bg, fg = PALETTE.get(cat, ('#e8efe6', '#2f6b3a'))
    art = (CUP if cat == 'tra' else LEAF).format(fg=fg)
    lines = textwrap.wrap(name, 18)[:3]
    text = ''.join(f'<text x="150" y="{238 + i * 24}" text-anchor="middle" font-family="sans-serif" font-size="20" font-weight="700" fill="{fg}">{html.escape(t)}</text>' for i, t in enumerate(lines))
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 300" width="300" height="300"><rect width="300" height="300" fill="{bg}"/>{art}{text}</svg>\n'
    (out / f'{slug}.svg').write_text(svg, encoding='utf-8')
print(f'{len(rows)} pictures in {out}')
