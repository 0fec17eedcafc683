// node-fetch 2 prefers Node's own URL (`Url.URL || whatwgUrl.URL`), so the whatwg-url package and
// its 280 KB tr46 table are never used on Node 20; the bundle gets Node's URL instead of them.
module.exports = { URL: globalThis.URL, URLSearchParams: globalThis.URLSearchParams };
