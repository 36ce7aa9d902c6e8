"""In-memory state of the sandbox marketplace.

One `Sandbox` object holds everything the fake Qoo10 knows: sellers and their
keys, items, order lines, claims, inquiries, fans, hook deliveries, the
counters tests read, the fault configuration and the clock.  Every access goes
through `Sandbox.lock` (one re-entrant lock: requests are short, so one lock
is simpler and fast enough for thousands of requests per second).

Dates are kept as naive Japan-time strings "yyyy-MM-dd HH:mm:ss" (the format
QAPI answers with, reference 1.5); such strings sort like the times they name,
so window searches compare strings and never parse per row.
"""

import bisect
import random
import threading
import time
from datetime import datetime, timedelta, timezone

from faults import Faults

DATE_FMT = "%Y-%m-%d %H:%M:%S"
JST = timezone(timedelta(hours=9))

# Order shipping status codes and their response labels (reference section 4).
STATUS_LABELS = {
    1: "Awaiting shipping(1)",
    2: "On request(2)",
    3: "Seller confirm(3)",
    4: "On delivery(4)",
    5: "Delivered(5)",
}

# Claim statuses (reference section 4): English labels with the code in
# parentheses (the form ShippingStatus labels take; claim_status_form "label")
# and Japanese labels without the code (claim_status_form "ja": unparseable on
# purpose).  The real form is unknown (qapi-fidelity D3).
CLAIM_LABELS = {
    1: "Cancel requested(1)", 2: "Cancelling(2)", 3: "Cancel completed(3)",
    4: "Return requested(4)", 5: "Returning(5)", 6: "Return completed(6)",
    11: "Exchange requested(11)", 12: "Exchange approved(12)",
    13: "Re-shipping(13)", 14: "Non-receipt refund completed(14)",
    15: "Non-receipt partial refund completed(15)",
    16: "Unpaid order cancelled(16)",
}
CLAIM_LABELS_JA = {
    1: "キャンセル要請", 2: "キャンセル中", 3: "キャンセル完了", 4: "返品要請",
    5: "返品中", 6: "返品完了", 11: "交換要請", 12: "交換承認", 13: "再配送",
    14: "未受取返金完了", 15: "未受取一部返金完了", 16: "未入金キャンセル",
}
CLAIM_STATUS_FORMS = ("int", "string", "label", "ja")

# Claim statuses (reference section 4) that make an order line disappear from
# GetShippingInfo_v3: cancel completed and unpaid order cancelled.
CANCELLING_CLAIMS = (3, 16)
# Claim statuses meaning "a cancel is pending": the line may not be shipped.
PENDING_CANCEL_CLAIMS = (1, 2)

# The fields of one GetShippingInfo_v3 row, in the reference's order (3.8).
ORDER_FIELDS = (
    "ShippingStatus", "SellerID", "PackNo", "OrderDate", "PaymentDate",
    "EstimatedShippingDate", "ShippingDate", "DeliveredDate", "Buyer",
    "BuyerKana", "BuyerTel", "BuyerMobile", "BuyerEmail", "OrderNo", "ItemNo",
    "SellerItemCode", "ItemTitle", "Option", "OptionCode", "OrderPrice",
    "OrderQty", "Discount", "Total", "Receiver", "ReceiverKana", "ZipCode",
    "ShippingAddress", "Address1", "Address2", "ReceiverTel", "ReceiverMobile",
    "DesiredDeliveryDate", "SenderName", "SenderTel", "SenderNation",
    "SenderZipCode", "SenderAddress", "ShippingWay", "ShippingMessage",
    "PaymentMethod", "SellerDiscount", "Currency", "ShippingRate",
    "RelatedOrder", "ShippingRateType", "DeliveryCompany", "VoucherCode",
    "PackingNo", "SellerDeliveryNo", "Gift", "CartDiscountSeller",
    "CartDiscountQoo10", "SettlePrice", "BranchName", "TrackingNo", "Material",
    "AvailableSendType", "AvailableShippingDate",
)
ORDER_INT_FIELDS = frozenset((
    "OrderNo", "PackNo", "OrderPrice", "OrderQty", "Discount", "Total",
    "SellerDiscount", "ShippingRate", "CartDiscountSeller", "CartDiscountQoo10",
    "SettlePrice",
))

INQUIRY_FIELDS = (
    "INQ_TYPE", "SEQ_NO", "QUESTION_NO", "INQ_DT", "CUST_NM", "CATE_NM",
    "CATE_CD", "TITLE", "CONTENTS", "GD_NO", "GD_NM", "CONTR_NO", "CLAIM_YN",
    "STATUS",
)

DEFAULT_SELLER = {
    "api_key": "sandbox-api-key",
    "user_id": "sandbox-user",
    "password": "sandbox-pass",
}

# Carrier names accepted by SetSendingInfo by default: those the reference
# saw accepted (3.8) plus common romaji/English spellings (sandbox choice).
DEFAULT_CARRIERS = (
    "ヤマト宅急便", "ネコポス", "クロネコDM便", "ゆうパケット", "クリックポスト",
    "ゆうパック", "佐川急便", "福山通運", "西濃運輸", "コンビニ等受取",
    "Sagawa", "Qxpress", "Yamato", "Japan Post", "JapanPost", "Seino",
    "Fukuyama",
)

# Tunables that tests may change through /_control/config.
DEFAULT_CONFIG = {
    "max_rows": 1000,            # rows per order/claim/inquiry lookup (silent cap)
    "max_window_days": 90,       # longest search window (-10003 beyond)
    "page_size": 500,            # GetAllGoodsInfo items per page
    "bulk_max": 500,             # lines per bulk call
    "strict_version": True,      # QAPIVersion must match the method's table
    "require_charset": True,     # non-ASCII form body needs charset=UTF-8
    "new_item_status": "S1",     # status of an item right after SetNewGoods
    "carriers": list(DEFAULT_CARRIERS),  # null = accept any ShippingCorp
    "empty_result": "array",     # "array" -> [] , "null" -> null on no rows
    "numbers_as_strings": False, # render numbers in rows as JSON strings
    "settle_fee_pct": 10,        # SettlePrice = price minus this percentage
    "default_return_type": "json",  # when the request has no returnType
    # R-SYN-9: "invented" answers as the sandbox always did (codes and forms
    # no document pins); "documented" only what documents and recordings pin
    # (README "Modes").  Setting it sets MODE_DEFAULTS[mode].
    "mode": "invented",
    "open_zero_covers": [1, 2, 3],  # statuses ShippingStatus "0"/"" returns (doc; CN: [1, 2])
    "claim_status_form": "int",  # claimStatus in rows: int, string, label, ja
}
MODES = ("invented", "documented")
# The knobs a mode sets when it is chosen; keys given with it still win.
MODE_DEFAULTS = {
    "invented": {"strict_version": True, "carriers": list(DEFAULT_CARRIERS),
                 "claim_status_form": "int", "open_zero_covers": [1, 2, 3]},
    "documented": {"strict_version": False, "carriers": None,
                   "claim_status_form": "label", "open_zero_covers": [1, 2, 3]},
}


def fmt_dt(dt):
    """datetime -> "yyyy-MM-dd HH:mm:ss" (or "" for None)."""
    return dt.strftime(DATE_FMT) if dt else ""


def parse_dt(s):
    """"yyyy-MM-dd[ HH:mm[:ss]]" -> datetime, or None if s is not such a date."""
    if not isinstance(s, str):
        return None
    s = s.strip()
    for f in (DATE_FMT, "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(s, f)
        except ValueError:
            pass
    return None


class Clock:
    """Japan time, real or pinned by /_control/clock (tests need a fixed
    'today' for rules such as 'EstShipDt must be after today')."""

    def __init__(self):
        self.fixed = None
        self.offset = timedelta(0)

    def now(self):
        if self.fixed is not None:
            return self.fixed
        real = datetime.now(timezone.utc).astimezone(JST).replace(tzinfo=None)
        return (real + self.offset).replace(microsecond=0)

    def to_json(self):
        return {"now": fmt_dt(self.now()), "fixed": self.fixed is not None,
                "offset_s": int(self.offset.total_seconds())}


class Counters:
    """Call counters read by tests to prove exactly-once behaviour.

    methods[name]  = {calls, ok, failed, faulted, dropped}
        calls   - every request that arrived for the method
        ok      - handled, ResultCode 0
        failed  - handled, any other code (auth, validation, version, ...)
        faulted - an injected HTTP 500 was sent (phase before or after)
        dropped - the connection was closed without an answer (injected)
    by_key[family][key] = {calls, ok, failed}: one count per request line that
        reached the marketplace logic (so not the ones a 'before' fault
        stopped), e.g. by_key["SetSendingInfo"]["300000001"].
    hook_calls[key]   - deliveries of a hook key that reached the hook logic
    hook_effects[key] - distinct effects (1 after the first delivery)
    hook_orders[kind][order_no] = {calls, effects}
    """

    FIELDS = ("calls", "ok", "failed", "faulted", "dropped")

    def __init__(self):
        self.methods = {}
        self.by_key = {}
        self.hook_calls = {}
        self.hook_effects = {}
        self.hook_orders = {}

    def method(self, name, field):
        m = self.methods.get(name)
        if m is None:
            m = self.methods[name] = dict.fromkeys(self.FIELDS, 0)
        m[field] += 1

    def key(self, family, key, ok):
        fam = self.by_key.setdefault(family, {})
        k = fam.get(key)
        if k is None:
            k = fam[key] = {"calls": 0, "ok": 0, "failed": 0}
        k["calls"] += 1
        k["ok" if ok else "failed"] += 1

    def hook_order(self, kind, order_no, effect):
        d = self.hook_orders.setdefault(kind, {})
        c = d.get(order_no)
        if c is None:
            c = d[order_no] = {"calls": 0, "effects": 0}
        c["calls"] += 1
        if effect:
            c["effects"] += 1

    def to_json(self):
        totals = dict.fromkeys(self.FIELDS, 0)
        for m in self.methods.values():
            for f in self.FIELDS:
                totals[f] += m[f]
        hc = sum(self.hook_calls.values())
        he = sum(self.hook_effects.values())
        return {
            "methods": self.methods,
            "totals": totals,
            "by_key": self.by_key,
            "hook_calls": self.hook_calls,
            "hook_effects": self.hook_effects,
            "hook_orders": self.hook_orders,
            "hook_totals": {"calls": hc, "effects": he, "repeats": hc - he},
        }

    @classmethod
    def from_json(cls, d):
        c = cls()
        c.methods = d.get("methods", {})
        c.by_key = d.get("by_key", {})
        c.hook_calls = d.get("hook_calls", {})
        c.hook_effects = d.get("hook_effects", {})
        c.hook_orders = d.get("hook_orders", {})
        return c


class Sandbox:
    """All marketplace state.  Hold `lock` while reading or changing it."""

    def __init__(self, seed=None, mode="invented", replay=None):
        self.lock = threading.RLock()
        self.seed = seed
        self.start_mode = mode     # the server's --mode: reset comes back to it
        self.replay = replay       # a replay.Replay (server --replay) or None
        self.started = time.time()
        self.resets = 0
        self.recording = None      # a list while /_control/record is on (kept by reset)
        self.reset()

    # ------------------------------------------------------------------ reset
    def reset(self):
        with self.lock:
            # Keys are deterministic for a --seed, yet differ after each reset
            # (a key from before a reset must not come back to life).
            self.resets += 1
            self.rng = random.Random(None if self.seed is None
                                     else "%s:%d" % (self.seed, self.resets))
            self.config = {k: (list(v) if isinstance(v, list) else v)
                           for k, v in DEFAULT_CONFIG.items()}
            self.set_mode(self.start_mode)
            self.clock = Clock()
            self.faults = Faults(self.seed)
            self.counters = Counters()
            self.sellers = {}      # user_id -> seller dict
            self.api_keys = {}     # API key -> user_id
            self.keys = {}         # SAK -> {"user_id","issued","expired"}
            self.key_policy = {"ttl_s": None, "after_calls": None,
                               "code": -90004}
            self.items = {}        # ItemCode (str) -> item dict
            # Bumped by every call that may change state (a QAPI call other than Get*/
            # Search*, a control POST): what GetAllGoodsInfo keeps between pages holds
            # while it is unchanged (a listing sorted every items per page was quadratic).
            self.gen = 0
            self.listing = {}      # (user_id, ItemStatus) -> (gen, sorted items)
            self.items_by_sc = {}  # (user_id, SellerCode) -> ItemCode
            self.orders = {}       # OrderNo (int) -> order line dict
            self.packs = {}        # PackNo (int) -> [OrderNo, ...]
            self.by_order_date = []  # sorted [(OrderDate, OrderNo)], see orders_between
            self.by_order_date_dirty = False
            self.by_date = {}          # field -> sorted [(date, OrderNo)], see orders_by
            self.claims = {}       # OrderNo (int) -> claim dict
            self.inquiries = {}    # QUESTION_NO (int) -> inquiry dict
            self.fans = []
            self.hooks = {}        # key -> delivery record (insertion ordered)
            self.seq = {"item": 1100000000, "order": 300000000,
                        "pack": 80000000, "question": 5000000,
                        "inq_seq": 1, "hook": 0, "contents": 70000000,
                        "packing": 1, "key": 0}
            self.add_seller(dict(DEFAULT_SELLER))

    def set_mode(self, mode):
        """Switch the mode and set its default knobs (R-SYN-9)."""
        self.config["mode"] = mode
        for k, v in MODE_DEFAULTS[mode].items():
            self.config[k] = list(v) if isinstance(v, list) else v

    def documented(self):
        return self.config["mode"] == "documented"

    def claim_status_out(self, st):
        """claimStatus as the configured form shows it (claim_status_form)."""
        form = self.config["claim_status_form"]
        if st == "" or st is None:
            return ""
        if form == "label":
            return CLAIM_LABELS.get(st, "(%s)" % st)
        if form == "ja":
            return CLAIM_LABELS_JA.get(st, "不明")
        if form == "string" or self.config["numbers_as_strings"]:
            return str(st)
        return st

    def next_seq(self, name):
        self.seq[name] += 1
        return self.seq[name]

    def now(self):
        return self.clock.now()

    def now_str(self):
        return fmt_dt(self.clock.now())

    # ---------------------------------------------------------------- sellers
    def add_seller(self, s):
        """Add or replace a seller.  A changed password invalidates the
        seller's keys, as on Qoo10 (reference section 2)."""
        uid = s["user_id"]
        old = self.sellers.get(uid)
        if old:
            self.api_keys.pop(old["api_key"], None)
            if old["password"] != s["password"] or old["api_key"] != s["api_key"]:
                for k in self.keys.values():
                    if k["user_id"] == uid:
                        k["expired"] = True
        seller = {"api_key": s["api_key"], "user_id": uid,
                  "password": s["password"],
                  "seller_id": s.get("seller_id") or uid}
        self.sellers[uid] = seller
        self.api_keys[seller["api_key"]] = uid
        return seller

    def issue_key(self, user_id):
        """Issue a new seller authorization key (opaque, with `_g_1_`-style
        escapes like the real ones, reference section 2)."""
        alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        n = self.next_seq("key")
        body = "".join(self.rng.choice(alnum) for _ in range(40))
        sak = "S%s_g_1_%s_g_2_%d" % (body[:24], body[24:], n)
        self.keys[sak] = {"user_id": user_id, "issued": time.time(),
                          "expired": False}
        return sak

    def expire_keys(self, user_id=None):
        n = 0
        for k in self.keys.values():
            if (user_id is None or k["user_id"] == user_id) and not k["expired"]:
                k["expired"] = True
                n += 1
        return n

    def key_state(self, sak):
        """-> (user_id, state) with state "ok", "expired" or "unknown"."""
        k = self.keys.get(sak)
        if k is None:
            return None, "unknown"
        ttl = self.key_policy["ttl_s"]
        if not k["expired"] and ttl is not None and time.time() - k["issued"] > ttl:
            k["expired"] = True
        return k["user_id"], ("expired" if k["expired"] else "ok")

    def note_authenticated_call(self):
        """Count down the 'expire keys after N calls' fault."""
        left = self.key_policy["after_calls"]
        if left is not None:
            left -= 1
            if left <= 0:
                self.expire_keys()
                self.key_policy["after_calls"] = None
            else:
                self.key_policy["after_calls"] = left

    # ------------------------------------------------------------------ items
    def item_for(self, user_id, item_code="", seller_code=""):
        """The seller's item by ItemCode, else by SellerCode, or None."""
        it = None
        if item_code:
            it = self.items.get(item_code.strip())
        elif seller_code:
            ic = self.items_by_sc.get((user_id, seller_code))
            it = self.items.get(ic) if ic else None
        if it is None or it["_seller"] != user_id:
            return None
        return it

    def add_item(self, item):
        if not item.get("ItemCode"):
            item["ItemCode"] = str(self.next_seq("item"))
        self.items[item["ItemCode"]] = item
        if item.get("SellerCode"):
            self.items_by_sc[(item["_seller"], item["SellerCode"])] = item["ItemCode"]
        return item

    # ----------------------------------------------------------------- orders
    def add_order(self, o):
        """Insert a complete order line dict (see gen.make_order)."""
        no = o["OrderNo"]
        self.orders[no] = o
        self.packs.setdefault(o["PackNo"], []).append(no)
        self.by_order_date.append((o["OrderDate"], no))
        self.by_order_date_dirty = True
        self.by_date = {}
        return o

    def remove_order(self, no):
        o = self.orders.pop(no, None)
        if o is None:
            return
        lst = self.packs.get(o["PackNo"], [])
        if no in lst:
            lst.remove(no)
        if not lst:
            self.packs.pop(o["PackNo"], None)
        self.by_order_date = [(d, n) for d, n in self.by_order_date if n != no]
        self.by_date = {}

    def orders_between(self, start, end):
        """Order lines whose OrderDate lies in [start, end], in (OrderDate,
        OrderNo) order.  OrderDate never changes, so a sorted index (sorted
        lazily after seeding) answers the common lookup without a scan."""
        if self.by_order_date_dirty:
            self.by_order_date.sort()
            self.by_order_date_dirty = False
        idx = self.by_order_date
        lo = bisect.bisect_left(idx, (start, -1))
        hi = bisect.bisect_right(idx, (end, float("inf")))
        orders = self.orders
        return [orders[n] for _, n in idx[lo:hi]]

    def set_status(self, o, status):
        o["_status"] = status
        o["ShippingStatus"] = STATUS_LABELS[status]
        self.by_date = {}   # every date but OrderDate is set with a change of status

    def orders_by(self, field, start, end):
        """Order lines whose `field` (PaymentDate, ShippingDate, DeliveredDate)
        lies in [start, end], in (date, OrderNo) order: a sorted index per
        field, built on the first search and dropped by any change of status
        (set_status: the code that sets one of these dates changes the status
        with it) or of the orders, instead of a scan of every order."""
        idx = self.by_date.get(field)
        if idx is None:
            idx = sorted((o[field], n) for n, o in self.orders.items() if o[field])
            self.by_date[field] = idx
        lo = bisect.bisect_left(idx, (start, -1))
        hi = bisect.bisect_right(idx, (end, float("inf")))
        orders = self.orders
        return [orders[n] for _, n in idx[lo:hi]]

    def related_order(self, o):
        """RelatedOrder: the OrderNos of every line of the cart, itself
        included, comma-separated (sandbox choice)."""
        return ",".join(str(n) for n in self.packs.get(o["PackNo"], (o["OrderNo"],)))

    def order_row(self, o):
        """One GetShippingInfo_v3 row for an order line."""
        row = {f: o.get(f, "") for f in ORDER_FIELDS}
        row["RelatedOrder"] = self.related_order(o)
        if self.config["numbers_as_strings"]:
            for f in ORDER_INT_FIELDS:
                row[f] = str(row[f])
        return row

    def claim_row(self, c, raw=False):
        """One GetClaimInfo_V3 row: the claim joined with its order line, in
        the reference's field order (3.9).  raw: claimStatus stays an integer
        whatever claim_status_form says (/_control/claims)."""
        o = self.orders[c["orderNo"]]
        g = c.get
        row = {
            "claimStatus": c["claimStatus"] if raw else self.claim_status_out(c["claimStatus"]),
            "cancelRefundDate": g("cancelRefundDate", ""),
            "reason": g("reason", ""),
            "requestDate": g("requestDate", ""),
            "orderDate": o["OrderDate"],
            "PaymentDate": o["PaymentDate"],
            "shippingDate": o["ShippingDate"],
            "DeliveredDate": o["DeliveredDate"],
            "orderNo": o["OrderNo"],
            "packNo": o["PackNo"],
            "itemCode": o["ItemNo"],
            "sellerItemCode": o["SellerItemCode"],
            "itemTitle": o["ItemTitle"],
            "orderQty": o["OrderQty"],
            "paymentNation": "JP",
            "currency": o.get("Currency") or "JPY",
            "paymentAmount": o["Total"],
            "deliveryCompany": o["DeliveryCompany"],
            "trackingNo": o["TrackingNo"],
            "deliveryCompanyReturn": g("deliveryCompanyReturn", ""),
            "trackingNoReturn": g("trackingNoReturn", ""),
            "pickupAddress": g("pickupAddress", ""),
            "zipCode": o["ZipCode"],
            "paymentReturnShipping": g("paymentReturnShipping", ""),
            "itemCondition": g("itemCondition", ""),
            "receiver": o["Receiver"],
            "receiverTel": o["ReceiverTel"],
            "receiverMobile": o["ReceiverMobile"],
            "buyer": o["Buyer"],
            "buyerTel": o["BuyerTel"],
            "buyerMobile": o["BuyerMobile"],
            "CODCancelPrice": g("CODCancelPrice", ""),
            "CODQrefundPrice": g("CODQrefundPrice", ""),
            "CODCancelRelatedOrder": g("CODCancelRelatedOrder", ""),
            "nrDutyTarget": g("nrDutyTarget", ""),
            "nrSolType": g("nrSolType", ""),
            "nrPartRefundCnt": g("nrPartRefundCnt", ""),
            "nrPartRefundBalance": g("nrPartRefundBalance", ""),
        }
        if self.config["numbers_as_strings"]:
            for f in ("orderNo", "packNo", "orderQty", "paymentAmount"):
                row[f] = str(row[f])
        if raw:
            # /_control/claims only: what a seller cancel sent (Claim.SetCancelProcess's
            # SellerMemo), which no QAPI answer shows.
            row["sellerMemo"] = g("sellerMemo", "")
            row["by"] = g("_by", "")
        return row

    def apply_claim(self, c):
        """Store a claim and let it act on its order line."""
        no = c["orderNo"]
        self.claims[no] = c
        o = self.orders[no]
        if c["claimStatus"] in CANCELLING_CLAIMS:
            o["_cancelled"] = True

    # ------------------------------------------------------------- hook calls
    def hook_deliver(self, kind, req):
        """Handle one delivered hook request.  -> (http_status, answer)."""
        key = req.get("key")
        if not isinstance(key, str) or not key:
            return 400, {"ok": False, "error": "request has no key",
                         "retry": False}
        orders = extract_orders(req)
        rec = self.hooks.get(key)
        self.counters.hook_calls[key] = self.counters.hook_calls.get(key, 0) + 1
        rej = self.faults.hook_rejection(key, orders)
        if rej and rec is None:
            for o in orders:
                self.counters.hook_order(kind, o, False)
            return 422, {"ok": False, "error": rej, "retry": False}
        if rec is not None:
            rec["attempts"] += 1
            rec["last_at"] = self.now_str()
            for o in orders:
                self.counters.hook_order(kind, o, False)
            return 200, {"ok": True, "ref": rec["ref"], "repeat": True}
        n = self.next_seq("hook")
        ref = "SBX-%s-%06d" % (kind.upper(), n)
        self.hooks[key] = {
            "ref": ref, "kind": kind, "key": key, "id": req.get("id"),
            "shop": req.get("shop"), "orders": orders, "request": req,
            "received_at": self.now_str(), "last_at": self.now_str(),
            "attempts": 1,
        }
        self.counters.hook_effects[key] = 1
        for o in orders:
            self.counters.hook_order(kind, o, True)
        return 200, {"ok": True, "ref": ref}

    # --------------------------------------------------------------- snapshot
    def snapshot(self, sections=None):
        """Everything, as JSON-able data (GET /_control/state, --state)."""
        want = (lambda s: True) if not sections else (lambda s: s in sections)
        out = {}
        if want("sellers"):
            out["sellers"] = list(self.sellers.values())
        if want("keys"):
            out["keys"] = [dict(v, key=k) for k, v in self.keys.items()]
        if want("items"):
            out["items"] = list(self.items.values())
        if want("orders"):
            out["orders"] = [dict(o, RelatedOrder=self.related_order(o))
                             for o in self.orders.values()]
        if want("claims"):
            out["claims"] = list(self.claims.values())
        if want("inquiries"):
            out["inquiries"] = list(self.inquiries.values())
        if want("fans"):
            out["fans"] = self.fans
        if want("hook_deliveries"):
            out["hook_deliveries"] = list(self.hooks.values())
        if want("config"):
            out["config"] = self.config
        if want("clock"):
            out["clock"] = self.clock.to_json()
        if want("seq"):
            out["seq"] = self.seq
        if want("counters"):
            out["counters"] = self.counters.to_json()
        return out

    def restore(self, d):
        """Load a snapshot() taken earlier (the --state file)."""
        self.reset()
        self.config.update(d.get("config", {}))
        self.seq.update(d.get("seq", {}))
        self.sellers.clear()
        self.api_keys.clear()
        for s in d.get("sellers", []):
            self.add_seller(s)
        for k in d.get("keys", []):
            k = dict(k)
            self.keys[k.pop("key")] = k
        for it in d.get("items", []):
            self.add_item(it)
        for o in d.get("orders", []):
            self.add_order(o)
        for c in d.get("claims", []):
            self.claims[c["orderNo"]] = c
        for q in d.get("inquiries", []):
            self.inquiries[q["QUESTION_NO"]] = q
        self.fans = d.get("fans", [])
        for h in d.get("hook_deliveries", []):
            self.hooks[h["key"]] = h
        if "counters" in d:
            self.counters = Counters.from_json(d["counters"])


def extract_orders(req):
    """Order numbers a hook request is about, as strings.

    Looked for (sandbox choice, in the request and in a nested "payload"
    object): order_no / orderNo / OrderNo / order (one), order_nos / orders
    (a list of numbers or of objects carrying one of the single names)."""
    found = []
    for src in (req, req.get("payload") if isinstance(req.get("payload"), dict) else None):
        if not src:
            continue
        for k in ("order_no", "orderNo", "OrderNo", "order"):
            v = src.get(k)
            if isinstance(v, (str, int)) and str(v):
                found.append(str(v))
        for k in ("order_nos", "orders", "OrderNos"):
            v = src.get(k)
            if isinstance(v, list):
                for e in v:
                    if isinstance(e, (str, int)):
                        found.append(str(e))
                    elif isinstance(e, dict):
                        for kk in ("order_no", "orderNo", "OrderNo"):
                            if kk in e:
                                found.append(str(e[kk]))
                                break
    seen = set()
    return [o for o in found if not (o in seen or seen.add(o))]
