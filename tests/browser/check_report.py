#!/usr/bin/env python3
"""Open a brink HTML report in headless Chromium (DevTools protocol, standard library only)
and check it: the page loads with no failed or network requests and no console errors, and
every chart's SVG is present, visible (non-zero box), non-empty and titled. Writes a full-page
screenshot.

usage: check_report.py REPORT.html SCREENSHOT.png [--expect TITLE]...
exit: 0 ok, 1 a check failed, 77 chromium not found (skipped)
"""
import base64, json, os, shutil, socket, struct, subprocess, sys, tempfile, time, urllib.request

CHROMIUM = os.environ.get("BRINK_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-port=0", "about:blank"]


class WebSocket:
    """A minimal RFC 6455 client: masked text frames out, whole messages in."""

    def __init__(self, url):
        assert url.startswith("ws://")
        hostport, path = url[5:].split("/", 1)
        host, port = hostport.split(":")
        self.s = socket.create_connection((host, int(port)), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall((f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\n"
                        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                        "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.s.recv(1)
            if not chunk:
                raise RuntimeError("DevTools closed the connection during the handshake")
            head += chunk
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError(f"DevTools handshake failed: {head[:200]!r}")

    def _exact(self, n):
        b = b""
        while len(b) < n:
            chunk = self.s.recv(n - len(b))
            if not chunk:
                raise RuntimeError("DevTools connection closed")
            b += chunk
        return b

    def send(self, text):
        data = text.encode()
        head = bytes([0x81])
        n = len(data)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        self.s.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._exact(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._exact(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._exact(8))[0]
            payload = self._exact(n)
            if b0 & 0x0F == 0x8:
                raise RuntimeError("DevTools closed the connection")
            if b0 & 0x0F in (0x9, 0xA):
                continue
            message += payload
            if b0 & 0x80:
                return message.decode()


class Page:
    def __init__(self, ws):
        self.ws, self.next_id, self.events = ws, 0, []

    def call(self, method, **params):
        self.next_id += 1
        my = self.next_id
        self.ws.send(json.dumps({"id": my, "method": method, "params": params}))
        while True:
            m = json.loads(self.ws.recv())
            if m.get("id") == my:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            if "method" in m:
                self.events.append(m)

    def wait_for(self, method, timeout=60):
        end = time.time() + timeout
        while not any(e["method"] == method for e in self.events):
            if time.time() > end:
                raise RuntimeError(f"timed out waiting for {method}")
            m = json.loads(self.ws.recv())
            if "method" in m:
                self.events.append(m)


CHARTS_JS = """JSON.stringify([...document.querySelectorAll('figure.chart')].map(f => {
  const svg = f.querySelector('svg'); const r = svg ? svg.getBoundingClientRect() : null;
  return {id: f.id, heading: (f.querySelector('h3') || {}).textContent || '',
          note: !!f.querySelector('p.note'), svg: !!svg,
          title: svg && svg.querySelector('title') ? svg.querySelector('title').textContent : '',
          width: r ? r.width : 0, height: r ? r.height : 0,
          shapes: svg ? svg.querySelectorAll('path,line,circle,rect').length : 0,
          caption: !!f.querySelector('figcaption')};
}))"""


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__)
        return 2
    report, shot = os.path.abspath(args[0]), args[1]
    expect = [args[i + 1] for i, a in enumerate(args) if a == "--expect"]
    if not os.path.exists(CHROMIUM):
        print(f"skipped: {CHROMIUM} not found (apt-get install chromium)")
        return 77
    profile = tempfile.mkdtemp(prefix="brink-chromium-")
    proc = subprocess.Popen([CHROMIUM, f"--user-data-dir={profile}"] + FLAGS,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    failures = []
    try:
        port_file = os.path.join(profile, "DevToolsActivePort")
        end = time.time() + 60
        while not (os.path.exists(port_file) and open(port_file).read().strip()):
            if proc.poll() is not None or time.time() > end:
                raise RuntimeError("chromium did not start its DevTools server")
            time.sleep(0.1)
        port = open(port_file).read().split()[0]
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
        page = Page(WebSocket(url))
        for domain in ["Page", "Network", "Runtime", "Log"]:
            page.call(f"{domain}.enable")
        page.call("Emulation.setDeviceMetricsOverride", width=1366, height=800,
                  deviceScaleFactor=1, mobile=False)
        page.call("Page.navigate", url="file://" + report)
        page.wait_for("Page.loadEventFired")
        charts = json.loads(page.call("Runtime.evaluate", expression=CHARTS_JS,
                                      returnByValue=True)["result"]["value"])
        for e in page.events:
            m, p = e["method"], e.get("params", {})
            if m == "Network.requestWillBeSent":
                u = p["request"]["url"]
                if not (u.startswith("file://") or u.startswith("data:")):
                    failures.append(f"the page requested {u}")
            elif m == "Network.loadingFailed":
                failures.append(f"failed request: {p.get('errorText')} ({p.get('requestId')})")
            elif m == "Runtime.exceptionThrown":
                failures.append(f"exception: {p['exceptionDetails'].get('text')}")
            elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                failures.append(f"console error: {p.get('args')}")
            elif m == "Log.entryAdded" and p["entry"].get("level") == "error":
                failures.append(f"log error: {p['entry'].get('text')}")
        drawn = [c for c in charts if c["svg"]]
        if not drawn:
            failures.append("no chart SVG on the page")
        for c in charts:
            if not c["svg"] and not c["note"]:
                failures.append(f"figure {c['id']} has neither a chart nor a note")
            if c["svg"]:
                if not (c["width"] > 50 and c["height"] > 50):
                    failures.append(f"chart {c['id']} is not visible ({c['width']}x{c['height']})")
                if c["shapes"] < 3:
                    failures.append(f"chart {c['id']} is empty ({c['shapes']} shapes)")
                if not c["title"] or c["title"] != c["heading"]:
                    failures.append(f"chart {c['id']}: svg title {c['title']!r} vs heading {c['heading']!r}")
                if not c["caption"]:
                    failures.append(f"chart {c['id']} has no caption")
        titles = {c["title"] for c in drawn}
        for t in expect:
            if t not in titles:
                failures.append(f"expected chart {t!r} not drawn; drawn: {sorted(titles)}")
        metrics = page.call("Page.getLayoutMetrics")
        height = int(metrics["cssContentSize"]["height"])
        page.call("Emulation.setDeviceMetricsOverride", width=1366, height=min(height, 16000),
                  deviceScaleFactor=1, mobile=False)
        png = page.call("Page.captureScreenshot", format="png")["data"]
        os.makedirs(os.path.dirname(os.path.abspath(shot)), exist_ok=True)
        with open(shot, "wb") as f:
            f.write(base64.b64decode(png))
        print(f"{len(drawn)} charts drawn, {len(charts) - len(drawn)} notes; page {height}px tall; "
              f"screenshot {shot}")
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(profile, ignore_errors=True)
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
