"""Replay of a probe file (qs sync probe, R-SYN-10; format "qs-probe/1").

`server.py --replay FILE` answers each QAPI request (but the login,
CertificationAPI.CreateCertificationKey, which the sandbox answers as usual)
with a recorded exchange, so a recorded real answer becomes a contract test:

- an exchange matches a request when its method is the same (case ignored)
  and its params are equal -- names compared case-insensitively, returnType
  left out -- ignoring the values of the date parameters (SearchStartDate,
  SearchEndDate, search_Sdate, search_Edate, search_start_dt, search_end_dt)
  and of EstShipDt inside a bulk JSON parameter;
- the QAPIVersion is ignored, unless two recorded exchanges differ only by
  version: then the version must match too;
- the first unused match is taken; when every match was used, the last one is
  reused;
- no match: HTTP 200, text/plain, "replay: no recorded answer for METHOD".

An exchange recorded without an answer (http_status 0) is never matched.

Python 3 standard library only.
"""

import json

DATE_PARAMS = {"searchstartdate", "searchenddate", "search_sdate", "search_edate",
               "search_start_dt", "search_end_dt"}
CERT_METHOD = "certificationapi.createcertificationkey"
IGNORED_PARAMS = {"returntype"}


def _strip_dates(v):
    """A bulk JSON parameter's lines without their EstShipDt values."""
    if isinstance(v, list):
        return [_strip_dates(x) for x in v]
    if isinstance(v, dict):
        return {k.lower(): _strip_dates(x) for k, x in v.items() if k.lower() != "estshipdt"}
    return v


def _value(name, value):
    if name in DATE_PARAMS:
        return None
    value = "" if value is None else str(value)
    s = value.lstrip()
    if s.startswith("["):
        try:
            return ("json", json.dumps(_strip_dates(json.loads(value)), sort_keys=True))
        except ValueError:
            pass
    return value


def normalise(params):
    """params (any case, any values) -> a comparable, hashable form."""
    out = {}
    for k, v in (params or {}).items():
        n = str(k).lower()
        if n in IGNORED_PARAMS:
            continue
        out[n] = _value(n, v)
    return tuple(sorted(out.items(), key=lambda kv: kv[0]))


class Replay:
    """The exchanges of one probe file, answered in the order recorded."""

    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        if not isinstance(doc, dict) or not isinstance(doc.get("exchanges"), list):
            raise ValueError("%s: not a probe file (no exchanges)" % path)
        self.exchanges = []
        for x in doc["exchanges"]:
            if not isinstance(x, dict) or not x.get("http_status"):
                continue
            self.exchanges.append({
                "method": str(x.get("method", "")).lower(),
                "version": str(x.get("version", "")),
                "params": normalise(x.get("params")),
                "status": int(x["http_status"]),
                "answer": x.get("answer") or "",
                "ctype": x.get("content_type") or "text/plain; charset=utf-8",
                "used": False,
            })

    def answer(self, method, version, params):
        """-> (http_status, body_text, content_type), or None for the login
        (the sandbox answers it)."""
        m = (method or "").lower()
        if m == CERT_METHOD:
            return None
        want = normalise(params)
        same = [x for x in self.exchanges if x["method"] == m and x["params"] == want]
        if len({x["version"] for x in same}) > 1:
            same = [x for x in same if x["version"] == (version or "")]
        if not same:
            return 200, "replay: no recorded answer for %s" % method, "text/plain; charset=utf-8"
        hit = next((x for x in same if not x["used"]), same[-1])
        hit["used"] = True
        return hit["status"], hit["answer"], hit["ctype"]

    @staticmethod
    def succeeded(answer):
        """True when a replayed answer is a QAPI envelope with ResultCode 0 (counters)."""
        status, body, _ = answer
        try:
            env = json.loads(body)
        except ValueError:
            return False
        return status == 200 and isinstance(env, dict) and str(env.get("ResultCode")) == "0"
