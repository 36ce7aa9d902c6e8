#!/usr/bin/env python3
"""gen-catalog.py: write a realistic N-row catalog in qs's generic template (SPEC 2.1).

One row per variant; products have 1-8 variants (Color x Size), CRLF line
ends. Titles and descriptions mix English, Japanese and Chinese; about 10% of
the products have a quoted multi-line Japanese and Chinese description (the
others one line, often quoted for its commas and doubled quotes); Source URL
cells hold several newline-separated URLs; half the rows carry a UPC cell
(JAN/EAN-13, UPC-A or ISBN-13, valid check digits, no code twice in the file).

By default about 1 row in 200 carries a deliberate error (a wrong check
digit, a decimal price, a local image path, a repeated SKU...), as a seller's
real file does; --all-valid writes a file that imports cleanly (what
bench/import.sh uses). Deterministic for a given --seed.

usage: gen-catalog.py [--rows N] [--all-valid] [--seed S] [--out FILE]
"""
import argparse
import csv
import io
import random
import sys

COLUMNS = (["Parent SKU", "SKU", "Title", "Description", "Tags", "Brand", "UPC",
            "Landing Page URL", "MSRP", "Color", "Size", "Source URL", "Price",
            "Shipping", "Quantity", "Min Delivery Days", "Max Delivery Days",
            "Main Image URL"] + ["Extra Image URL %d" % i for i in range(1, 11)])

NOUNS_EN = ["tumbler", "tote bag", "phone case", "desk lamp", "rain jacket", "sneakers",
            "water bottle", "notebook", "hair clip", "wall clock", "bento box", "scarf"]
ADJ_EN = ["lightweight", "stainless", "waterproof", "vintage", "minimal", "foldable",
          "handmade", "organic cotton", "anti-slip", "thermal"]
TITLE_JA = ["保温 タンブラー 500ml 真空断熱", "帆布 トートバッグ 大容量 A4対応",
            "スマホケース 手帳型 カード収納", "LED デスクライト 調光 目に優しい",
            "レインジャケット 防水 軽量 男女兼用", "スニーカー 厚底 歩きやすい",
            "お弁当箱 2段 電子レンジ対応", "マフラー カシミヤタッチ 秋冬"]
TITLE_ZH = ["真空保温杯 不锈钢 大容量", "帆布托特包 通勤 简约", "手机壳 防摔 全包",
            "护眼台灯 三档调光 学生", "轻薄防水冲锋衣 户外", "厚底运动鞋 透气"]
DESC_ONE = [
    "Lightweight, durable and easy to clean; ships in 2-3 days.",
    "保温・保冷どちらもOK、通勤やアウトドアに便利です。",
    "轻便耐用，易清洗，2-3天内发货。",
    'Our best seller, "as seen on TV", now in more colours.',
    "素材：ポリエステル100%、撥水加工。",
]
DESC_JA = [
    "サイズ：約 20cm × 7cm（手測りのため多少の誤差があります）",
    "注意：モニターの発色により、実物と色味が異なる場合がございます。",
    "ご注文から3営業日以内に発送いたします。",
]
DESC_ZH = [
    "材质：优质帆布，耐磨耐用，可机洗。",
    "包装清单：主体 ×1，说明书 ×1，收纳袋 ×1",
    "温馨提示：因显示器不同，颜色可能略有差异。",
]
DESC_LINES = [
    "Material: 304 stainless steel, BPA-free lid.",
    "素材：ポリエステル100%、撥水加工。",
    "サイズ：約 20cm × 7cm（手測りのため多少の誤差があります）",
    "注意：モニターの発色により、実物と色味が異なる場合がございます。",
    "材质：优质帆布，耐磨耐用，可机洗。",
    "包装清单：主体 ×1，说明书 ×1，收纳袋 ×1",
    'Keeps drinks hot for 12 hours, cold for 24 — "the last bottle you\'ll buy".',
    "<p>Gift-ready box, ships from Osaka, Japan.</p>",
    "Care: hand wash, do not tumble dry, iron on low.",
]
TAGS = ["gift", "present", "travel", "office", "outdoor", "kitchen", "ギフト", "プレゼント",
        "母の日", "父の日", "送料無料", "礼物", "新品", "人気", "2026新作", "unisex"]
BRANDS = ["", "", "Sakura Living", "ACME", "無印風", "KOKUYO-ish", "山田製作所", "Zen&Co"]
COLORS = ["Black", "White", "Navy", "Beige", "ピンク", "グレー", "红色", "Olive"]
SIZES = ["S", "M", "L", "XL", "350ml", "500ml", "Free"]


def gs1(digits):
    """The GS1 mod-10 check digit of digits (without it)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return str((10 - total % 10) % 10)


def code(rng, valid, n):
    """A code for the n-th UPC of the file: the body is n scrambled by a bijection of
    its digit range, so that no code repeats while they still look random."""
    kind = rng.random()
    if kind < 0.5:
        body = "45%010d" % ((n * 7919 + 12345) % 10**10)        # JAN-13
    elif kind < 0.75:
        body = "0%010d" % ((n * 104729 + 54321) % 10**10)       # UPC-A
    else:
        body = "978%09d" % ((n * 1299709 + 777) % 10**9)        # ISBN-13
    check = gs1(body)
    if not valid:
        check = str((int(check) + 1 + rng.randrange(8)) % 10)
    return body + check


def title(rng, n):
    r = rng.random()
    if r < 0.4:
        t = "%s %s %s" % (rng.choice(ADJ_EN).title(), rng.choice(NOUNS_EN), n)
    elif r < 0.8:
        t = "%s No.%d" % (rng.choice(TITLE_JA), n)
    else:
        t = "%s %d号" % (rng.choice(TITLE_ZH), n)
    return t


def description(rng):
    if rng.random() >= 0.1:
        return rng.choice(DESC_ONE)
    # Multi-line: one Japanese and one Chinese line at least.
    lines = [rng.choice(DESC_JA), rng.choice(DESC_ZH)] + rng.sample(DESC_LINES, rng.randint(0, 3))
    rng.shuffle(lines)
    if rng.random() < 0.3:
        lines.insert(1, "Sizes, colours, and \"limited\" editions vary, see chart.")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--all-valid", action="store_true", help="no deliberate errors")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="-")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    out = sys.stdout if a.out == "-" else open(a.out, "w", encoding="utf-8", newline="")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(COLUMNS)
    written = 0
    product = 0
    last_sku = None
    ncodes = 0
    while written < a.rows:
        product += 1
        parent = "QS%07d" % product
        nv = rng.randint(1, 8)
        colors = rng.sample(COLORS, rng.randint((nv + len(SIZES) - 1) // len(SIZES), min(nv, 4)))
        sizes = rng.sample(SIZES, (nv + len(colors) - 1) // len(colors))
        variants = [(c, s) for c in colors for s in sizes][: min(nv, a.rows - written)]
        single = len(variants) == 1 and rng.random() < 0.5
        t = title(rng, product)
        d = description(rng)
        tags = ",".join(rng.sample(TAGS, rng.randint(1, 6)))
        brand = rng.choice(BRANDS)
        base = rng.randrange(500, 30000, 10)
        sources = "\n".join("https://detail.1688.com/offer/%d.html" % rng.randrange(10**11, 10**12)
                            for _ in range(rng.randint(1, 3)))
        img = "https://img.example.jp/%s/main.jpg" % parent
        landing = "https://shop.example.jp/p/%s" % parent if rng.random() < 0.3 else ""
        msrp = str(base * 2) if rng.random() < 0.5 else ""
        for k, (color, size) in enumerate(variants):
            sku = parent if single else "%s-%s-%s" % (parent, k + 1, size)
            upc = ""
            if rng.random() < 0.5:
                ncodes += 1
                upc = code(rng, True, ncodes)
            price = str(base + rng.randrange(0, base // 2 + 1, 10) if k else base)
            row = {
                "Parent SKU": parent, "SKU": sku, "Title": t, "Description": d,
                "Tags": tags, "Brand": brand, "UPC": upc,
                "Landing Page URL": landing, "MSRP": msrp,
                "Color": "" if single else color, "Size": "" if single else size,
                "Source URL": sources, "Price": price, "Shipping": rng.choice(["0", "0", "500", "800"]),
                "Quantity": str(rng.randrange(0, 500)),
                "Min Delivery Days": "3", "Max Delivery Days": str(rng.choice([5, 7, 14])),
                "Main Image URL": img,
            }
            extras = rng.randint(0, 4)
            for i in range(1, 11):
                row["Extra Image URL %d" % i] = (
                    "https://img.example.jp/%s/%d.jpg" % (parent, i) if i <= extras else "")
            if not a.all_valid and rng.random() < 0.005:
                bad = rng.randrange(6)
                if bad == 0:
                    ncodes += 1
                    row["UPC"] = code(rng, False, ncodes)
                elif bad == 1:
                    row["Price"] = price + ".50"
                elif bad == 2:
                    row["Main Image URL"] = "C:\\Users\\seller\\Pictures\\%s.jpg" % sku
                elif bad == 3 and last_sku:
                    row["SKU"] = last_sku
                elif bad == 4:
                    row["Title"] = ""
                else:
                    row["Quantity"] = "-3"
            last_sku = row["SKU"]
            w.writerow([row[c] for c in COLUMNS])
            written += 1
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
