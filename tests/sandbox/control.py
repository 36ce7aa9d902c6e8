"""The control interface tests use: /_control/<name>, JSON in and out.

Each handler takes (sb, http_method, body, query) and returns (status, obj).
The server calls `handle()` and serialises its answer while holding
`sb.lock` (the answer may share dicts with the live state).  Control calls
are never counted and never faulted.
"""

from datetime import timedelta

import gen
from faults import FaultConfigError
from state import (CLAIM_STATUS_FORMS, DEFAULT_CONFIG, DEFAULT_SELLER, MODES,
                   STATUS_LABELS, fmt_dt, parse_dt)


class ControlError(ValueError):
    pass


def _obj(body):
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ControlError("the body must be a JSON object")
    return body


def health(sb, method, body, query):
    import time
    return 200, {"ok": True, "uptime_s": round(time.time() - sb.started, 3)}


def reset(sb, method, body, query):
    with sb.lock:
        sb.reset()
    return 200, {"ok": True}


def seller(sb, method, body, query):
    with sb.lock:
        if method == "GET":
            return 200, {"sellers": list(sb.sellers.values())}
        d = _obj(body)
        for f in ("api_key", "user_id", "password"):
            if not isinstance(d.get(f), str) or not d[f]:
                raise ControlError("seller needs a non-empty string %s" % f)
        other = sb.api_keys.get(d["api_key"])
        if other is not None and other != d["user_id"]:
            raise ControlError("api_key belongs to seller %s" % other)
        s = sb.add_seller(d)
    return 200, {"ok": True, "seller": s}


def seed(sb, method, body, query):
    d = _obj(body)
    with sb.lock:
        try:
            return 200, gen.seed(sb, d, DEFAULT_SELLER["user_id"])
        except gen.SeedError as e:
            raise ControlError(str(e))


def _advance_one(sb, o, at, carrier):
    """Move one order line one state forward, recording the date: `at`, or
    the line's latest event if that is later (item 7: events keep their
    order)."""
    st = o["_status"]
    at = max(at, parse_dt(gen.last_event(o)))
    now = fmt_dt(at)
    if st == 1:
        o["PaymentDate"] = now
        o["AvailableShippingDate"] = fmt_dt(at + timedelta(days=3))
    elif st == 2:
        est = (at + timedelta(days=2)).replace(hour=0, minute=0, second=0)
        o["EstimatedShippingDate"] = fmt_dt(est)
    elif st == 3:
        o["ShippingDate"] = now
        if not o["TrackingNo"]:
            o["DeliveryCompany"] = carrier
            o["TrackingNo"] = "SBX%09d" % o["OrderNo"]
        if not o["PackingNo"]:
            o["PackingNo"] = "JPP%010d" % sb.next_seq("packing")
            o["SellerDeliveryNo"] = str(sb.seq["packing"])
    elif st == 4:
        o["DeliveredDate"] = now
    else:
        return False
    sb.set_status(o, st + 1)
    return True


def advance(sb, method, body, query):
    """Move order lines forward: {"orders": [..]} or {"packs": [..]} (default:
    all), optional "from": status filter, "to": 1-5 (default: one step) or
    "cancelled", "claim": claimStatus to open a claim instead, "at": date
    (default: the sandbox clock), "carrier" for lines that get shipped."""
    d = _obj(body)
    with sb.lock:
        at = sb.now()
        if d.get("at"):
            at = parse_dt(d["at"])
            if at is None:
                raise ControlError('at must be "yyyy-MM-dd HH:mm:ss"')
            if at > sb.now():
                raise ControlError("at %s lies after the sandbox's now (%s)" % (d["at"], sb.now_str()))
        wanted = None
        if d.get("orders") is not None:
            try:
                wanted = [int(x) for x in d["orders"]]
            except (TypeError, ValueError):
                raise ControlError("orders must be a list of order numbers")
            missing = [n for n in wanted if n not in sb.orders]
            if missing:
                raise ControlError("unknown order(s): %s" % ", ".join(map(str, missing[:10])))
            targets = [sb.orders[n] for n in wanted]
        elif d.get("packs") is not None:
            targets = [sb.orders[n] for p in d["packs"] for n in sb.packs.get(int(p), [])]
        else:
            targets = list(sb.orders.values())
        if d.get("seller"):
            targets = [o for o in targets if o["_seller"] == d["seller"]]
        if d.get("from") is not None:
            targets = [o for o in targets if o["_status"] == int(d["from"])]
        targets = [o for o in targets if not o["_cancelled"]]
        to = d.get("to")
        changed = []
        if "claim" in d or to == "cancelled":
            cs = int(d.get("claim", 3))
            for o in targets:
                if to == "cancelled" and o["_status"] >= 4:
                    continue
                try:
                    req = max(at, parse_dt(gen.last_event(o)))
                    c = gen.make_claim(sb, {"orderNo": o["OrderNo"], "claimStatus": cs,
                                            "reason": d.get("reason", "購入者都合"),
                                            "requestDate": fmt_dt(req)})
                except gen.SeedError as e:
                    raise ControlError(str(e))
                sb.apply_claim(c)
                changed.append(o["OrderNo"])
            return 200, {"ok": True, "advanced": len(changed), "order_nos": changed}
        if isinstance(to, str) and to.isdigit():
            to = int(to)
        if to is not None and to not in STATUS_LABELS:
            raise ControlError('to must be 1-5 or "cancelled"')
        carrier = d.get("carrier", "ヤマト宅急便")
        for o in targets:
            moved = False
            if to is None:
                moved = _advance_one(sb, o, at, carrier)
            else:
                while o["_status"] < to and _advance_one(sb, o, at, carrier):
                    moved = True
            if moved:
                changed.append(o["OrderNo"])
    return 200, {"ok": True, "advanced": len(changed), "order_nos": changed}


def faults(sb, method, body, query):
    with sb.lock:
        if method == "POST":
            try:
                sb.faults.set(_obj(body))
            except FaultConfigError as e:
                raise ControlError(str(e))
        return 200, {"ok": True, "faults": sb.faults.to_json()}


def expire_keys(sb, method, body, query):
    """{} expires every key now; {"seller": uid} one seller's; {"after_calls":
    N} after N more authenticated calls; {"ttl_s": S} keys older than S
    seconds; {"code": -90004|-90005|-10000} the code an expired key gets."""
    d = _obj(body)
    with sb.lock:
        pol = sb.key_policy
        if "code" in d:
            if d["code"] not in (-90004, -90005, -10000):
                raise ControlError("code must be -90004, -90005 or -10000")
            pol["code"] = d["code"]
        if "ttl_s" in d:
            if d["ttl_s"] is not None and not isinstance(d["ttl_s"], (int, float)):
                raise ControlError("ttl_s must be seconds or null")
            pol["ttl_s"] = d["ttl_s"]
        if "after_calls" in d:
            n = d["after_calls"]
            if n is not None and (not isinstance(n, int) or n < 1):
                raise ControlError("after_calls must be a positive integer or null")
            pol["after_calls"] = n
        n = 0
        if not ({"ttl_s", "after_calls"} & set(d)):
            n = sb.expire_keys(d.get("seller"))
        return 200, {"ok": True, "expired": n, "policy": dict(pol)}


def config(sb, method, body, query):
    with sb.lock:
        if method == "POST":
            d = _obj(body)
            bad = set(d) - set(DEFAULT_CONFIG)
            if bad:
                raise ControlError("unknown config key(s): %s" % ", ".join(sorted(bad)))
            for k, v in d.items():
                want = type(DEFAULT_CONFIG[k])
                if k == "carriers":
                    if v is not None and not (isinstance(v, list) and all(isinstance(x, str) for x in v)):
                        raise ControlError("carriers must be a list of names or null")
                elif k == "open_zero_covers":
                    if not (isinstance(v, list) and all(x in STATUS_LABELS and type(x) is int for x in v)):
                        raise ControlError("open_zero_covers must be a list of statuses 1-5")
                elif k == "mode":
                    if v not in MODES:
                        raise ControlError('mode must be "invented" or "documented"')
                elif k == "claim_status_form":
                    if v not in CLAIM_STATUS_FORMS:
                        raise ControlError('claim_status_form must be "int", "string", "label" or "ja"')
                elif want is bool:
                    if not isinstance(v, bool):
                        raise ControlError("%s must be true or false" % k)
                elif want is int:
                    if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                        raise ControlError("%s must be a non-negative integer" % k)
                elif not isinstance(v, want):
                    raise ControlError("%s must be a %s" % (k, want.__name__))
            if d.get("empty_result", "array") not in ("array", "null"):
                raise ControlError('empty_result must be "array" or "null"')
            if d.get("default_return_type", "json") not in ("json", "xml"):
                raise ControlError('default_return_type must be "json" or "xml"')
            # R-SYN-9: a mode brings its defaults; knobs sent with it win.
            if "mode" in d:
                sb.set_mode(d["mode"])
            sb.config.update({k: v for k, v in d.items() if k != "mode"})
        return 200, {"ok": True, "config": sb.config}


# Names GetItemDetailInfo answers with -> the item's own field names.
ITEM_ALIASES = {"ManufacturerDate": "ManufactureDate", "ItemDetail": "ItemDescription",
                "ImageUrl": "StandardImage", "SecondSubCatCd": "SecondSubCat"}


def item(sb, method, body, query):
    """{"ItemCode" or "SellerCode", "seller"?, "set": {field: value}}: set
    fields of a sandbox item as they are, unchecked (GetItemDetailInfo names
    such as ManufacturerDate, or SetNewGoods names); ItemPrice and ItemQty
    must stay integers.  -> {"ok", "item"}."""
    d = _obj(body)
    with sb.lock:
        it = sb.item_for(d.get("seller", DEFAULT_SELLER["user_id"]),
                         str(d.get("ItemCode") or ""), str(d.get("SellerCode") or ""))
        if it is None:
            raise ControlError("no such item (give ItemCode or SellerCode, and seller)")
        fields = d.get("set")
        if not isinstance(fields, dict) or not fields:
            raise ControlError('set must be an object {"Field": value, ...}')
        todo = {}
        for k, v in fields.items():
            f = ITEM_ALIASES.get(k, k)
            if f.startswith("_") or f in ("ItemCode", "Inventory", "AdditionalOption") \
                    or f not in it:
                raise ControlError("cannot set %r" % k)
            if f in ("ItemPrice", "ItemQty") and (type(v) is not int or v < 0):
                raise ControlError("%s must be a non-negative integer" % k)
            if f == "SellerCode" and v != it["SellerCode"]:
                raise ControlError("SellerCode cannot be changed here")
            todo[f] = v
        it.update(todo)
        return 200, {"ok": True, "item": it}


def clock(sb, method, body, query):
    """{"now": "yyyy-MM-dd HH:mm:ss"} pins the clock, {"now": null} frees
    it, {"advance_s": N} moves it (pinned or not)."""
    with sb.lock:
        if method == "POST":
            d = _obj(body)
            if "now" in d:
                if d["now"] is None:
                    sb.clock.fixed = None
                    sb.clock.offset = timedelta(0)
                else:
                    t = parse_dt(d["now"])
                    if t is None:
                        raise ControlError('now must be "yyyy-MM-dd HH:mm:ss" (Japan time)')
                    sb.clock.fixed = t
            if d.get("advance_s"):
                delta = timedelta(seconds=d["advance_s"])
                if sb.clock.fixed is not None:
                    sb.clock.fixed += delta
                else:
                    sb.clock.offset += delta
        return 200, {"ok": True, "clock": sb.clock.to_json()}


def record(sb, method, body, query):
    """POST {"on": true} starts recording every request other than /_control/ (the
    list is emptied), {"on": false} stops; GET returns {"requests": [{verb, path,
    ctype, key, version, body}, ...]} -- what bench/batch.sh's bare client replays."""
    if method == "POST":
        d = _obj(body)
        on = d.get("on", True)
        if not isinstance(on, bool):
            raise ControlError("on must be true or false")
        sb.recording = [] if on else None
        return 200, {"ok": True, "on": on}
    return 200, {"ok": True, "on": sb.recording is not None,
                 "requests": list(sb.recording or ())}


def counters(sb, method, body, query):
    with sb.lock:
        if method == "POST" and _obj(body).get("reset"):
            from state import Counters
            sb.counters = Counters()
        return 200, sb.counters.to_json()


def orders(sb, method, body, query):
    """The sandbox's order lines as GetShippingInfo_v3 rows (RelatedOrder
    filled in), plus "status" (1-5) and "cancelled", sorted by OrderNo: what
    a synced store should hold.  ?seller=UID limits to one seller."""
    want = query.get("seller")
    out = []
    for no in sorted(sb.orders):
        o = sb.orders[no]
        if want and o["_seller"] != want:
            continue
        row = sb.order_row(o)
        row["status"] = o["_status"]
        row["cancelled"] = o["_cancelled"]
        out.append(row)
    return 200, {"orders": out}


def claims(sb, method, body, query):
    """Every claim as a GetClaimInfo_V3 row, sorted by orderNo; claimStatus
    an integer whatever claim_status_form says."""
    return 200, {"claims": [sb.claim_row(sb.claims[n], raw=True) for n in sorted(sb.claims)]}


def state(sb, method, body, query):
    sections = None
    if query.get("sections"):
        sections = set(query["sections"].split(","))
    return 200, sb.snapshot(sections)


HANDLERS = {
    "health": health, "reset": reset, "seller": seller, "seed": seed,
    "advance": advance, "faults": faults, "expire_keys": expire_keys,
    "expire-keys": expire_keys, "config": config, "clock": clock,
    "counters": counters, "state": state, "orders": orders, "claims": claims,
    "item": item, "record": record,
}
# Which control names are read-only (GET allowed) or need POST.
GET_OK = {"health", "seller", "faults", "config", "clock", "counters", "state",
          "orders", "claims", "record"}
POST_OK = set(HANDLERS) - {"state", "orders", "claims"}


def handle(sb, name, method, body, query):
    fn = HANDLERS.get(name)
    if fn is None:
        return 404, {"ok": False, "error": "no control endpoint %r; try one of %s"
                     % (name, ", ".join(sorted(HANDLERS)))}
    if (method == "GET" and name not in GET_OK) or (method == "POST" and name not in POST_OK):
        return 405, {"ok": False, "error": "%s does not take %s" % (name, method)}
    if method == "POST":
        sb.gen += 1   # it may change state (see State.listing)
    try:
        return fn(sb, method, body, query)
    except ControlError as e:
        return 400, {"ok": False, "error": str(e)}
    except (TypeError, ValueError, KeyError, AttributeError) as e:
        return 400, {"ok": False, "error": "bad %s request: %s: %s"
                     % (name, e.__class__.__name__, e)}
