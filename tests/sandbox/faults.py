"""Fault injection for the sandbox marketplace.

A fault configuration (POST /_control/faults) decides, per request, whether
to wait (latency), answer HTTP 500 with an HTML error page ("error"), or close
the connection without answering ("drop").  Each injected fault happens
either *before* the marketplace acts (nothing changed: a plain retry is safe)
or *after* it (the change is made, only the answer is lost: the client must
reconcile before resending — SPEC 1.6's hard case).

Hook rejections (answer ok:false retry:false for given keys/orders) live here
too, since they are configured with the faults, and so do the marketplace's
own lies (qapi-fidelity D1, D2, D8): "bulk_disagree" (a shipping bulk line
not applied whose result_cd says -1 while its ResultCode says 0) and
"refuse" (a method answering a chosen code, shape and phase).
"""

import random


class FaultConfigError(ValueError):
    pass


def _rate(d, name):
    v = d.get(name, 0)
    if not isinstance(v, (int, float)) or not 0 <= v <= 1:
        raise FaultConfigError("%s must be a number in [0, 1]" % name)
    return float(v)


def _count(d, name):
    v = d.get(name, 0)
    if not isinstance(v, int) or v < 0:
        raise FaultConfigError("%s must be a non-negative integer" % name)
    return v


def _list(v, name):
    if v is None:
        return []
    if not isinstance(v, list):
        raise FaultConfigError("%s must be a list" % name)
    return v


def _bulk_disagree(v):
    """{"orders": [...]} or {"count": N} -> (frozenset of order numbers, N or None)."""
    if v is None:
        return frozenset(), None
    if not isinstance(v, dict) or not set(v) <= {"orders", "count"} or not v:
        raise FaultConfigError('bulk_disagree must be {"orders": [order numbers]} or {"count": N}')
    orders = frozenset(_order_key(x) for x in _list(v.get("orders"), "bulk_disagree.orders"))
    n = v.get("count")
    if n is not None and (type(n) is not int or n < 0):
        raise FaultConfigError("bulk_disagree.count must be a non-negative integer")
    return orders, n


def _order_key(x):
    """Order numbers compare as numbers ("0300000001" is 300000001)."""
    s = str(x).strip()
    return str(int(s)) if s.isdigit() else s


BULK_METHODS = frozenset(m.lower() for m in (
    "ShippingBasic.SetSendingInfoBulk", "ShippingBasic.SetSellerCheckYNBulk",
    "ItemsOrder.SetGoodsPriceQtyBulk", "ItemsOptions.UpdateInventoryDataBulk",
    "ItemsOptions.InsertInventoryDataBulk"))


def _refusal(r):
    """Check one "refuse" rule and give it its internal form."""
    if not isinstance(r, dict):
        raise FaultConfigError("each refuse rule must be an object")
    bad = set(r) - {"method", "code", "msg", "shape", "phase", "keys", "count"}
    if bad:
        raise FaultConfigError("unknown refuse setting(s): %s" % ", ".join(sorted(bad)))
    m = r.get("method")
    if not isinstance(m, str) or not m:
        raise FaultConfigError('refuse needs "method": "Group.Method"')
    code = r.get("code")
    shape = r.get("shape", "result")
    if shape not in ("result", "error", "text"):
        raise FaultConfigError('refuse shape must be "result", "error" or "text"')
    if shape != "text" and type(code) is not int:
        raise FaultConfigError("refuse code must be an integer")
    phase = r.get("phase", "before")
    if phase not in ("before", "after"):
        raise FaultConfigError('refuse phase must be "before" or "after"')
    msg = r.get("msg")
    if msg is None:
        msg = "refused by the sandbox" if shape != "text" else "Can't find method Info"
    keys = r.get("keys")
    if keys is not None:
        keys = frozenset(_order_key(k) for k in _list(keys, "refuse keys"))
    n = r.get("count")
    if n is not None and (type(n) is not int or n < 0):
        raise FaultConfigError("refuse count must be a non-negative integer")
    ml = m.lower()
    line = shape == "result" and (ml in BULK_METHODS
                                  or ml in {b.split(".", 1)[1] for b in BULK_METHODS})
    return {"method": ml, "code": code, "msg": str(msg), "shape": shape, "phase": phase,
            "keys": keys, "left": n, "line": line}


class Faults:
    """Current fault configuration plus its random generator.

    Not locked on its own: callers hold Sandbox.lock."""

    def __init__(self, default_seed=None):
        self.default_seed = default_seed   # the server's --seed
        self.set({})

    def set(self, d):
        """Replace the whole configuration with `d` (missing = off)."""
        if not isinstance(d, dict):
            raise FaultConfigError("faults must be a JSON object")
        known = {"error_rate", "drop_rate", "latency_ms", "methods", "seed",
                 "phase", "after_ratio", "status", "drop_mode", "fail_next",
                 "drop_next", "reject", "bulk_disagree", "refuse"}
        bad = set(d) - known
        if bad:
            raise FaultConfigError("unknown fault setting(s): %s" % ", ".join(sorted(bad)))
        error_rate = _rate(d, "error_rate")
        drop_rate = _rate(d, "drop_rate")
        if error_rate + drop_rate > 1:
            raise FaultConfigError("error_rate + drop_rate must not exceed 1")
        lat = d.get("latency_ms", [0, 0])
        if isinstance(lat, (int, float)):
            lat = [lat, lat]
        if (not isinstance(lat, list) or len(lat) != 2
                or not all(isinstance(x, (int, float)) and x >= 0 for x in lat)
                or lat[0] > lat[1]):
            raise FaultConfigError("latency_ms must be N or [MIN, MAX] milliseconds")
        methods = d.get("methods")
        if methods is not None:
            if not isinstance(methods, list) or not all(isinstance(m, str) for m in methods):
                raise FaultConfigError("methods must be a list of names")
            methods = frozenset(m.lower() for m in methods)
        phase = d.get("phase", "before")
        if phase not in ("before", "after", "mixed"):
            raise FaultConfigError('phase must be "before", "after" or "mixed"')
        after_ratio = _rate(d, "after_ratio") if "after_ratio" in d else 0.5
        status = d.get("status", 500)
        if not isinstance(status, int) or not 500 <= status <= 599:
            raise FaultConfigError("status must be an HTTP 5xx code")
        drop_mode = d.get("drop_mode", "close")
        if drop_mode not in ("close", "reset"):
            raise FaultConfigError('drop_mode must be "close" or "reset"')
        reject = d.get("reject") or {}
        if not isinstance(reject, dict):
            raise FaultConfigError('reject must be {"keys":[...], "orders":[...], "error":"..."}')

        disagree = _bulk_disagree(d.get("bulk_disagree"))
        refuse = [_refusal(r) for r in _list(d.get("refuse"), "refuse")]

        self.cfg = dict(d)
        self.disagree_orders, self.disagree_left = disagree
        self.refusals = refuse
        self.error_rate = error_rate
        self.drop_rate = drop_rate
        self.latency = (lat[0] / 1000.0, lat[1] / 1000.0)
        self.methods = methods
        self.phase = phase
        self.after_ratio = after_ratio
        self.status = status
        self.drop_mode = drop_mode
        self.fail_next = _count(d, "fail_next")
        self.drop_next = _count(d, "drop_next")
        self.reject_keys = frozenset(str(k) for k in reject.get("keys", []))
        self.reject_orders = frozenset(str(k) for k in reject.get("orders", []))
        self.reject_error = str(reject.get("error", "rejected by the sandbox"))
        self.rng = random.Random(d.get("seed", self.default_seed))
        self.active = bool(error_rate or drop_rate or lat[1] or self.fail_next
                           or self.drop_next)

    def to_json(self):
        d = dict(self.cfg)
        d["fail_next_left"] = self.fail_next
        d["drop_next_left"] = self.drop_next
        if self.disagree_left is not None:
            d["bulk_disagree_left"] = self.disagree_left
        if self.refusals:
            d["refuse_left"] = [r["left"] for r in self.refusals]
        return d

    def disagree(self, order_no):
        """True if this shipping bulk line is to be answered with disagreeing
        codes (result_cd -1, ResultCode 0) and not applied (D1)."""
        if order_no in self.disagree_orders:
            return True
        if self.disagree_left:
            self.disagree_left -= 1
            return True
        return False

    def refusal(self, method, keys, line):
        """The "refuse" rule that matches this call (line False) or bulk
        line (line True), counting it down; or None.  method: the canonical
        Group.Method; keys: the order numbers, ItemCodes, SellerCodes it names."""
        ml = method.lower()
        for r in self.refusals:
            if r["left"] == 0 or r["line"] != line:
                continue
            if r["method"] not in (ml, ml.split(".", 1)[1]):
                continue
            if r["keys"] is not None and r["keys"].isdisjoint(keys):
                continue
            if r["left"] is not None:
                r["left"] -= 1
            return r
        return None

    def applies(self, names):
        return self.methods is None or not self.methods.isdisjoint(names)

    def decide(self, names):
        """-> (latency_seconds, action, phase) for one request.

        names: the lower-case names the request answers to (e.g.
        {"shippingbasic.setsendinginfo", "setsendinginfo", "qapi"}).
        action is None, "error" or "drop"; phase "before" or "after"."""
        if not self.active or not self.applies(names):
            return 0.0, None, None
        r = self.rng
        lat = r.uniform(*self.latency) if self.latency[1] else 0.0
        action = None
        if self.fail_next:
            self.fail_next -= 1
            action = "error"
        elif self.drop_next:
            self.drop_next -= 1
            action = "drop"
        else:
            x = r.random()
            if x < self.error_rate:
                action = "error"
            elif x < self.error_rate + self.drop_rate:
                action = "drop"
        phase = None
        if action:
            phase = self.phase
            if phase == "mixed":
                phase = "after" if r.random() < self.after_ratio else "before"
        return lat, action, phase

    def hook_rejection(self, key, orders):
        """The error text if this hook delivery is to be refused for good."""
        if key in self.reject_keys or any(o in self.reject_orders for o in orders):
            return self.reject_error
        return None
