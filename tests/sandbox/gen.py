"""Seeding: turn seed records into complete state records, and generate
realistic Japanese order lines, inquiries and fans from a random seed.

Everything generated is deterministic for a given seed and a freshly reset
sandbox (numbers come from the sandbox's sequences).  Names, addresses,
e-mails (example.jp) and phone numbers are fictitious.

No impossible data (issue 9 item 7): nothing is dated after the sandbox's
now, and events keep the marketplace's order: OrderDate <= PaymentDate <=
ShippingDate <= DeliveredDate <= now, and a claim's OrderDate <= requestDate
<= cancelRefundDate <= now.  Promises (EstimatedShippingDate,
AvailableShippingDate, DesiredDeliveryDate) may lie ahead.
"""

import random
from datetime import timedelta

from state import (CANCELLING_CLAIMS, INQUIRY_FIELDS, ORDER_FIELDS,
                   ORDER_INT_FIELDS, STATUS_LABELS, fmt_dt, parse_dt)


class SeedError(ValueError):
    pass


# (kanji, kana, romaji)
SURNAMES = [
    ("佐藤", "サトウ", "sato"), ("鈴木", "スズキ", "suzuki"),
    ("高橋", "タカハシ", "takahashi"), ("田中", "タナカ", "tanaka"),
    ("伊藤", "イトウ", "ito"), ("渡辺", "ワタナベ", "watanabe"),
    ("山本", "ヤマモト", "yamamoto"), ("中村", "ナカムラ", "nakamura"),
    ("小林", "コバヤシ", "kobayashi"), ("加藤", "カトウ", "kato"),
    ("吉田", "ヨシダ", "yoshida"), ("山田", "ヤマダ", "yamada"),
    ("佐々木", "ササキ", "sasaki"), ("山口", "ヤマグチ", "yamaguchi"),
    ("松本", "マツモト", "matsumoto"), ("井上", "イノウエ", "inoue"),
    ("木村", "キムラ", "kimura"), ("林", "ハヤシ", "hayashi"),
    ("斎藤", "サイトウ", "saito"), ("清水", "シミズ", "shimizu"),
]
GIVEN = [
    ("翔太", "ショウタ", "shota"), ("蓮", "レン", "ren"),
    ("大翔", "ヒロト", "hiroto"), ("陽菜", "ヒナ", "hina"),
    ("結衣", "ユイ", "yui"), ("美咲", "ミサキ", "misaki"),
    ("健太", "ケンタ", "kenta"), ("直樹", "ナオキ", "naoki"),
    ("由美", "ユミ", "yumi"), ("恵子", "ケイコ", "keiko"),
    ("花子", "ハナコ", "hanako"), ("太郎", "タロウ", "taro"),
    ("愛", "アイ", "ai"), ("拓海", "タクミ", "takumi"),
    ("さくら", "サクラ", "sakura"), ("優子", "ユウコ", "yuko"),
]
# (prefecture, city, town, zip prefix, landline area code)
PLACES = [
    ("東京都", "新宿区", "西新宿", "160", "3"),
    ("東京都", "世田谷区", "三軒茶屋", "154", "3"),
    ("大阪府", "大阪市北区", "梅田", "530", "6"),
    ("神奈川県", "横浜市西区", "みなとみらい", "220", "45"),
    ("愛知県", "名古屋市中区", "栄", "460", "52"),
    ("北海道", "札幌市中央区", "大通西", "060", "11"),
    ("福岡県", "福岡市博多区", "博多駅前", "812", "92"),
    ("京都府", "京都市下京区", "四条通", "600", "75"),
    ("兵庫県", "神戸市中央区", "三宮町", "650", "78"),
    ("宮城県", "仙台市青葉区", "一番町", "980", "22"),
    ("広島県", "広島市中区", "紙屋町", "730", "82"),
    ("沖縄県", "那覇市", "久茂地", "900", "98"),
    ("埼玉県", "さいたま市大宮区", "桜木町", "330", "48"),
    ("千葉県", "千葉市中央区", "富士見", "260", "43"),
]
BUILDINGS = ["", "", "", "サンハイツ", "メゾン青葉", "グランドパレス", "コーポ桜",
             "レジデンス南", "ハイツ富士"]
# (title, price, option axes) — option axes: list of (name, [values])
CATALOG = [
    ("【送料無料】レディース ニット セーター 秋冬 ゆったり", 3980,
     [("カラー", ["ブラック", "アイボリー", "ネイビー"]), ("サイズ", ["M", "L"])]),
    ("ステンレス 真空断熱 タンブラー 450ml 保温保冷", 1980,
     [("カラー", ["シルバー", "ホワイト", "ピンク"])]),
    ("国産 緑茶 ティーバッグ 100包 静岡県産", 1280, []),
    ("スマホケース iPhone 15 手帳型 カード収納", 1490,
     [("カラー", ["ブラウン", "ブラック"])]),
    ("ワイヤレスイヤホン Bluetooth 5.3 ノイズキャンセリング", 2980,
     [("カラー", ["ブラック", "ホワイト"])]),
    ("韓国コスメ シートマスク 30枚入 保湿", 1650, []),
    ("メンズ スニーカー 軽量 通気性 ウォーキング", 4980,
     [("サイズ", ["25.5cm", "26.0cm", "26.5cm", "27.0cm"])]),
    ("折りたたみ傘 晴雨兼用 UVカット 自動開閉", 1780,
     [("カラー", ["ネイビー", "ベージュ", "ブラック"])]),
    ("無添加 ドッグフード 2kg 国産チキン", 2580, []),
    ("LEDデスクライト 調光 USB充電 目に優しい", 3280, []),
]
PAYMENT_PAID = ["クレジットカード", "クレジットカード", "クレジットカード", "PayPay",
                "Qoo10ポイント", "キャリア決済", "楽天ペイ"]
PAYMENT_UNPAID = ["コンビニ決済", "銀行振込", "ペイジー"]
CARRIERS = ["ヤマト宅急便", "佐川急便", "ゆうパック", "ネコポス", "ゆうパケット"]
MESSAGES = ["", "", "", "置き配希望", "不在時は宅配ボックスへ", "午前中希望",
            "ギフト包装をお願いします"]
INQ_TITLES = [
    ("ITEM", "商品について", "C01", "サイズ感について", "普段Mサイズですが、どちらがおすすめですか？"),
    ("MSG", "配送について", "C02", "発送予定日", "いつ頃発送されますか？"),
    ("HELP", "キャンセル/払い戻し", "C03", "キャンセルしたい", "注文をキャンセルできますか？"),
    ("MSG", "配送について", "C02", "お届け先変更", "住所を変更したいのですが可能でしょうか。"),
    ("ITEM", "商品について", "C01", "在庫について", "ブラックの再入荷予定はありますか？"),
]

DEFAULT_STATUS_WEIGHTS = {1: 0.05, 2: 0.25, 3: 0.2, 4: 0.25, 5: 0.25}


def _int(v, name, default=None):
    if v is None or v == "":
        if default is None:
            raise SeedError("%s is required" % name)
        return default
    try:
        return int(v)
    except (TypeError, ValueError):
        raise SeedError("%s must be an integer, got %r" % (name, v))


# The dated events of an order line, in the order they happen.
EVENT_FIELDS = ("OrderDate", "PaymentDate", "ShippingDate", "DeliveredDate")


def check_events(o, now):
    """-> an error text if the line's events are out of order or after now."""
    last, last_f = "", None
    for f in EVENT_FIELDS:
        v = o.get(f, "")
        if not v:
            continue
        if v > now:
            return "%s %s lies after the sandbox's now (%s)" % (f, v, now)
        if v < last:
            return "%s %s lies before %s %s" % (f, v, last_f, last)
        last, last_f = v, f
    return None


def last_event(o):
    """The latest dated event of an order line ("yyyy-MM-dd HH:mm:ss")."""
    return max(o.get(f, "") or "" for f in EVENT_FIELDS)


def fit_events(events, now, slack=0):
    """Squeeze a chain of rising datetimes (the first <= now) so the last is
    <= now - slack seconds (at most half the time left), keeping their
    order and proportions; None entries stay None.  A slack that varies per
    chain keeps the squeezed chains from all ending in the same second (at a
    large size, hundreds of lines delivered at `now` made one window no cap
    can hold)."""
    real = [e for e in events if e is not None]
    t0, last = real[0], real[-1]
    if last <= now:
        return events
    avail = (now - t0).total_seconds()
    avail -= min(slack, avail // 2)
    total = (last - t0).total_seconds()
    return [None if e is None else
            t0 + timedelta(seconds=int((e - t0).total_seconds() * avail // total))
            for e in events]


def _date_field(v, name):
    if v in (None, ""):
        return ""
    d = parse_dt(v)
    if d is None:
        raise SeedError('%s must be "yyyy-MM-dd HH:mm:ss", got %r' % (name, v))
    return fmt_dt(d)


# ------------------------------------------------------------- explicit seed
def make_order(sb, d, user_id):
    """A complete order line from a seed dict using GetShippingInfo_v3 field
    names, plus optional "status" (1-5; default 2) and "seller" (user id)."""
    if not isinstance(d, dict):
        raise SeedError("each order must be an object")
    seller_uid = d.get("seller", user_id)
    seller = sb.sellers.get(seller_uid)
    if seller is None:
        raise SeedError("unknown seller %r" % seller_uid)
    status = d.get("status")
    if status is None and d.get("ShippingStatus") not in (None, ""):
        st = str(d["ShippingStatus"])
        status = int(st[st.index("(") + 1]) if "(" in st else int(st)
    status = _int(status, "status", 2)
    if status not in STATUS_LABELS:
        raise SeedError("status must be 1-5, got %r" % status)
    o = {f: "" for f in ORDER_FIELDS}
    for f in ORDER_INT_FIELDS:
        o[f] = 0
    o.update({k: v for k, v in d.items() if k in o})
    o["OrderNo"] = _int(d.get("OrderNo"), "OrderNo", sb.next_seq("order"))
    if o["OrderNo"] in sb.orders:
        raise SeedError("OrderNo %d exists already" % o["OrderNo"])
    if o["OrderNo"] > sb.seq["order"]:
        sb.seq["order"] = o["OrderNo"]
    o["PackNo"] = _int(d.get("PackNo"), "PackNo", sb.next_seq("pack"))
    if o["PackNo"] > sb.seq["pack"]:
        sb.seq["pack"] = o["PackNo"]
    for f in ORDER_INT_FIELDS - {"OrderNo", "PackNo"}:
        o[f] = _int(o[f], f, 0)
    if not o["OrderQty"]:
        o["OrderQty"] = 1
    if "Total" not in d:
        o["Total"] = o["OrderPrice"] * o["OrderQty"] - o["Discount"]
    for f in ("OrderDate", "PaymentDate", "EstimatedShippingDate", "ShippingDate",
              "DeliveredDate", "DesiredDeliveryDate", "AvailableShippingDate"):
        o[f] = _date_field(o[f], f)
    if not o["OrderDate"]:
        o["OrderDate"] = sb.now_str()
    if status >= 2 and not o["PaymentDate"]:
        o["PaymentDate"] = o["OrderDate"]
    if status >= 4 and not o["ShippingDate"]:
        o["ShippingDate"] = sb.now_str()
    if status >= 5 and not o["DeliveredDate"]:
        o["DeliveredDate"] = sb.now_str()
    err = check_events(o, sb.now_str())
    if err:
        raise SeedError("order %d: %s" % (o["OrderNo"], err))
    o["SellerID"] = o["SellerID"] or seller["seller_id"]
    o["Currency"] = o["Currency"] or "JPY"
    o["ItemNo"] = str(o["ItemNo"])
    o["_seller"] = seller_uid
    o["_cancelled"] = False
    sb.set_status(o, status)
    return o


def make_claim(sb, d):
    """A claim from a seed dict with GetClaimInfo_V3 names; needs orderNo
    (an existing order line) and claimStatus (1-6, 11-16)."""
    if not isinstance(d, dict):
        raise SeedError("each claim must be an object")
    no = _int(d.get("orderNo", d.get("OrderNo")), "orderNo")
    if no not in sb.orders:
        raise SeedError("claim for unknown order %d" % no)
    st = _int(d.get("claimStatus", d.get("ClaimStat")), "claimStatus")
    if st not in (1, 2, 3, 4, 5, 6, 11, 12, 13, 14, 15, 16):
        raise SeedError("claimStatus %d is not a claim status" % st)
    c = {k: v for k, v in d.items() if k not in ("OrderNo", "ClaimStat")}
    c["orderNo"] = no
    c["claimStatus"] = st
    c.setdefault("reason", "")
    c["requestDate"] = _date_field(c.get("requestDate"), "requestDate") or sb.now_str()
    c["cancelRefundDate"] = _date_field(c.get("cancelRefundDate"), "cancelRefundDate")
    if st in CANCELLING_CLAIMS and not c["cancelRefundDate"]:
        c["cancelRefundDate"] = c["requestDate"]
    # Item 7: the order <= the request <= its completion <= now.
    now, odate = sb.now_str(), sb.orders[no]["OrderDate"]
    if c["requestDate"] < odate:
        raise SeedError("claim of %d: requestDate %s lies before the order (%s)"
                        % (no, c["requestDate"], odate))
    if c["cancelRefundDate"] and c["cancelRefundDate"] < c["requestDate"]:
        raise SeedError("claim of %d: cancelRefundDate lies before requestDate" % no)
    if max(c["requestDate"], c["cancelRefundDate"]) > now:
        raise SeedError("claim of %d: dated after the sandbox's now (%s)" % (no, now))
    c["_seller"] = sb.orders[no]["_seller"]
    return c


def make_inquiry(sb, d, user_id):
    """An inquiry from a seed dict with GetInquiryMessage names."""
    if not isinstance(d, dict):
        raise SeedError("each inquiry must be an object")
    q = {f: "" for f in INQUIRY_FIELDS}
    q.update({k: v for k, v in d.items() if k in q})
    q["QUESTION_NO"] = _int(d.get("QUESTION_NO"), "QUESTION_NO", sb.next_seq("question"))
    if q["QUESTION_NO"] in sb.inquiries:
        raise SeedError("QUESTION_NO %d exists already" % q["QUESTION_NO"])
    q["SEQ_NO"] = _int(d.get("SEQ_NO"), "SEQ_NO", sb.next_seq("inq_seq"))
    q["INQ_TYPE"] = q["INQ_TYPE"] or "MSG"
    if q["INQ_TYPE"] not in ("MSG", "HELP", "ITEM"):
        raise SeedError("INQ_TYPE must be MSG, HELP or ITEM")
    q["STATUS"] = q["STATUS"] or "S1"
    if q["STATUS"] not in ("S1", "S2", "S3"):
        raise SeedError("STATUS must be S1, S2 or S3")
    q["INQ_DT"] = _date_field(q["INQ_DT"], "INQ_DT") or sb.now_str()
    q["CLAIM_YN"] = q["CLAIM_YN"] or "N"
    q["_seller"] = d.get("seller", user_id)
    q["_replies"] = []
    return q


# ---------------------------------------------------------------- generators
def _weights(spec):
    if spec is None:
        spec = DEFAULT_STATUS_WEIGHTS
    if isinstance(spec, list):
        spec = {s: 1 for s in spec}
    if not isinstance(spec, dict) or not spec:
        raise SeedError("statuses must be a list of codes or {code: weight}")
    out = {}
    for k, w in spec.items():
        k = _int(k, "status")
        if k not in STATUS_LABELS:
            raise SeedError("status %d is not 1-5" % k)
        if not isinstance(w, (int, float)) or w < 0:
            raise SeedError("status weights must be non-negative numbers")
        out[k] = float(w)
    if sum(out.values()) <= 0:
        raise SeedError("status weights sum to 0")
    return out


def _person(r):
    s = r.choice(SURNAMES)
    g = r.choice(GIVEN)
    return s[0] + " " + g[0], s[1] + " " + g[1], g[2] + "." + s[2]


def _phone_mobile(r):
    return "+81-%d0-%04d-%04d" % (r.choice((7, 8, 9)), r.randrange(10000), r.randrange(10000))


def _place(r):
    pref, city, town, zp, area = r.choice(PLACES)
    zipc = "%s-%04d" % (zp, r.randrange(10000))
    a1 = pref + city + town
    a2 = "%d-%d-%d" % (r.randint(1, 5), r.randint(1, 30), r.randint(1, 20))
    b = r.choice(BUILDINGS)
    if b:
        a2 += " %s%d号室" % (b, r.randint(1, 9) * 100 + r.randint(1, 12))
    tel = "+81-%s-%04d-%04d" % (area, r.randrange(10000), r.randrange(10000))
    return zipc, a1, a2, tel


def _catalog(prefix):
    """Expand CATALOG into sellable variants (item, option text, code, price)."""
    out = []
    for i, (title, price, axes) in enumerate(CATALOG):
        item_no = "10%08d" % (4200 + i)
        base = "%s%03d" % (prefix, i + 1)
        combos = [([], [])]
        for name, values in axes:
            combos = [(n + [name], v + [val]) for n, v in combos for val in values]
        for k, (names, values) in enumerate(combos):
            opt = ",".join("%s:%s" % nv for nv in zip(names, values))
            code = "%s-%02d" % (base, k + 1) if names else ""
            extra = 300 if values and values[-1] in ("L", "27.0cm") else 0
            out.append((item_no, base, title, opt, code, price + extra))
    return out


def generate_orders(sb, spec, user_id):
    """{"generate_orders": N, "seed": S, "start": "yyyy-mm-dd", "days": D,
    "statuses": {code: weight} | [codes], "seller": uid, "sku_prefix": "GEN-",
    "claim_rate": 0.0} -> list of new order line dicts (not yet stored).

    Carts of 1-4 lines share a PackNo, buyer, dates and status; order times
    are spread uniformly over [start, start + days) and OrderNos rise with
    the order time."""
    n = _int(spec.get("generate_orders"), "generate_orders")
    if n < 0 or n > 1000000:
        raise SeedError("generate_orders must be 0..1000000")
    r = random.Random(spec.get("seed", 1))
    days = _int(spec.get("days"), "days", 30)
    if days < 1:
        raise SeedError("days must be at least 1")
    start = spec.get("start")
    now = sb.now()
    if start:
        t0 = parse_dt(start)
        if t0 is None:
            raise SeedError('start must be "yyyy-mm-dd[ HH:MM:SS]"')
        if t0 > now:
            raise SeedError("start %s lies after the sandbox's now (%s)" % (start, fmt_dt(now)))
    else:
        t0 = (now - timedelta(days=days)).replace(hour=0, minute=0, second=0)
    weights = _weights(spec.get("statuses"))
    codes = list(weights)
    wts = [weights[c] for c in codes]
    seller_uid = spec.get("seller", user_id)
    seller = sb.sellers.get(seller_uid)
    if seller is None:
        raise SeedError("unknown seller %r" % seller_uid)
    variants = _catalog(spec.get("sku_prefix", "GEN-"))
    # Orders fall in [t0, t0 + days), but never after now.
    span = min(days * 86400, int((now - t0).total_seconds()) + 1)

    # Carts first (sizes 1-4), then their times sorted so numbers rise.
    carts = []
    left = n
    while left > 0:
        size = min(left, r.choices((1, 2, 3, 4), (60, 25, 10, 5))[0])
        carts.append(size)
        left -= size
    times = sorted(r.randrange(span) for _ in carts)

    lines = []
    for size, off in zip(carts, times):
        odate = t0 + timedelta(seconds=off)
        status = r.choices(codes, wts)[0]
        buyer, buyer_kana, email_local = _person(r)
        zipc, a1, a2, tel = _place(r)
        mobile = _phone_mobile(r)
        if r.random() < 0.9:
            receiver, receiver_kana = buyer, buyer_kana
        else:
            receiver, receiver_kana, _ = _person(r)
        unpaid_method = status == 1 or r.random() < 0.1
        pay_method = r.choice(PAYMENT_UNPAID if unpaid_method else PAYMENT_PAID)
        pdate = None
        if status >= 2:
            pdate = odate + timedelta(seconds=r.randrange(60, 3600 if not unpaid_method else 2 * 86400))
        est = pdate + timedelta(days=r.randint(1, 3)) if status >= 2 else None
        sdate = pdate + timedelta(days=r.randint(1, 3), seconds=r.randrange(36000)) if status >= 4 else None
        ddate = sdate + timedelta(days=r.randint(1, 3), seconds=r.randrange(36000)) if status >= 5 else None
        # Item 7: what has happened must have happened by now.
        # (the slack comes from the order's own offset: no draw, the same stream)
        odate, pdate, sdate, ddate = fit_events([odate, pdate, sdate, ddate], now, off % 21600)
        carrier = r.choice(CARRIERS) if status >= 4 else ""
        pack = sb.next_seq("pack")
        ship_rate = r.choice((0, 0, 600))
        msg = r.choice(MESSAGES)
        for k in range(size):
            item_no, sc, title, opt, ocode, price = r.choice(variants)
            qty = r.choices((1, 2, 3), (80, 15, 5))[0]
            disc = r.choice((0, 0, 0, 100, 200))
            total = price * qty - disc
            o = {f: "" for f in ORDER_FIELDS}
            o.update({
                "SellerID": seller["seller_id"], "PackNo": pack,
                "OrderDate": fmt_dt(odate), "PaymentDate": fmt_dt(pdate),
                "EstimatedShippingDate": fmt_dt(est.replace(hour=0, minute=0, second=0)) if status >= 3 else "",
                "ShippingDate": fmt_dt(sdate), "DeliveredDate": fmt_dt(ddate),
                "Buyer": buyer, "BuyerKana": buyer_kana,
                "BuyerTel": tel if r.random() < 0.7 else "+81--",
                "BuyerMobile": mobile,
                "BuyerEmail": "%s%d@example.jp" % (email_local, r.randrange(100)),
                "OrderNo": 0, "ItemNo": item_no, "SellerItemCode": sc,
                "ItemTitle": title, "Option": opt, "OptionCode": ocode,
                "OrderPrice": price, "OrderQty": qty, "Discount": disc,
                "Total": total, "Receiver": receiver,
                "ReceiverKana": receiver_kana, "ZipCode": zipc,
                "ShippingAddress": a1 + " " + a2, "Address1": a1, "Address2": a2,
                "ReceiverTel": tel, "ReceiverMobile": mobile,
                "SenderNation": "", "ShippingWay": "宅配便",
                "ShippingMessage": msg, "PaymentMethod": pay_method,
                "SellerDiscount": disc, "Currency": "JPY",
                "ShippingRate": ship_rate if k == 0 else 0,
                "ShippingRateType": "Charge" if ship_rate else "Free",
                "DeliveryCompany": carrier, "Gift": "N",
                "CartDiscountSeller": 0, "CartDiscountQoo10": 0,
                "SettlePrice": total - total * sb.config["settle_fee_pct"] // 100,
                "TrackingNo": "%012d" % r.randrange(10 ** 12) if status >= 4 else "",
                "AvailableSendType": "0",
                "AvailableShippingDate": fmt_dt(pdate + timedelta(days=3)) if pdate else "",
            })
            if status >= 4:
                o["PackingNo"] = "JPP%010d" % sb.next_seq("packing")
                o["SellerDeliveryNo"] = str(sb.seq["packing"])
            o["_seller"] = seller_uid
            o["_cancelled"] = False
            o["_status"] = status
            o["ShippingStatus"] = STATUS_LABELS[status]
            lines.append(o)
    for o in lines:
        o["OrderNo"] = sb.next_seq("order")
    return lines


def generate_claims(sb, orders, rate, r):
    """Claims for a fraction of generated lines, consistent with their state:
    cancels (requested/completed) for statuses 1-3, returns/exchanges for 5."""
    out = []
    for o in orders:
        if r.random() >= rate:
            continue
        st = o["_status"]
        if st <= 3:
            cs = r.choice((1, 3, 3)) if st >= 2 else 16
            reason = r.choice(("注文間違い", "不要になった", "配送が遅い"))
        elif st == 5:
            cs = r.choice((4, 5, 6, 11))
            reason = r.choice(("サイズが合わない", "イメージと違う", "不良品"))
        else:
            continue
        # Requested after the line's latest event (a return after delivery),
        # never after now.
        base = parse_dt(last_event(o))
        req = min(base + timedelta(hours=r.randint(1, 72)), max(base, sb.now()))
        out.append(make_claim(sb, {"orderNo": o["OrderNo"], "claimStatus": cs,
                                   "reason": reason, "requestDate": fmt_dt(req)}))
    return out


def generate_inquiries(sb, n, r, user_id, orders):
    out = []
    base = sb.now() - timedelta(days=10)
    for _ in range(n):
        inq_type, cate_nm, cate_cd, title, body = r.choice(INQ_TITLES)
        o = r.choice(orders) if orders else None
        d = {
            "INQ_TYPE": inq_type, "CATE_NM": cate_nm, "CATE_CD": cate_cd,
            "TITLE": title, "CONTENTS": body,
            "INQ_DT": fmt_dt(base + timedelta(seconds=r.randrange(10 * 86400))),
            "CUST_NM": o["Buyer"] if o else _person(r)[0],
            "GD_NO": o["ItemNo"] if o else "", "GD_NM": o["ItemTitle"] if o else "",
            "CONTR_NO": str(o["OrderNo"]) if o and inq_type != "ITEM" else "",
            "CLAIM_YN": "Y" if inq_type == "HELP" else "N",
            "STATUS": r.choice(("S1", "S1", "S2", "S3")),
        }
        out.append(make_inquiry(sb, d, user_id))
    return out


def generate_fans(sb, n, r):
    out = []
    base = sb.now() - timedelta(days=365)
    for i in range(n):
        name, kana, local = _person(r)
        out.append({
            "fan_id": "F%07d" % (len(sb.fans) + len(out) + 1),
            "name": name, "kana": kana,
            "email": "%s%d@example.jp" % (local, i),
            "email_verified": r.random() < 0.9,
            "opted_out": r.random() < 0.05,
            "followed_at": fmt_dt(base + timedelta(seconds=r.randrange(365 * 86400))),
        })
    return out


def seed(sb, body, default_user):
    """POST /_control/seed.  Validates everything before storing anything."""
    if not isinstance(body, dict):
        raise SeedError("seed body must be a JSON object")
    uid = body.get("seller", default_user)
    orders = [make_order(sb, d, uid) for d in body.get("orders", [])]
    # Orders must exist before claims refer to them: stage them first.
    staged = []
    try:
        for o in orders:
            if o["OrderNo"] in sb.orders:
                raise SeedError("OrderNo %d appears twice" % o["OrderNo"])
            sb.add_order(o)
            staged.append(o)
        gen = []
        if "generate_orders" in body:
            gen = generate_orders(sb, body, uid)
            for o in gen:
                sb.add_order(o)
                staged.append(o)
        r = random.Random((body.get("seed", 1), "extras").__repr__())
        claims = [make_claim(sb, d) for d in body.get("claims", [])]
        if body.get("claim_rate"):
            claims += generate_claims(sb, gen, float(body["claim_rate"]), r)
        inquiries = [make_inquiry(sb, d, uid) for d in body.get("inquiries", [])]
        if body.get("generate_inquiries"):
            inquiries += generate_inquiries(sb, _int(body["generate_inquiries"], "generate_inquiries"),
                                            r, uid, gen or orders)
        fans = list(body.get("fans", []))
        if not all(isinstance(f, dict) for f in fans):
            raise SeedError("each fan must be an object")
        if body.get("generate_fans"):
            fans += generate_fans(sb, _int(body["generate_fans"], "generate_fans"), r)
        items = [make_item(sb, d, uid) for d in body.get("items", [])]
    except Exception:
        for o in staged:  # roll back the orders staged above
            sb.remove_order(o["OrderNo"])
        raise
    for c in claims:
        sb.apply_claim(c)
    for q in inquiries:
        sb.inquiries[q["QUESTION_NO"]] = q
    sb.fans.extend(fans)
    for it in items:
        sb.add_item(it)
    new = [o["OrderNo"] for o in staged]
    return {"ok": True, "orders": len(new),
            "packs": len({o["PackNo"] for o in staged}),
            "order_nos": new, "claims": len(claims),
            "inquiries": len(inquiries), "question_nos": [q["QUESTION_NO"] for q in inquiries],
            "fans": len(fans), "items": len(items),
            "item_codes": [it["ItemCode"] for it in items]}


def make_item(sb, d, user_id):
    """An item from a seed dict with SetNewGoods names (all optional except
    ItemTitle and ItemPrice); "ItemStatus" (default S2) and "options" as a
    SetNewGoods ItemType string may be given."""
    from qapi_methods import parse_item_type, new_item_record  # no cycle at import
    if not isinstance(d, dict):
        raise SeedError("each item must be an object")
    uid = d.get("seller", user_id)
    if uid not in sb.sellers:
        raise SeedError("unknown seller %r" % uid)
    p = {k.lower(): str(v) for k, v in d.items()}
    price = _int(p.get("itemprice"), "ItemPrice")
    sc = p.get("sellercode", "")
    if sc and (uid, sc) in sb.items_by_sc:
        raise SeedError("SellerCode %r exists already" % sc)
    inv, err = parse_item_type(p.get("itemtype", ""), price)
    if err:
        raise SeedError("ItemType: " + err[1])
    it = new_item_record(sb, uid, p, inv, [])
    it["ItemStatus"] = d.get("ItemStatus", "S2")
    if d.get("ItemCode"):
        it["ItemCode"] = str(d["ItemCode"])
        if it["ItemCode"] in sb.items:
            raise SeedError("ItemCode %s exists already" % it["ItemCode"])
    return it
