"""Fault injection for the sandbox marketplace.

A fault configuration (POST /_control/faults) decides, per request, whether
to wait (latency), answer HTTP 500 with an HTML error page ("error"), or close
the connection without answering ("drop").  Each injected fault happens
either *before* the marketplace acts (nothing changed: a plain retry is safe)
or *after* it (the change is made, only the answer is lost: the client must
reconcile before resending — SPEC 1.6's hard case).

Hook rejections (answer ok:false retry:false for given keys/orders) live here
too, since they are configured with the faults.
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
                 "drop_next", "reject"}
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

        self.cfg = dict(d)
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
        return d

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
