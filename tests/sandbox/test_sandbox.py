#!/usr/bin/python3
"""Tests of the sandbox marketplace (standard library only).

Run: python3 tests/sandbox/test_sandbox.py [-v]
Starts server.py on a free loopback port, exercises the QAPI methods, the
control interface, faults and the hook, then stops it.  Exits non-zero and
names the failing tests when anything fails.
"""

import sys

sys.dont_write_bytecode = True

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
PY = sys.executable
QAPI = "/GMKT.INC.Front.QAPIService/ebayjapan.qapi"
API_KEY, USER, PWD = "sandbox-api-key", "sandbox-user", "sandbox-pass"
VERSIONS = {"ItemsBasic.SetNewGoods": "1.1", "ItemsBasic.UpdateGoods": "1.1",
            "ItemsLookup.GetItemDetailInfo": "1.2", "ItemsContents.EditGoodsImage": "1.1"}
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")

SERVER = {}


def start_server(extra=(), tmp=None):
    tmp = tmp or tempfile.mkdtemp(prefix="qs-sandbox-test-")
    portf = os.path.join(tmp, "port")
    p = subprocess.Popen([PY, os.path.join(HERE, "server.py"), "--port", "0",
                          "--port-file", portf, "--seed", "1"] + list(extra),
                         stdout=subprocess.PIPE, stderr=sys.stderr, text=True)
    line = p.stdout.readline()
    m = re.match(r"sandbox listening on http://127\.0\.0\.1:(\d+)$", line.strip())
    if not m:
        p.kill()
        raise RuntimeError("server did not start: %r" % line)
    port = int(m.group(1))
    with open(portf) as f:
        assert int(f.read()) == port
    return p, port, tmp


def setUpModule():
    p, port, tmp = start_server()
    SERVER.update(proc=p, port=port, tmp=tmp)


def tearDownModule():
    p = SERVER["proc"]
    p.send_signal(signal.SIGTERM)
    p.wait(10)
    p.stdout.close()
    shutil.rmtree(SERVER["tmp"], ignore_errors=True)


class Client:
    """One keep-alive connection to the sandbox."""

    def __init__(self, port=None):
        self.port = port or SERVER["port"]
        self.c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def close(self):
        self.c.close()

    def raw(self, method, path, body=None, headers=None):
        self.c.request(method, path, body=body, headers=headers or {})
        r = self.c.getresponse()
        return r.status, r, r.read()

    def qapi(self, method, params=None, key=None, version=None, ctype=None, base=QAPI):
        headers = {"Content-Type": ctype or "application/x-www-form-urlencoded; charset=UTF-8",
                   "QAPIVersion": version or VERSIONS.get(method, "1.0")}
        if key is not None:
            headers["GiosisCertificationKey"] = key
        params = dict(params or {})
        params.setdefault("returnType", "application/json")
        body = urllib.parse.urlencode(params)
        status, r, data = self.raw("POST", base + "/" + method, body, headers)
        if status != 200:
            return status, data
        return status, json.loads(data.decode("utf-8"))

    def ctl(self, name, body=None, method=None):
        method = method or ("GET" if body is None else "POST")
        data = None if body is None else json.dumps(body)
        status, r, out = self.raw(method, "/_control/" + name, data,
                                  {"Content-Type": "application/json"})
        return status, json.loads(out.decode("utf-8"))

    def hook(self, kind, req):
        status, r, out = self.raw("POST", "/_hook/" + kind, json.dumps(req),
                                  {"Content-Type": "application/json"})
        return status, json.loads(out.decode("utf-8")) if status < 500 else out


class Base(unittest.TestCase):
    def setUp(self):
        self.cl = Client()
        st, _ = self.cl.ctl("reset", {})
        self.assertEqual(st, 200)

    def tearDown(self):
        self.cl.close()

    def sak(self):
        st, env = self.cl.qapi("CertificationAPI.CreateCertificationKey",
                               {"user_id": USER, "pwd": PWD}, key=API_KEY)
        self.assertEqual(env["ResultCode"], 0, env)
        return env["ResultObject"]

    def call(self, method, params=None, key=None, **kw):
        st, env = self.cl.qapi(method, params, key=key if key is not None else self.key, **kw)
        self.assertEqual(st, 200, env)
        return env

    def ok(self, method, params=None, **kw):
        env = self.call(method, params, **kw)
        self.assertEqual(env.get("ResultCode"), 0, env)
        return env

    def counters(self):
        return self.cl.ctl("counters")[1]

    def new_goods(self, sc, price=1000, item_type="", **extra):
        p = {"SecondSubCat": "320001234", "ItemTitle": "テスト商品 " + sc,
             "ItemPrice": str(price), "ItemQty": "10", "AvailableDateType": "0",
             "AvailableDateValue": "2", "SellerCode": sc, "ItemType": item_type,
             "StandardImage": "https://example.jp/a.jpg"}
        p.update(extra)
        return self.call("ItemsBasic.SetNewGoods", p)


class TestTransport(Base):
    key = ""

    def test_keepalive_two_requests_one_connection(self):
        st, r, _ = self.cl.raw("GET", "/_control/health")
        self.assertEqual(st, 200)
        sock = self.cl.c.sock
        self.assertIsNotNone(sock)
        self.assertEqual(r.getheader("Connection"), "keep-alive")
        st, env = self.cl.qapi("CertificationAPI.CreateCertificationKey",
                               {"user_id": USER, "pwd": PWD}, key=API_KEY)
        self.assertEqual(env["ResultCode"], 0)
        self.assertIs(self.cl.c.sock, sock, "the connection was not reused")

    def test_root_base_legacy_form_and_case(self):
        self.key = self.sak()
        env = self.ok("ItemsLookup.GetAllGoodsInfo", {"ItemStatus": "S2"}, base="")
        self.assertEqual(env["ResultMsg"], "SUCCESS. But No Result")
        env = self.ok("itemslookup.getallgoodsinfo", {"ItemStatus": "S2"})
        q = urllib.parse.urlencode({"method": "ItemsLookup.GetAllGoodsInfo", "key": self.key,
                                    "v": "1.0", "ItemStatus": "S2", "returnType": "json"})
        st, r, data = self.cl.raw("GET", QAPI + "?" + q)
        self.assertEqual(json.loads(data)["ResultCode"], 0)

    def test_version_and_unknown_method(self):
        self.key = self.sak()
        env = self.call("ItemsBasic.SetNewGoods", {}, version="1.0")
        self.assertEqual(env.get("ErrorCode"), -90001, env)
        env = self.call("ItemsBasic.NoSuchMethod", {})
        self.assertEqual(env.get("ErrorCode"), -90001, env)
        env = self.call("ItemsLookup.GetItemDetailInfo", {"ItemCode": "1"}, version="1.1")
        self.assertEqual(env.get("ResultCode"), -10001)   # 1.1 also served

    def test_body_checks_and_xml(self):
        self.key = self.sak()
        st, env = self.cl.qapi("ItemsLookup.GetAllGoodsInfo", {"ItemStatus": "S2", "x": "日本"},
                               key=self.key, ctype="application/x-www-form-urlencoded")
        self.assertEqual(env["ResultCode"], -10101)
        st, r, data = self.cl.raw("POST", QAPI + "/ItemsLookup.GetAllGoodsInfo",
                                  json.dumps({"ItemStatus": "S2"}),
                                  {"Content-Type": "application/json", "QAPIVersion": "1.0",
                                   "GiosisCertificationKey": self.key})
        self.assertEqual(json.loads(data)["ResultCode"], -10003)
        st, r, data = self.cl.raw("POST", QAPI + "/ItemsLookup.GetAllGoodsInfo",
                                  "ItemStatus=S2&returnType=text%2Fxml",
                                  {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
                                   "QAPIVersion": "1.0", "GiosisCertificationKey": self.key})
        self.assertTrue(r.getheader("Content-Type").startswith("text/xml"))
        self.assertIn(b"<ResultCode>0</ResultCode>", data)


class TestAuth(Base):
    key = ""

    def test_certification_flow_and_codes(self):
        sak = self.sak()
        self.assertIn("_g_1_", sak)
        cases = [({"user_id": USER, "pwd": "wrong"}, API_KEY, -10001),
                 ({"pwd": PWD}, API_KEY, -99),
                 ({"user_id": USER, "pwd": PWD}, "nope", -10000)]
        for params, key, code in cases:
            st, env = self.cl.qapi("CertificationAPI.CreateCertificationKey", params, key=key)
            self.assertEqual(env["ResultCode"], code, (params, env))
        self.key = sak
        self.ok("ItemsLookup.GetAllGoodsInfo", {"ItemStatus": "S2"})
        self.assertEqual(self.call("ItemsLookup.GetAllGoodsInfo", {"ItemStatus": "S2"},
                                   key="")["ResultCode"], -10000)
        self.assertEqual(self.call("ItemsLookup.GetAllGoodsInfo", {"ItemStatus": "S2"},
                                   key="garbage")["ErrorCode"], -90001)
        self.assertEqual(self.call("ItemsLookup.GetAllGoodsInfo", {"ItemStatus": "S2"},
                                   key=API_KEY)["ResultCode"], -99)

    def test_expiry(self):
        self.key = self.sak()
        st, out = self.cl.ctl("expire_keys", {})
        self.assertEqual(out["expired"], 1)
        env = self.call("ItemsLookup.GetAllGoodsInfo", {"ItemStatus": "S2"})
        self.assertEqual(env["ResultCode"], -90004, env)
        old = self.key
        self.key = self.sak()          # a new key works at once
        self.assertNotEqual(old, self.key)
        self.ok("ItemsLookup.GetAllGoodsInfo", {"ItemStatus": "S2"})
        self.cl.ctl("expire-keys", {"after_calls": 2, "code": -90005})
        self.ok("ItemsLookup.GetAllGoodsInfo", {"ItemStatus": "S2"})
        self.ok("ItemsLookup.GetAllGoodsInfo", {"ItemStatus": "S2"})
        env = self.call("ItemsLookup.GetAllGoodsInfo", {"ItemStatus": "S2"})
        self.assertEqual(env["ResultCode"], -90005, env)
        # A new password invalidates the seller's keys.
        self.key = self.sak()
        self.cl.ctl("seller", {"api_key": API_KEY, "user_id": USER, "password": "new"})
        self.assertEqual(self.call("ItemsLookup.GetAllGoodsInfo",
                                   {"ItemStatus": "S2"})["ResultCode"], -90005)
        st, env = self.cl.qapi("CertificationAPI.CreateCertificationKey",
                               {"user_id": USER, "pwd": "new"}, key=API_KEY)
        self.assertEqual(env["ResultCode"], 0)


class TestItems(Base):
    def setUp(self):
        Base.setUp(self)
        self.key = self.sak()

    def test_set_new_goods_validation(self):
        env = self.new_goods("P-1", 1000, "カラー||*赤||*サイズ||*M||*0||*3||*P-1-RM$$"
                                           "カラー||*青||*サイズ||*L||*500||*2||*P-1-BL")
        self.assertEqual(env["ResultCode"], 0, env)
        code = env["ResultObject"]["GdNo"]
        self.assertRegex(code, r"^\d{9,10}$")
        env = self.new_goods("P-1")
        self.assertEqual(env["ResultCode"], -10001, env)
        env = self.new_goods("P-2", 1000, "カラー||*赤||*0||*3||*A$$カラー||*青||*501||*3||*B")
        self.assertEqual(env["ResultCode"], -10101)
        self.assertIn("50%", env["ResultMsg"])
        env = self.new_goods("P-3", 1000, "カラー||*赤||*-500||*3||*A$$カラー||*青||*500||*3||*B")
        self.assertEqual(env["ResultCode"], -10101)   # no option at extra price 0
        env = self.new_goods("P-4", 1000, "カラー||*赤||*0||*3||*A$$カラー||*青||*-500||*3||*B")
        self.assertEqual(env["ResultCode"], 0, env)   # -50% is allowed
        env = self.new_goods("P-5", ItemTitle="")
        self.assertEqual(env["ResultCode"], -10101)
        self.assertIn("ItemTitle", env["ResultMsg"])
        self.assertEqual(self.new_goods("P-6", ItemTitle="あ" * 101)["ResultCode"], -10101)
        self.assertEqual(self.new_goods("P-6", ItemTitle="あ" * 100)["ResultCode"], 0)
        self.assertEqual(self.new_goods("P-7", 1000000000)["ResultCode"], -10101)
        self.assertEqual(self.new_goods("P-8", AvailableDateValue="5")["ResultCode"], -10005)
        self.assertEqual(self.new_goods("P-9", Keyword=",".join(["k"] * 11))["ResultCode"], -10101)
        self.assertEqual(self.new_goods("P-10", ItemType="a||*b||*0")["ResultCode"], -10101)
        c = self.counters()
        self.assertEqual(c["by_key"]["SetNewGoods"]["P-1"], {"calls": 2, "ok": 1, "failed": 1})
        self.assertEqual(c["methods"]["ItemsBasic.SetNewGoods"]["calls"], 12)
        inv = self.ok("ItemsLookup.GetGoodsInventoryInfo", {"ItemCode": code})["ResultObject"]
        self.assertEqual([(r["Name1"], r["Value1"], r["Name2"], r["Value2"], r["Price"], r["ItemTypeCode"])
                          for r in inv],
                         [("カラー", "赤", "サイズ", "M", 0, "P-1-RM"),
                          ("カラー", "青", "サイズ", "L", 500, "P-1-BL")])
        d = self.ok("ItemsLookup.GetItemDetailInfo", {"SellerCode": "P-1"})["ResultObject"][0]
        self.assertEqual((d["ItemCode"], d["ItemStatus"], d["ItemPrice"]), (code, "S1", "1000"))
        self.assertIn("OptionShippingNo1", d)

    def test_item_setters(self):
        code = self.new_goods("S-1", 1000, "色||*赤||*0||*3||*A$$色||*青||*400||*3||*B")["ResultObject"]["GdNo"]
        self.ok("ItemsBasic.EditGoodsStatus", {"ItemCode": code, "Status": "2"})
        self.assertEqual(self.call("ItemsBasic.EditGoodsStatus",
                                   {"ItemCode": code, "Status": "9"})["ResultCode"], -10006)
        self.assertEqual(self.call("ItemsBasic.EditGoodsStatus",
                                   {"ItemCode": "1", "Status": "2"})["ResultCode"], -10001)
        items = self.ok("ItemsLookup.GetAllGoodsInfo", {"ItemStatus": "S2"})["ResultObject"]
        self.assertEqual((items["TotalItems"], items["Items"][0]["SellerCode"]), (1, "S-1"))
        # The listing kept between pages follows every change: a status set, an item seeded.
        self.ok("ItemsBasic.EditGoodsStatus", {"ItemCode": code, "Status": "1"})
        self.assertEqual(self.ok("ItemsLookup.GetAllGoodsInfo",
                                 {"ItemStatus": "S2"})["ResultObject"]["TotalItems"], 0)
        self.assertEqual(self.ok("ItemsLookup.GetAllGoodsInfo",
                                 {"ItemStatus": "S1"})["ResultObject"]["TotalItems"], 1)
        self.assertEqual(self.cl.ctl("seed", {"items": [{"SellerCode": "S-2", "ItemTitle": "t",
                                                         "ItemPrice": 500,
                                                         "ItemStatus": "S1"}]})[0], 200)
        self.assertEqual([i["SellerCode"] for i in self.ok(
            "ItemsLookup.GetAllGoodsInfo", {"ItemStatus": "S1"})["ResultObject"]["Items"]],
            ["S-1", "S-2"])
        self.ok("ItemsBasic.EditGoodsStatus", {"ItemCode": code, "Status": "2"})
        # Price 700 would put the +400 option beyond 50%.
        self.assertEqual(self.call("ItemsOrder.SetGoodsPriceQty",
                                   {"ItemCode": code, "Price": "700"})["ResultCode"], -10101)
        self.ok("ItemsOrder.SetGoodsPriceQty", {"SellerCode": "S-1", "Price": "900", "Qty": "7",
                                                "ExpireDate": "2030-12-31"})
        d = self.ok("ItemsLookup.GetItemDetailInfo", {"ItemCode": code})["ResultObject"][0]
        self.assertEqual((d["ItemPrice"], d["ItemQty"], d["ExpireDate"]), ("900", "7", "2030-12-31"))
        self.assertEqual(self.call("ItemsOptions.EditGoodsInventory",
                                   {"ItemCode": code, "InventoryInfo": "色||*赤||*0||*1||*A$$色||*青"}
                                   )["ResultCode"], -10002)
        self.ok("ItemsOptions.EditGoodsInventory",
                {"ItemCode": code, "InventoryInfo": "色||*白||*0||*1||*W$$色||*黒||*450||*2||*K"})
        env = self.call("ItemsOptions.UpdateInventoryDataBulk", {"ItemInfoJson": json.dumps([
            {"ItemCode": code, "OptionName": "色", "OptionValue": "黒", "OptionCode": "K",
             "Price": "100", "Qty": "9"},
            {"ItemCode": code, "OptionName": "色", "OptionValue": "緑", "Price": "0", "Qty": "1"}])})
        self.assertEqual(env["ResultCode"], -1)
        self.assertEqual([v["ResultCode"] for v in env["ResultObject"]["Values"]], [0, -10002])
        # UpdateInventoryQtyUnit: the absolute quantity of one option, counted per item:option.
        self.ok("ItemsOptions.UpdateInventoryQtyUnit", {"ItemCode": code, "OptionName": "色",
                                                        "OptionValue": "白", "OptionCode": "W",
                                                        "Qty": "12"})
        self.assertEqual(self.call("ItemsOptions.UpdateInventoryQtyUnit",
                                   {"ItemCode": code, "OptionCode": "Z", "Qty": "1"})["ResultCode"],
                         -10002)
        rows = self.ok("ItemsLookup.GetGoodsInventoryInfo", {"ItemCode": code})["ResultObject"]
        self.assertEqual([str(r["Qty"]) for r in rows if r["ItemTypeCode"] == "W"], ["12"])
        by = self.cl.ctl("counters")[1]["by_key"]["UpdateInventoryQty"]
        self.assertEqual(by[code + ":W"]["ok"], 1)
        self.ok("ItemsContents.EditGoodsMultiImage", {"ItemCode": code,
                                                      "EnlargedImage1": "https://example.jp/1.jpg"})
        self.assertEqual(self.call("ItemsContents.EditGoodsMultiImage",
                                   {"ItemCode": code, "EnlargedImage1": "ftp://x"})["ResultCode"], -10002)
        base = {"ItemCode": code, "SecondSubCat": "320001234", "ItemTitle": "新タイトル",
                "ProductionPlaceType": "1", "ProductionPlace": "TOKYO", "AdultYN": "N",
                "AvailableDateType": "0", "AvailableDateValue": "3"}
        self.ok("ItemsBasic.UpdateGoods", base)
        self.assertEqual(self.call("ItemsBasic.UpdateGoods",
                                   dict(base, SecondSubCat=""))["ResultCode"], -99)
        self.assertEqual(self.call("ItemsBasic.UpdateGoods",
                                   dict(base, ProductionPlace=""))["ResultCode"], -10004)
        self.assertEqual(self.call("ItemsBasic.UpdateGoods",
                                   dict(base, AvailableDateValue="9"))["ResultCode"], -10003)
        st = self.cl.ctl("state", method="GET")[1]
        it = st["items"][0]
        self.assertEqual((it["ItemTitle"], it["MultiImages"], it["Inventory"][1]["qty"]),
                         ("新タイトル", ["https://example.jp/1.jpg"], 9))

    def test_delivery_groups_as_the_reference_says(self):
        # Reference 3.x (GetSellerDeliveryGroupInfo, no params): rows {ShippingNo, ShippingFee,
        # ShippingType X/F/M/W/D/R, FreeCondition, Region Y/N, Oversea Y/N, transcName}; the
        # template 0 is free shipping (reference 1).
        rows = self.ok("ItemsLookup.GetSellerDeliveryGroupInfo")["ResultObject"]
        self.assertTrue(rows)
        for r in rows:
            self.assertEqual(set(r), {"ShippingNo", "ShippingFee", "ShippingType", "FreeCondition",
                                      "Region", "Oversea", "transcName"}, r)
            self.assertIn(r["ShippingType"], "XFMWDR")
            self.assertIn(r["Region"], ("Y", "N"))
            self.assertIn(r["Oversea"], ("Y", "N"))
        free = [r for r in rows if r["ShippingNo"] == "0"]
        self.assertEqual((free[0]["ShippingFee"], free[0]["ShippingType"]), (0, "X"))
        self.assertTrue(any(r["ShippingType"] == "M" and r["FreeCondition"] > 0 for r in rows))

    def test_bulk_limits(self):
        many = json.dumps([{"ItemCode": str(i), "Price": "100", "Qty": "1"} for i in range(501)])
        env = self.call("ItemsOrder.SetGoodsPriceQtyBulk", {"ItemInfoJson": many})
        self.assertEqual(env["ResultCode"], -2, env)
        env = self.call("ItemsOrder.SetGoodsPriceQtyBulk",
                        {"ItemInfoJson": json.dumps(json.loads(many)[:500])})
        self.assertEqual((env["ResultCode"], env["ResultObject"]["Count"]), (-1, 500))
        ship = json.dumps([{"OrderNo": str(i), "ShippingCorp": "Yamato", "TrackingNo": "1"}
                           for i in range(501)])
        self.assertEqual(self.call("ShippingBasic.SetSendingInfoBulk",
                                   {"ShippingInfoJson": ship})["ResultCode"], -2)
        self.assertEqual(self.call("ItemsOptions.UpdateInventoryDataBulk",
                                   {"ItemInfoJson": many})["ResultCode"], -2)
        plan = json.dumps([{"OrderNo": str(i), "EstShipDt": "20300101"} for i in range(501)])
        self.assertEqual(self.call("ShippingBasic.SetSellerCheckYNBulk",
                                   {"SendPlanDtInfoJson": plan})["ResultCode"], -10011)
        # A rejected bulk call counts no lines.
        c = self.counters()
        self.assertEqual(sum(v["calls"] for v in c["by_key"]["SetGoodsPriceQty"].values()), 500)


class TestOrders(Base):
    def setUp(self):
        Base.setUp(self)
        self.key = self.sak()
        self.cl.ctl("clock", {"now": "2025-03-01 12:00:00"})

    def seed_orders(self, n, **kw):
        body = {"generate_orders": n, "seed": 5, "start": "2025-01-01", "days": 30}
        body.update(kw)
        st, out = self.cl.ctl("seed", body)
        self.assertEqual(st, 200, out)
        return out["order_nos"]

    def fetch(self, status, s, e, cond="1"):
        env = self.ok("ShippingBasic.GetShippingInfo_v3",
                      {"ShippingStatus": status, "SearchStartDate": s, "SearchEndDate": e,
                       "SearchCondition": cond})
        return env["ResultObject"]

    def test_windows_and_row_cap(self):
        nos = self.seed_orders(600, statuses={"1": 1, "2": 3, "3": 1, "4": 1, "5": 1})
        self.cl.ctl("config", {"max_rows": 100})
        rows = self.fetch("2", "20250101", "20250131")
        self.assertEqual(len(rows), 100)      # capped, silently
        self.assertEqual([r["OrderDate"] for r in rows], sorted(r["OrderDate"] for r in rows))
        r0 = rows[0]
        self.assertEqual(r0["ShippingStatus"], "On request(2)")
        for f in ("OrderDate", "PaymentDate"):
            self.assertRegex(r0[f], DATE_RE)
        self.assertIn(str(r0["OrderNo"]), r0["RelatedOrder"].split(","))
        self.assertEqual(r0["Total"], r0["OrderPrice"] * r0["OrderQty"] - r0["Discount"])

        def collect(s, e):   # split a window until it is under the cap
            rows = self.fetch("2", s.strftime("%Y%m%d%H%M%S"), e.strftime("%Y%m%d%H%M%S"))
            if len(rows) < 100:
                return rows
            from datetime import timedelta
            mid = s + (e - s) / 2
            mid = mid.replace(microsecond=0)
            return collect(s, mid) + collect(mid + timedelta(seconds=1), e)

        from datetime import datetime
        got = collect(datetime(2025, 1, 1), datetime(2025, 1, 31, 23, 59, 59))
        state = self.cl.ctl("state?sections=orders", method="GET")[1]["orders"]
        want = {o["OrderNo"] for o in state if o["_status"] == 2}
        self.assertEqual({r["OrderNo"] for r in got}, want)
        self.assertEqual(len(got), len(want))
        # statuses 0 = 1..3; windows over 90 days; malformed dates
        self.cl.ctl("config", {"max_rows": 0})
        s123 = self.fetch("0", "20250101", "20250131")
        self.assertEqual({r["ShippingStatus"] for r in s123},
                         {"Awaiting shipping(1)", "On request(2)", "Seller confirm(3)"})
        env = self.call("ShippingBasic.GetShippingInfo_v3",
                        {"ShippingStatus": "2", "SearchStartDate": "20250101", "SearchEndDate": "20250401"})
        self.assertEqual(env["ResultCode"], -10003)
        env = self.call("ShippingBasic.GetShippingInfo_v3",
                        {"ShippingStatus": "2", "SearchStartDate": "2025-01-01", "SearchEndDate": "20250131"})
        self.assertEqual(env["ResultCode"], -10002)
        empty = self.fetch("2", "20240101", "20240131")
        self.assertEqual(empty, [])
        shipped = self.fetch("4", "20250101", "20250228", cond="3")
        self.assertTrue(shipped and all(r["TrackingNo"] and r["ShippingDate"] for r in shipped))
        self.assertEqual(len(nos), 600)

    def test_send_exactly_once_counters(self):
        a, b = self.seed_orders(2, statuses=[2])
        p = {"OrderNo": str(a), "ShippingCorp": "ヤマト宅急便", "TrackingNo": "123456789012"}
        self.ok("ShippingBasic.SetSendingInfo", p)
        env = self.call("ShippingBasic.SetSendingInfo", p)
        self.assertEqual(env["ResultCode"], -10012, env)
        env = self.call("ShippingBasic.SetSendingInfo", dict(p, OrderNo=str(b), ShippingCorp="UnknownCorp"))
        self.assertEqual(env["ResultCode"], -10002)
        env = self.call("ShippingBasic.SetSendingInfoBulk", {"ShippingInfoJson": json.dumps(
            [dict(p, OrderNo=str(b)), p])})
        self.assertEqual(env["ResultCode"], -1)
        self.assertEqual([(x["contr_no"], x["result_cd"]) for x in env["ResultObject"]],
                         [(str(b), 0), (str(a), -10012)])
        c = self.counters()["by_key"]["SetSendingInfo"]
        self.assertEqual(c[str(a)], {"calls": 3, "ok": 1, "failed": 2})
        self.assertEqual(c[str(b)], {"calls": 2, "ok": 1, "failed": 1})
        rows = self.fetch("4", "20250301", "20250301", cond="3")
        self.assertEqual({(r["OrderNo"], r["ShippingStatus"]) for r in rows},
                         {(a, "On delivery(4)"), (b, "On delivery(4)")})
        self.assertEqual(rows[0]["ShippingDate"], "2025-03-01 12:00:00")

    def test_confirm_cancel_claims(self):
        a, b, c = self.seed_orders(3, statuses=[2])
        chk = lambda no, d: self.call("ShippingBasic.SetSellerCheckYN_V2",
                                      {"OrderNo": str(no), "EstShipDt": d, "DelayType": "1"})["ResultCode"]
        self.assertEqual(chk(a, "20250301"), -10018)
        self.assertEqual(chk(a, "20250401"), -10017)
        self.assertEqual(chk(a, ""), -10016)
        self.assertEqual(chk(a, "20250303"), 0)
        self.assertEqual(chk(a, "20250303"), -10012)
        row = [r for r in self.fetch("3", "20250101", "20250131") if r["OrderNo"] == a][0]
        self.assertEqual(row["EstimatedShippingDate"], "2025-03-03 00:00:00")
        cancel = lambda no: self.call("Claim.SetCancelProcess",
                                      {"ContrNo": str(no), "CancelReason": "1"})["ResultCode"]
        self.assertEqual(cancel(a), 0)
        self.assertEqual(cancel(a), -10004)
        self.assertEqual(cancel("x"), -10001)
        self.assertEqual(cancel(1), -10002)
        self.cl.ctl("seller", {"api_key": "k2", "user_id": "other", "password": "p"})
        self.cl.ctl("seed", {"orders": [{"OrderNo": 42, "seller": "other", "status": 2}]})
        self.assertEqual(cancel(42), -10003)
        self.assertNotIn(a, [r["OrderNo"] for r in self.fetch("0", "20250101", "20250131")])
        claims = self.ok("ShippingBasic.GetClaimInfo_V3",
                         {"ClaimStat": "3", "search_Sdate": "20250301", "search_Edate": "20250301",
                          "search_condition": "2"})["ResultObject"]
        self.assertEqual([(x["orderNo"], x["claimStatus"]) for x in claims], [(a, 3)])
        env = self.call("ShippingBasic.GetClaimInfo_V3",
                        {"search_Sdate": "20241101", "search_Edate": "20250301"})
        self.assertEqual(env["ResultCode"], -10003)
        # Control: advance order b to delivered; c to "cancelled".
        self.cl.ctl("advance", {"orders": [b], "to": 5})
        self.cl.ctl("advance", {"orders": [c], "to": "cancelled"})
        st = {o["OrderNo"]: o for o in self.cl.ctl("state?sections=orders", method="GET")[1]["orders"]}
        self.assertEqual(st[b]["ShippingStatus"], "Delivered(5)")
        self.assertTrue(st[b]["TrackingNo"] and st[b]["DeliveredDate"] == "2025-03-01 12:00:00")
        self.assertTrue(st[c]["_cancelled"])

    def test_advance_one_step_and_orders_view(self):
        (a,) = self.seed_orders(1, statuses=[1])
        self.cl.ctl("advance", {})
        o = self.cl.ctl("orders")[1]["orders"][0]
        self.assertEqual((o["OrderNo"], o["ShippingStatus"], o["PaymentDate"], o["status"]),
                         (a, "On request(2)", "2025-03-01 12:00:00", 2))
        row = self.fetch("2", "20250101", "20250131")[0]
        self.assertEqual(row, {k: v for k, v in o.items() if k not in ("status", "cancelled")})
        self.cl.ctl("config", {"numbers_as_strings": True})
        self.assertEqual(self.fetch("2", "20250101", "20250131")[0]["OrderNo"], str(a))
        c = self.cl.ctl("counters", {"reset": True})[1]
        self.assertEqual(c["methods"], {})

    def test_inquiries(self):
        st, out = self.cl.ctl("seed", {"inquiries": [
            {"INQ_TYPE": "ITEM", "TITLE": "サイズ", "CONTENTS": "Mはありますか", "INQ_DT": "2025-02-27 10:00:00"},
            {"INQ_TYPE": "MSG", "TITLE": "発送", "CONTENTS": "いつ？", "INQ_DT": "2025-02-28 10:00:00",
             "STATUS": "S3"}]})
        q1 = out["question_nos"][0]
        rows = self.ok("CSCenter.GetInquiryMessage", {"search_start_dt": "20250201",
                                                      "search_end_dt": "20250301",
                                                      "proc_status": "S1"})["ResultObject"]
        self.assertEqual([r["QUESTION_NO"] for r in rows], [q1])
        env = self.ok("CSCenter.SetInquiryMessage", {"inq_type": "ITEM", "question_no": str(q1),
                                                     "seq_no": str(rows[0]["SEQ_NO"]),
                                                     "contents": "ございます。"})
        self.assertIn("SEQ_NO", env["ResultObject"])
        self.assertEqual(self.call("CSCenter.SetInquiryMessage",
                                   {"question_no": "999", "contents": "x"})["ResultCode"], -10001)
        self.assertEqual(self.call("CSCenter.SetInquiryMessage",
                                   {"question_no": str(q1), "contents": "x" * 4001})["ResultCode"], -10001)
        self.assertEqual(self.counters()["by_key"]["SetInquiryMessage"][str(q1)]["ok"], 1)


class TestFaults(Base):
    def setUp(self):
        Base.setUp(self)
        self.key = self.sak()

    def test_error_rate_is_roughly_honoured(self):
        self.cl.ctl("faults", {"error_rate": 0.2, "seed": 7, "methods": ["GetAllGoodsInfo"]})
        n, errors = 500, 0
        for _ in range(n):
            st, env = self.cl.qapi("ItemsLookup.GetAllGoodsInfo", {"ItemStatus": "S2"}, key=self.key)
            if st == 500:
                errors += 1
                self.assertIn(b"<html>", env)
        self.assertTrue(0.14 * n < errors < 0.26 * n, errors)
        m = self.counters()["methods"]["ItemsLookup.GetAllGoodsInfo"]
        self.assertEqual((m["calls"], m["faulted"], m["ok"]), (n, errors, n - errors))
        # other methods are not in the filter
        for _ in range(50):
            st, env = self.cl.qapi("ItemsLookup.GetItemDetailInfo", {"ItemCode": "1"},
                                   key=self.key, version="1.2")
            self.assertEqual(st, 200)

    def test_drop_closes_connection(self):
        self.cl.ctl("faults", {"drop_next": 1})
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            self.cl.qapi("ItemsLookup.GetAllGoodsInfo", {"ItemStatus": "S2"}, key=self.key)
        self.cl.close()
        self.cl = Client()
        st, env = self.cl.qapi("ItemsLookup.GetAllGoodsInfo", {"ItemStatus": "S2"}, key=self.key)
        self.assertEqual(env["ResultCode"], 0)
        self.assertEqual(self.counters()["methods"]["ItemsLookup.GetAllGoodsInfo"]["dropped"], 1)

    def test_fault_after_effect_and_latency(self):
        st, out = self.cl.ctl("seed", {"orders": [{"status": 2, "OrderPrice": 100}]})
        no = str(out["order_nos"][0])
        self.cl.ctl("faults", {"fail_next": 1, "phase": "after", "methods": ["SetSendingInfo"]})
        p = {"OrderNo": no, "ShippingCorp": "Sagawa", "TrackingNo": "1"}
        st, _ = self.cl.qapi("ShippingBasic.SetSendingInfo", p, key=self.key)
        self.assertEqual(st, 500)
        o = self.cl.ctl("state?sections=orders", method="GET")[1]["orders"][0]
        self.assertEqual(o["ShippingStatus"], "On delivery(4)")   # applied, answer lost
        self.assertEqual(self.call("ShippingBasic.SetSendingInfo", p)["ResultCode"], -10012)
        self.assertEqual(self.counters()["by_key"]["SetSendingInfo"][no]["calls"], 2)
        self.cl.ctl("faults", {"latency_ms": [80, 80]})
        t = time.time()
        self.ok("ItemsLookup.GetAllGoodsInfo", {"ItemStatus": "S2"})
        self.assertGreaterEqual(time.time() - t, 0.075)
        st, out = self.cl.ctl("faults", {"error_rate": 2})
        self.assertEqual(st, 400)


class TestHook(Base):
    key = ""

    def test_same_key_same_ref(self):
        req = {"id": "1", "kind": "note", "key": "k1", "shop": "s", "order_no": "300000001",
               "title": "t", "body": "b"}
        st, a = self.cl.hook("note", req)
        self.assertEqual((st, a["ok"], a["id"]), (200, True, "1"))
        st, b = self.cl.hook("note", dict(req, id="2"))
        self.assertEqual((b["ref"], b["id"]), (a["ref"], "2"))
        st, c = self.cl.hook("note", dict(req, key="k2", order_no="300000002"))
        self.assertNotEqual(c["ref"], a["ref"])
        st, d = self.cl.hook("note", {"id": "3", "kind": "note"})
        self.assertEqual((st, d["retry"]), (400, False))
        self.cl.ctl("faults", {"reject": {"orders": ["9"], "error": "no such buyer"}})
        st, e = self.cl.hook("note", {"id": "4", "key": "k9", "orders": [{"order_no": 9}]})
        self.assertEqual((st, e["ok"], e["retry"], e["error"]), (422, False, False, "no such buyer"))
        cn = self.counters()
        self.assertEqual((cn["hook_calls"]["k1"], cn["hook_effects"]["k1"]), (2, 1))
        self.assertEqual(cn["hook_orders"]["note"]["300000001"], {"calls": 2, "effects": 1})
        self.assertEqual(cn["hook_totals"], {"calls": 4, "effects": 2, "repeats": 2})
        dl = self.cl.ctl("state?sections=hook_deliveries", method="GET")[1]["hook_deliveries"]
        self.assertEqual([(x["key"], x["attempts"]) for x in dl], [("k1", 2), ("k2", 1)])

    def test_hook_program_with_faults(self):
        self.cl.ctl("faults", {"error_rate": 0.2, "drop_rate": 0.05, "seed": 3,
                               "phase": "mixed", "latency_ms": [0, 3]})
        url = "http://127.0.0.1:%d" % SERVER["port"]
        pending = {str(i): {"id": str(i), "kind": "note", "key": "note-%d" % (i % 150),
                            "shop": "s", "order_no": str(300000000 + i % 150), "title": "t"}
                   for i in range(200)}
        refs = {}
        for _ in range(30):
            if not pending:
                break
            lines = "".join(json.dumps(r) + "\n" for r in pending.values())
            if _ == 0:
                lines += "not json\n"
            p = subprocess.run([PY, os.path.join(HERE, "hook.py"), "--url", url + QAPI, "--workers", "3"],
                               input=lines, capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            answers = [json.loads(x) for x in p.stdout.splitlines()]
            ids = [a["id"] for a in answers if a["id"] is not None]
            self.assertEqual(sorted(ids), sorted(pending), "each request answered exactly once")
            if _ == 0:
                self.assertIn({"id": None, "ok": False, "error": "request is not a JSON object",
                               "retry": False}, answers)
            for a in answers:
                if a["id"] is None:
                    continue
                if a["ok"]:
                    key = pending[a["id"]]["key"]
                    self.assertEqual(refs.setdefault(key, a["ref"]), a["ref"])
                    del pending[a["id"]]
                else:
                    self.assertTrue(a["retry"], a)
        self.assertFalse(pending, "hook deliveries never succeeded")
        self.cl.ctl("faults", {})
        cn = self.counters()
        self.assertEqual(len(cn["hook_effects"]), 150)
        self.assertTrue(all(v["effects"] == 1 for v in cn["hook_orders"]["note"].values()))
        self.assertGreater(cn["methods"]["hook:note"]["faulted"], 0)


class TestControl(Base):
    key = ""

    def test_reset(self):
        self.cl.ctl("seed", {"generate_orders": 10, "generate_fans": 3, "generate_inquiries": 2,
                             "items": [{"ItemTitle": "x", "ItemPrice": 100, "SellerCode": "Z"}]})
        self.cl.ctl("faults", {"error_rate": 0.5})
        self.cl.ctl("config", {"max_rows": 5})
        self.cl.hook("note", {"key": "a"})
        s = self.cl.ctl("state", method="GET")[1]
        self.assertEqual((len(s["orders"]), len(s["fans"]), len(s["items"]), len(s["inquiries"])),
                         (10, 3, 1, 2))
        self.cl.ctl("reset", {})
        s = self.cl.ctl("state", method="GET")[1]
        for k in ("orders", "fans", "items", "inquiries", "hook_deliveries", "claims", "keys"):
            self.assertEqual(s[k], [], k)
        self.assertEqual(s["counters"]["methods"], {})
        self.assertEqual(s["config"]["max_rows"], 1000)
        self.assertEqual([x["user_id"] for x in s["sellers"]], [USER])
        self.assertEqual(self.cl.ctl("faults")[1]["faults"].get("error_rate", 0), 0)
        self.assertEqual(self.cl.ctl("bogus", {})[0], 404)
        self.assertEqual(self.cl.ctl("orders")[1], {"orders": []})
        self.assertEqual(self.cl.ctl("seed", {"orders": [{"status": 9}]})[0], 400)

    def test_generator_is_realistic_and_deterministic(self):
        out1 = self.cl.ctl("seed", {"generate_orders": 300, "seed": 11, "start": "2025-01-01"})[1]
        s1 = self.cl.ctl("state?sections=orders", method="GET")[1]["orders"]
        self.cl.ctl("reset", {})
        self.cl.ctl("seed", {"generate_orders": 300, "seed": 11, "start": "2025-01-01"})
        s2 = self.cl.ctl("state?sections=orders", method="GET")[1]["orders"]
        self.assertEqual(s1, s2)
        self.assertLess(out1["packs"], 300)    # some carts have several lines
        multi = [o for o in s1 if "," in o["RelatedOrder"]]
        self.assertTrue(multi)
        self.assertEqual({o["_status"] for o in s1}, {1, 2, 3, 4, 5})
        self.assertTrue(all(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", o["Buyer"]) for o in s1))
        self.assertTrue(all(o["OrderDate"].startswith("2025-01") for o in s1))
        nos = [o["OrderNo"] for o in sorted(s1, key=lambda o: (o["OrderDate"], o["OrderNo"]))]
        self.assertEqual(nos, sorted(nos))

    def test_sandboxctl_and_state_file(self):
        d = tempfile.mkdtemp(prefix="qs-sandboxctl-")
        try:
            ctl = os.path.join(HERE, "sandboxctl")
            st = os.path.join(d, "state.json")
            p = subprocess.run([ctl, "start", d, "--state", st], capture_output=True, text=True, timeout=30)
            self.assertEqual(p.returncode, 0, p.stderr)
            url = p.stdout.strip()
            self.assertRegex(url, r"^http://127\.0\.0\.1:\d+$")
            with open(os.path.join(d, "sandbox.url")) as f:
                self.assertEqual(f.read().strip(), url)
            run = lambda *a: subprocess.run([ctl, "call", d] + list(a), capture_output=True,
                                            text=True, timeout=30)
            self.assertEqual(json.loads(run("seed", '{"generate_orders": 7}').stdout)["orders"], 7)
            self.assertEqual(json.loads(run("counters").stdout)["totals"]["calls"], 0)
            self.assertEqual(run("faults", '{"error_rate": 7}').returncode, 1)
            with open(os.path.join(d, "sandbox.pid")) as f:
                pid = int(f.read())
            self.assertEqual(subprocess.run([ctl, "stop", d], timeout=30).returncode, 0)
            self.assertFalse(os.path.exists(os.path.join(d, "sandbox.pid")))
            with self.assertRaises(OSError):
                os.kill(pid, 0)
            # the state file carries the orders into the next start
            subprocess.run([ctl, "start", d, "--state", st], capture_output=True, timeout=30, check=True)
            s = json.loads(run("state").stdout)
            self.assertEqual(len(s["orders"]), 7)
            subprocess.run([ctl, "stop", d], timeout=30, check=True)
        finally:
            shutil.rmtree(d, ignore_errors=True)


# ------------------------------------------------ issue 9: modes, knobs, faults
def raw_qapi(cl, method, params, key, version="1.0"):
    """A path-form call -> (HTTP status, Content-Type, body text)."""
    params = dict(params, returnType="application/json")
    st, r, data = cl.raw("POST", QAPI + "/" + method, urllib.parse.urlencode(params),
                         {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
                          "QAPIVersion": version, "GiosisCertificationKey": key})
    return st, r.getheader("Content-Type"), data.decode("utf-8")


class OrdersBase(Base):
    """A key, the clock pinned at 2025-03-01 12:00:00 and helpers."""
    NOW = "2025-03-01 12:00:00"

    def setUp(self):
        Base.setUp(self)
        self.key = self.sak()
        self.cl.ctl("clock", {"now": self.NOW})

    def seed_orders(self, n, **kw):
        body = {"generate_orders": n, "seed": 5, "start": "2025-01-01", "days": 30}
        body.update(kw)
        st, out = self.cl.ctl("seed", body)
        self.assertEqual(st, 200, out)
        return out["order_nos"]

    def mode(self, mode, **knobs):
        st, out = self.cl.ctl("config", dict(knobs, mode=mode))
        self.assertEqual(st, 200, out)
        return out["config"]

    def order(self, no):
        return [o for o in self.cl.ctl("orders")[1]["orders"] if o["OrderNo"] == no][0]


class TestModes(OrdersBase):
    def test_R_SYN_9_mode_switch_sets_its_defaults_and_knobs_override(self):
        cfg = self.cl.ctl("config")[1]["config"]
        self.assertEqual((cfg["mode"], cfg["strict_version"], cfg["claim_status_form"],
                          cfg["open_zero_covers"]), ("invented", True, "int", [1, 2, 3]))
        self.assertIsInstance(cfg["carriers"], list)
        cfg = self.mode("documented")
        self.assertEqual((cfg["strict_version"], cfg["carriers"], cfg["claim_status_form"]),
                         (False, None, "label"))
        cfg = self.mode("documented", claim_status_form="ja", open_zero_covers=[1, 2])
        self.assertEqual((cfg["claim_status_form"], cfg["open_zero_covers"]), ("ja", [1, 2]))
        cfg = self.mode("invented")
        self.assertEqual((cfg["strict_version"], cfg["claim_status_form"]), (True, "int"))
        for bad in ({"mode": "real"}, {"claim_status_form": "roman"},
                    {"open_zero_covers": [0]}, {"open_zero_covers": "1"}):
            self.assertEqual(self.cl.ctl("config", bad)[0], 400, bad)
        self.cl.ctl("config", {"mode": "documented"})
        self.cl.ctl("reset", {})
        self.assertEqual(self.cl.ctl("config")[1]["config"]["mode"], "invented")

    def test_R_SYN_9_server_option_and_sandboxctl_env_choose_the_mode(self):
        p, port, tmp = start_server(["--mode", "documented"])
        d = tempfile.mkdtemp(prefix="qs-sandboxctl-mode-")
        try:
            cl = Client(port)
            cl.ctl("reset", {})   # reset comes back to the server's mode
            self.assertEqual(cl.ctl("config")[1]["config"]["mode"], "documented")
            cl.close()
            ctl = os.path.join(HERE, "sandboxctl")
            env = dict(os.environ, QS_SANDBOX_MODE="documented")
            r = subprocess.run([ctl, "start", d], capture_output=True, text=True, timeout=30, env=env)
            self.assertEqual(r.returncode, 0, r.stderr)
            r = subprocess.run([ctl, "call", d, "config"], capture_output=True, text=True, timeout=30)
            self.assertEqual(json.loads(r.stdout)["config"]["mode"], "documented")
        finally:
            subprocess.run([os.path.join(HERE, "sandboxctl"), "stop", d], timeout=30)
            p.send_signal(signal.SIGTERM)
            p.wait(10)
            p.stdout.close()
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.rmtree(d, ignore_errors=True)


class TestDocumentedMode(OrdersBase):
    def setUp(self):
        OrdersBase.setUp(self)
        self.mode("documented")

    def test_R_SYN_9_unknown_class_or_method_is_plain_text(self):
        st, ct, body = raw_qapi(self.cl, "ShippingBasic.NoSuchMethod", {}, self.key)
        self.assertEqual((st, ct.split(";")[0], body),
                         (200, "text/plain", "Can't find method Info NoSuchMethod"))
        st, ct, body = raw_qapi(self.cl, "NoSuchGroup.GetX", {}, self.key)
        self.assertEqual((st, ct.split(";")[0], body),
                         (200, "text/plain", "Can't find service Name NoSuchGroup"))
        self.mode("invented")
        env = self.call("ShippingBasic.NoSuchMethod", {})
        self.assertEqual(env["ErrorCode"], -90001)

    def test_R_SYN_9_version_is_lenient(self):
        env = self.call("ItemsBasic.SetNewGoods", {}, version="1.0")
        self.assertNotIn("ErrorCode", env)
        self.assertEqual(self.call("ItemsLookup.GetAllGoodsInfo", {"ItemStatus": "S2"},
                                   version="1.1")["ResultCode"], 0)

    def test_R_SYN_9_single_confirm_repeat_succeeds_without_invented_codes(self):
        a, b, u = self.seed_orders(3, statuses=[2])
        self.cl.ctl("advance", {"orders": [u], "to": "cancelled"})
        chk = lambda no, d: self.call("ShippingBasic.SetSellerCheckYN_V2",
                                      {"OrderNo": str(no), "EstShipDt": d})["ResultCode"]
        for d in ("20250301", "20250401", ""):      # -10018/-10017/-10016 are the Bulk's
            self.assertEqual(chk(a, d), -10001, d)
        self.assertEqual(chk(a, "20250303"), 0)
        self.assertEqual(chk(a, "20250305"), 0)      # a repeat: success, state unchanged
        o = self.order(a)
        self.assertEqual((o["status"], o["EstimatedShippingDate"]), (3, "2025-03-03 00:00:00"))
        self.cl.ctl("advance", {"orders": [b], "to": 5})
        self.assertEqual(chk(b, "20250303"), 0)      # further than confirmed: success too
        self.assertEqual(self.order(b)["status"], 5)
        self.assertEqual(chk(999, "20250303"), -10001)
        self.assertEqual(chk(u, "20250303"), -10001)  # cancelled (a guess)
        # The Bulk keeps its documented codes, and the call answers 0.
        env = self.call("ShippingBasic.SetSellerCheckYNBulk", {"SendPlanDtInfoJson": json.dumps(
            [{"OrderNo": str(a), "EstShipDt": "20250303"}, {"OrderNo": str(a), "EstShipDt": ""}])})
        self.assertEqual(env["ResultCode"], 0)
        self.assertEqual([x["result_cd"] for x in env["ResultObject"]], [-10012, -10016])

    def test_R_SYN_9_single_ship_repeat_succeeds_and_replaces_tracking(self):
        a, b = self.seed_orders(2, statuses=[2])
        (unpaid,) = self.seed_orders(1, statuses=[1], seed=6)
        p = {"OrderNo": str(a), "ShippingCorp": "どこかの運送", "TrackingNo": "T1"}
        self.ok("ShippingBasic.SetSendingInfo", p)    # any carrier: no documented list
        self.ok("ShippingBasic.SetSendingInfo", dict(p, ShippingCorp="ゆうパック", TrackingNo="T2"))
        o = self.order(a)
        self.assertEqual((o["status"], o["DeliveryCompany"], o["TrackingNo"], o["ShippingDate"]),
                         (4, "ゆうパック", "T2", self.NOW))
        ship = lambda no, **kw: self.call("ShippingBasic.SetSendingInfo",
                                          dict(p, OrderNo=str(no), **kw))["ResultCode"]
        self.assertEqual(ship(999), -10001)
        self.assertEqual(ship(unpaid), -10001)
        self.assertEqual(ship(b, TrackingNo=""), -10001)
        self.cl.ctl("advance", {"orders": [b], "to": "cancelled"})
        self.assertEqual(ship(b), -10001)
        env = self.call("ShippingBasic.SetSendingInfoBulk", {"ShippingInfoJson": json.dumps(
            [p, dict(p, OrderNo="999")])})
        self.assertEqual(env["ResultCode"], 0)       # -1 is not documented for this bulk
        self.assertEqual([x["result_cd"] for x in env["ResultObject"]], [0, -10001])
        cancel = lambda no: self.call("Claim.SetCancelProcess", {"ContrNo": str(no)})["ResultCode"]
        self.assertEqual((cancel(a), cancel(b), cancel("x")), (-10004, -10004, -10001))

    def test_R_SYN_9_lookups_answer_as_recorded(self):
        v3 = lambda s, e: self.call("ShippingBasic.GetShippingInfo_v3", {
            "ShippingStatus": "", "SearchStartDate": s, "SearchEndDate": e})
        self.assertEqual(v3("20250101", "20250201"),
                         {"ResultCode": 0, "ResultMsg": "SUCCESS. But No Result", "ResultObject": None})
        self.assertEqual(v3("20240101", "20250301")["ResultCode"], 0)    # no 90-day limit
        self.assertNotIn(v3("2025", "20250301")["ResultCode"], (-10001, -10002, -10003))
        empty = {"ResultCode": 0, "ResultMsg": "SUCCESS", "ResultObject": []}
        self.assertEqual(self.call("ShippingBasic.GetClaimInfo_V3", {
            "ClaimStat": "", "search_Sdate": "20250201", "search_Edate": "20250301",
            "search_condition": "2"}), empty)
        self.assertEqual(self.call("CSCenter.GetInquiryMessage", {
            "search_start_dt": "20100101", "search_end_dt": "20250301", "proc_status": ""}), empty)
        self.assertEqual(self.call("ShippingBasic.GetClaimInfo_V3", {
            "search_Sdate": "20241101", "search_Edate": "20250301"})["ResultCode"], -10003)

    def test_R_SYN_9_edit_goods_inventory_takes_one_axis_rows_only(self):
        self.cl.ctl("seed", {"items": [{"ItemTitle": "x", "ItemPrice": 1000, "SellerCode": "INV-1"}]})
        two = "色||*赤||*サイズ||*M||*0||*3||*A$$色||*青||*サイズ||*L||*0||*2||*B"
        env = self.call("ItemsOptions.EditGoodsInventory", {"SellerCode": "INV-1", "InventoryInfo": two},
                        version="1.1")
        self.assertEqual(env, {"ResultCode": -10002, "ResultMsg":
                               "Check Inventory Data Format (Name||*Value||*Price||*Qty||*OptioCode$$)"})
        self.ok("ItemsOptions.EditGoodsInventory", {
            "SellerCode": "INV-1", "InventoryInfo": "color||*red||*0||*10||*red-1$$color||*blue||*500||*15||*blue-1"},
            version="1.1")
        self.mode("invented")
        self.ok("ItemsOptions.EditGoodsInventory", {"SellerCode": "INV-1", "InventoryInfo": two})


class TestKnobs(OrdersBase):
    def test_R_SYN_9_open_zero_covers_chooses_what_status_0_returns(self):
        self.seed_orders(60, statuses=[1, 2, 3])
        want = lambda sts: sorted(o["OrderNo"] for o in self.cl.ctl("orders")[1]["orders"]
                                  if o["status"] in sts)
        for zero in ("0", ""):
            rows = self.ok("ShippingBasic.GetShippingInfo_v3", {
                "ShippingStatus": zero, "SearchStartDate": "20250101",
                "SearchEndDate": "20250131"})["ResultObject"]
            self.assertEqual(sorted(r["OrderNo"] for r in rows), want((1, 2, 3)))
        self.cl.ctl("config", {"open_zero_covers": [1, 2]})    # CN's reading (D7)
        rows = self.ok("ShippingBasic.GetShippingInfo_v3", {
            "ShippingStatus": "0", "SearchStartDate": "20250101",
            "SearchEndDate": "20250131"})["ResultObject"]
        self.assertEqual(sorted(r["OrderNo"] for r in rows), want((1, 2)))

    def test_R_SYN_9_claim_status_form_shapes_claim_rows_only(self):
        (a,) = self.seed_orders(1, statuses=[2])
        self.cl.ctl("advance", {"orders": [a], "to": "cancelled"})
        claims = lambda: [x["claimStatus"] for x in self.ok("ShippingBasic.GetClaimInfo_V3", {
            "search_Sdate": "20250301", "search_Edate": "20250301",
            "search_condition": "2"})["ResultObject"]]
        v2 = lambda: self.ok("ShippingBasic.GetShippingAndClaimInfoByOrderNo_V2",
                             {"OrderNo": str(a)})["ResultObject"][0]["claimStatus"]
        for form, want in (("int", 3), ("string", "3"), ("label", "Cancel completed(3)"),
                           ("ja", "キャンセル完了")):
            self.cl.ctl("config", {"claim_status_form": form})
            self.assertEqual((claims(), v2()), ([want], want), form)
            self.assertEqual(self.cl.ctl("claims")[1]["claims"][0]["claimStatus"], 3)
            st = self.cl.ctl("state?sections=claims", method="GET")[1]
            self.assertEqual(st["claims"][0]["claimStatus"], 3)


class TestLies(OrdersBase):
    def test_D1_bulk_disagree_lines_are_not_applied(self):
        a, b, c = self.seed_orders(3, statuses=[2])
        self.cl.ctl("faults", {"bulk_disagree": {"orders": [str(b)]}})
        line = lambda no: {"OrderNo": str(no), "ShippingCorp": "Qxpress", "TrackingNo": "A%d" % no}
        env = self.call("ShippingBasic.SetSendingInfoBulk", {"ShippingInfoJson": json.dumps(
            [line(a), line(b)])})
        self.assertEqual(env["ResultObject"][1], {"contr_no": str(b), "result_cd": -1,
                                                  "transc_nm": "Qxpress", "ResultCode": 0,
                                                  "ResultMsg": "SUCCESS"})
        self.assertEqual(env["ResultObject"][0]["result_cd"], 0)
        self.assertEqual((self.order(a)["status"], self.order(b)["status"]), (4, 2))
        self.assertEqual(self.counters()["by_key"]["SetSendingInfo"][str(b)]["ok"], 0)
        self.cl.ctl("faults", {"bulk_disagree": {"count": 1}})
        env = self.call("ShippingBasic.SetSellerCheckYNBulk", {"SendPlanDtInfoJson": json.dumps(
            [{"OrderNo": str(c), "EstShipDt": "20250303"}, {"OrderNo": str(b), "EstShipDt": "20250303"}])})
        self.assertEqual([(x["result_cd"], x["ResultCode"]) for x in env["ResultObject"]],
                         [(-1, 0), (0, 0)])
        self.assertEqual((self.order(c)["status"], self.order(b)["status"]), (2, 3))
        self.assertEqual(self.cl.ctl("faults")[1]["faults"]["bulk_disagree_left"], 0)

    def test_D2_refuse_before_and_after(self):
        a, b = self.seed_orders(2, statuses=[2])
        p = {"OrderNo": str(a), "ShippingCorp": "Sagawa", "TrackingNo": "1"}
        self.cl.ctl("faults", {"refuse": [{"method": "ShippingBasic.SetSendingInfo", "code": -10012,
                                           "msg": "already", "phase": "before", "count": 1}]})
        self.assertEqual(self.call("ShippingBasic.SetSendingInfo", p),
                         {"ResultCode": -10012, "ResultMsg": "already"})
        self.assertEqual(self.order(a)["status"], 2)       # a -10012 that lies
        self.ok("ShippingBasic.SetSendingInfo", p)           # count used up
        self.cl.ctl("faults", {"refuse": [{"method": "SetSellerCheckYN_V2", "code": -10001,
                                           "phase": "after", "keys": [str(b)]}]})
        env = self.call("ShippingBasic.SetSellerCheckYN_V2", {"OrderNo": str(b), "EstShipDt": "20250303"})
        self.assertEqual(env["ResultCode"], -10001)
        self.assertEqual(self.order(b)["status"], 3)       # applied, then refused
        self.cl.ctl("faults", {"refuse": [{"method": "ShippingBasic.SetSendingInfoBulk", "code": -10013,
                                           "keys": [str(b)], "phase": "after"}]})
        env = self.call("ShippingBasic.SetSendingInfoBulk", {"ShippingInfoJson": json.dumps(
            [dict(p, OrderNo=str(b))])})
        self.assertEqual(env["ResultObject"][0]["result_cd"], -10013)
        self.assertEqual(self.order(b)["status"], 4)
        self.assertEqual(self.cl.ctl("faults", {"refuse": [{"method": "X.Y", "shape": "odd"}]})[0], 400)

    def test_D8_refuse_item_lookup_error_and_text(self):
        self.cl.ctl("seed", {"items": [{"ItemTitle": "x", "ItemPrice": 100, "SellerCode": "K-1"},
                                       {"ItemTitle": "y", "ItemPrice": 100, "SellerCode": "K-2"}]})
        self.cl.ctl("faults", {"refuse": [
            {"method": "ItemsLookup.GetItemDetailInfo", "code": -90002, "msg": "権限がありません",
             "shape": "error", "keys": ["K-1"]},
            {"method": "ItemsLookup.GetItemDetailInfo", "shape": "text", "msg": "Server busy",
             "keys": ["K-2"]}]})
        self.assertEqual(self.call("ItemsLookup.GetItemDetailInfo", {"SellerCode": "K-1"}, version="1.2"),
                         {"ErrorCode": -90002, "ErrorMsg": "権限がありません"})
        st, ct, body = raw_qapi(self.cl, "ItemsLookup.GetItemDetailInfo", {"SellerCode": "K-2"},
                                self.key, "1.2")
        self.assertEqual((st, ct.split(";")[0], body), (200, "text/plain", "Server busy"))
        self.cl.ctl("faults", {})
        self.ok("ItemsLookup.GetItemDetailInfo", {"SellerCode": "K-1"}, version="1.2")


class TestItemEcho(OrdersBase):
    def test_D5_item_control_and_update_goods_formats(self):
        self.cl.ctl("seed", {"items": [{"ItemTitle": "x", "ItemPrice": 1000, "SellerCode": "M-1"}]})
        st, out = self.cl.ctl("item", {"SellerCode": "M-1", "set": {
            "ManufacturerDate": "メーカーA", "RetailPrice": "1980.5"}})
        self.assertEqual(st, 200, out)
        d = self.ok("ItemsLookup.GetItemDetailInfo", {"SellerCode": "M-1"}, version="1.2")["ResultObject"][0]
        self.assertEqual((d["ManufacturerDate"], d["RetailPrice"]), ("メーカーA", "1980.5"))
        self.assertEqual(self.cl.ctl("item", {"SellerCode": "nope", "set": {"ModelNM": "x"}})[0], 400)
        self.assertEqual(self.cl.ctl("item", {"SellerCode": "M-1", "set": {"_seller": "x"}})[0], 400)
        base = {"SellerCode": "M-1", "SecondSubCat": "320001234", "ItemTitle": "x",
                "ProductionPlaceType": "1", "ProductionPlace": "TOKYO", "AdultYN": "N",
                "AvailableDateType": "0", "AvailableDateValue": "3"}
        for mode in ("invented", "documented"):
            self.mode(mode)
            for bad in ({"ManufactureDate": "メーカーA"}, {"ManufactureDate": "2024/01/02"},
                        {"RetailPrice": "1980.5"}):
                env = self.call("ItemsBasic.UpdateGoods", dict(base, **bad))
                self.assertEqual(env["ResultCode"], -10101, (mode, bad, env))
            self.ok("ItemsBasic.UpdateGoods", dict(base, ManufactureDate="2024-01-02", RetailPrice="1980"))


class TestNoImpossibleData(Base):
    """Issue 9 item 7: nothing dated after now, events in the marketplace's order."""
    key = ""

    def check(self, now):
        s = self.cl.ctl("state?sections=orders,claims", method="GET")[1]
        orders = {o["OrderNo"]: o for o in s["orders"]}
        bad = []
        for o in orders.values():
            chain = [o[f] for f in ("OrderDate", "PaymentDate", "ShippingDate", "DeliveredDate") if o[f]]
            if chain != sorted(chain) or chain[-1] > now:
                bad.append((o["OrderNo"], o["_status"], chain))
            st = o["_status"]
            need = {"PaymentDate": st >= 2, "ShippingDate": st >= 4, "DeliveredDate": st >= 5}
            if any(bool(o[f]) != v for f, v in need.items()):
                bad.append((o["OrderNo"], st, "dates do not match the status"))
        for c in s["claims"]:
            chain = [orders[c["orderNo"]]["OrderDate"], c["requestDate"]] + \
                    ([c["cancelRefundDate"]] if c["cancelRefundDate"] else [])
            if chain != sorted(chain) or chain[-1] > now:
                bad.append(("claim", c["orderNo"], chain))
        self.assertEqual(bad[:5], [], "%d impossible lines or claims" % len(bad))
        return len(orders), len(s["claims"])

    def test_seeding_10000_orders_dates_nothing_after_now(self):
        for seed, pinned in ((1, None), (2, "2025-03-01 12:00:00"), (3, "2025-03-01 00:00:05")):
            self.cl.ctl("reset", {})
            if pinned:
                self.cl.ctl("clock", {"now": pinned})
            st, out = self.cl.ctl("seed", {"generate_orders": 10000, "seed": seed, "claim_rate": 0.05})
            self.assertEqual(st, 200, out)
            now = self.cl.ctl("clock")[1]["clock"]["now"]
            n, nc = self.check(now)
            self.assertEqual(n, 10000)
            self.assertGreater(nc, 100)
        # A window that reaches now: the lines still fit before now.
        self.cl.ctl("reset", {})
        self.cl.ctl("clock", {"now": "2025-03-01 12:00:00"})
        self.cl.ctl("seed", {"generate_orders": 2000, "seed": 4, "start": "2025-02-20", "days": 30,
                             "claim_rate": 0.05})
        self.check("2025-03-01 12:00:00")
        # Advance and claims keep the order too; nothing may be dated ahead.
        self.cl.ctl("advance", {"to": 5, "at": "2025-02-21 00:00:00"})
        self.cl.ctl("advance", {"claim": 1, "at": "2025-02-20 00:00:00"})
        self.check("2025-03-01 12:00:00")
        self.assertEqual(self.cl.ctl("seed", {"generate_orders": 1, "start": "2025-03-02"})[0], 400)
        self.assertEqual(self.cl.ctl("advance", {"at": "2025-03-02 00:00:00"})[0], 400)
        self.assertEqual(self.cl.ctl("seed", {"orders": [{"status": 5,
                                                          "DeliveredDate": "2025-03-02 00:00:00"}]})[0], 400)
        self.assertEqual(self.cl.ctl("seed", {"orders": [{"status": 4, "OrderDate": "2025-02-10 00:00:00",
                                                          "ShippingDate": "2025-02-09 00:00:00"}]})[0], 400)


FAKE_REPLAY = """
import json
class Replay:
    def __init__(self, path):
        with open(path) as f:
            self.ex = json.load(f)["exchanges"]
        self.calls = []
    def answer(self, method, version, params):
        for e in self.ex:
            if e["method"].lower() == method.lower() and e["params"] == params:
                return e["http_status"], e["answer"], e["content_type"]
        return None
"""


class TestReplayHook(Base):
    key = ""

    def test_R_SYN_10_replay_answers_path_form_calls_from_the_file(self):
        tmp = tempfile.mkdtemp(prefix="qs-replay-")
        probe = os.path.join(tmp, "probe.json")
        ans = '{"ResultCode":0,"ResultMsg":"SUCCESS. But No Result","ResultObject":null}'
        with open(probe, "w") as f:
            json.dump({"format": "qs-probe/1", "exchanges": [
                {"probe": "open-0", "method": "ShippingBasic.GetShippingInfo_v3", "version": "1.0",
                 "params": {"ShippingStatus": "0", "SearchStartDate": "20261102000000"},
                 "http_status": 200, "answer": ans, "content_type": "application/json"}]}, f)
        if not os.path.exists(os.path.join(HERE, "replay.py")):
            with open(os.path.join(tmp, "replay.py"), "w") as f:
                f.write(FAKE_REPLAY)
        env = dict(os.environ, PYTHONPATH=tmp + os.pathsep + os.environ.get("PYTHONPATH", ""))
        portf = os.path.join(tmp, "port")
        p = subprocess.Popen([PY, os.path.join(HERE, "server.py"), "--port", "0", "--port-file", portf,
                              "--replay", probe], stdout=subprocess.PIPE, text=True, env=env)
        try:
            port = int(re.search(r":(\d+)$", p.stdout.readline().strip()).group(1))
            cl = Client(port)
            st, env_ = cl.qapi("CertificationAPI.CreateCertificationKey",
                               {"user_id": "any", "pwd": "any"}, key="any")
            self.assertEqual((st, env_["ResultCode"]), (200, 0))   # the sandbox answers the login
            key = env_["ResultObject"]
            st, r, data = cl.raw("POST", QAPI + "/ShippingBasic.GetShippingInfo_v3",
                                 "ShippingStatus=0&SearchStartDate=20261102000000&returnType=application%2Fjson",
                                 {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
                                  "QAPIVersion": "1.0", "GiosisCertificationKey": key})
            self.assertEqual((st, data.decode()), (200, ans))
            st, ct, body = raw_qapi(cl, "ShippingBasic.GetClaimInfo_V3", {"ClaimStat": ""}, key)
            self.assertEqual((st, ct.split(";")[0], body),
                             (200, "text/plain", "replay: no recorded answer for ShippingBasic.GetClaimInfo_V3"))
            cl.close()
        finally:
            p.send_signal(signal.SIGTERM)
            p.wait(10)
            p.stdout.close()
            shutil.rmtree(tmp, ignore_errors=True)


class TestSpeed(Base):
    def test_requests_per_second(self):
        self.key = self.sak()
        self.cl.ctl("seed", {"generate_orders": 2000, "seed": 2})
        n = 1000
        t = time.time()
        for i in range(n):
            st, env = self.cl.qapi("ItemsLookup.GetAllGoodsInfo", {"ItemStatus": "S2"}, key=self.key)
        rate = n / (time.time() - t)
        sys.stderr.write("\n    sandbox: %d sequential keep-alive requests/s\n" % rate)
        self.assertGreater(rate, 500)


if __name__ == "__main__":
    unittest.main(verbosity=2 if "-v" in sys.argv else 1)
