"""The simulator's tables: countries, referrers, user agents, bots, and the vocabulary of a log line.

Pure data, no code (the site's own pages live in ``site``, the rates of each kind of traffic beside it).
"""

SITE = "https://www.example.com"
PROTOCOLS = ("HTTP/1.1", "HTTP/2.0", "HTTP/3.0", "HTTP/1.0")
METHODS = ("GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS")
USERS = ("-", "alice", "bob", "deploy")

# Row sources (the ``src`` column of a plan).
SRC_HUMAN, SRC_BOT, SRC_HEALTH, SRC_SCANNER, SRC_SURGE = range(5)

HOURLY_PROFILE = (  # human activity by local hour, 00:00 first
    0.30, 0.18, 0.11, 0.07, 0.06, 0.08, 0.16, 0.35, 0.62, 0.85, 0.96, 1.00,
    0.95, 0.97, 1.00, 0.98, 0.93, 0.86, 0.82, 0.86, 0.92, 0.85, 0.65, 0.45,
)  # fmt: skip

# (ISO code, share of traffic in %, rough UTC offset of its visitors in hours)
COUNTRIES = (
    ("US", 24.0, -6), ("DE", 6.0, 2), ("GB", 5.0, 1), ("IN", 5.5, 5.5), ("CN", 4.5, 8), ("FR", 3.5, 2),
    ("JP", 3.0, 9), ("BR", 3.0, -3), ("CA", 2.8, -5), ("RU", 2.2, 3), ("NL", 2.0, 2), ("IT", 1.8, 2),
    ("ES", 1.8, 2), ("AU", 1.6, 10), ("KR", 1.4, 9), ("PL", 1.3, 2), ("ID", 1.3, 7), ("MX", 1.3, -6),
    ("TR", 1.1, 3), ("SE", 0.9, 2), ("UA", 0.9, 3), ("VN", 0.9, 7), ("TW", 0.8, 8), ("CH", 0.8, 2),
    ("BE", 0.7, 2), ("SG", 0.8, 8), ("HK", 0.7, 8), ("AR", 0.7, -3), ("PH", 0.7, 8), ("TH", 0.7, 7),
    ("IR", 0.6, 3.5), ("PK", 0.6, 5), ("NG", 0.6, 1), ("EG", 0.5, 3), ("ZA", 0.5, 2), ("AT", 0.5, 2),
    ("CZ", 0.5, 2), ("RO", 0.5, 3), ("IL", 0.5, 3), ("DK", 0.45, 2), ("FI", 0.4, 3), ("NO", 0.4, 2),
    ("PT", 0.4, 1), ("GR", 0.35, 3), ("HU", 0.35, 2), ("IE", 0.4, 1), ("NZ", 0.3, 12), ("MY", 0.5, 8),
    ("BD", 0.5, 6), ("CO", 0.5, -5), ("CL", 0.4, -4), ("PE", 0.3, -5), ("SA", 0.35, 3), ("AE", 0.4, 4),
    ("KE", 0.25, 3), ("MA", 0.25, 1), ("DZ", 0.2, 1), ("BG", 0.25, 3), ("RS", 0.2, 2), ("HR", 0.15, 2),
    ("SK", 0.2, 2), ("SI", 0.12, 2), ("LT", 0.15, 3), ("LV", 0.12, 3), ("EE", 0.12, 3), ("BY", 0.2, 3),
    ("KZ", 0.2, 5), ("VE", 0.2, -4), ("EC", 0.15, -5), ("UY", 0.1, -3), ("CR", 0.1, -6), ("LK", 0.12, 5.5),
    ("NP", 0.1, 5.75), ("TN", 0.1, 1), ("GH", 0.1, 0), ("ET", 0.08, 3), ("IS", 0.06, 0), ("LU", 0.08, 2),
    ("CY", 0.07, 3), ("MT", 0.06, 2), ("QA", 0.08, 3), ("KW", 0.08, 3), ("JO", 0.08, 3), ("GE", 0.08, 4),
    ("AM", 0.07, 4), ("MN", 0.06, 8), ("BO", 0.07, -4),
)  # fmt: skip
OFFICE_OFFSET = 2.0  # the private-address visitors work in the site's own zone
HOSTING_COUNTRIES = ("US", "DE", "NL", "FR", "GB", "SG", "IE", "FI", "CA", "JP")
SCANNER_COUNTRIES = ("NL", "RU", "CN", "US", "DE", "SG", "VN", "BR", "HK", "BG", "FR", "IN")
HEALTH_IPS = ("10.0.0.12", "10.0.1.17", "10.0.2.9")
HEALTH_AGENTS = ("ELB-HealthChecker/2.0", "kube-probe/1.31")

# Referrers of landing pages: (referrer, weight); "-" is code 0.
EXTERNAL_REFERRERS = (
    ("-", 42.0), ("https://www.google.com/", 31.0), ("https://www.google.de/", 1.2),
    ("https://www.google.co.uk/", 0.9), ("https://www.google.fr/", 0.5), ("https://www.bing.com/", 4.0),
    ("https://duckduckgo.com/", 2.0), ("https://search.yahoo.com/", 0.5), ("https://yandex.ru/", 0.9),
    ("https://www.baidu.com/", 0.5), ("https://www.ecosia.org/", 0.4), ("https://t.co/", 1.5),
    ("https://l.facebook.com/", 1.5), ("https://m.facebook.com/", 0.8), ("https://www.facebook.com/", 0.7),
    ("https://l.instagram.com/", 0.8), ("https://www.linkedin.com/", 1.0), ("https://www.reddit.com/", 1.5),
    ("https://news.ycombinator.com/", 0.8), ("https://www.youtube.com/", 0.5), ("https://github.com/", 1.0),
    ("https://stackoverflow.com/", 0.7), ("android-app://com.google.android.gm/", 0.3),
    ("android-app://com.slack/", 0.2), ("https://chatgpt.com/", 1.2), ("https://www.perplexity.ai/", 0.4),
    ("https://www.qwant.com/", 0.2), ("https://search.brave.com/", 0.3),
)  # fmt: skip
SPIKE_REFERRERS = (
    ("https://news.ycombinator.com/", 0.55), ("https://www.reddit.com/", 0.2), ("https://t.co/", 0.1),
    ("-", 0.15),
)  # fmt: skip

# Sizes (bytes) of the error and redirect pages; -1 is logged as "-".
STATUS_SIZES = {
    204: -1, 206: 524288, 301: 178, 302: 154, 304: -1, 400: 157, 401: 172, 403: 153, 404: 4872, 405: 166,
    408: -1, 429: 568, 500: 1042, 502: 157, 503: 197, 504: 167,
}  # fmt: skip

# Browser user agents (mid-2026). Shares are % of human visitors, spread over versions newest first.
WEBKIT = "AppleWebKit/537.36 (KHTML, like Gecko)"
SAFARI_WEBKIT = "AppleWebKit/605.1.15 (KHTML, like Gecko)"
CHROME_LATEST = 149
CHROME_VERSIONS = 22
FIREFOX_LATEST = 152
FIREFOX_ESR = ((140, 0.07), (128, 0.02), (115, 0.01))  # (version, part of the Firefox share)
CHROME_NAMES = {"desktop": "Chrome", "mobile": "Chrome Mobile"}
CHROME_PLATFORMS = (  # (platform, os, device, share)
    ("Windows NT 10.0; Win64; x64", "Windows", "desktop", 30.0),
    ("Macintosh; Intel Mac OS X 10_15_7", "Mac OS X", "desktop", 8.0),
    ("X11; Linux x86_64", "Linux", "desktop", 1.5),
    ("X11; CrOS x86_64 14541.0.0", "Chrome OS", "desktop", 0.8),
    ("Linux; Android 10; K", "Android", "mobile", 22.0),
)
OLD_ANDROID_CHROME = (  # devices stuck on an old Chrome still send the full, unreduced string
    ("SM-A125F", 11, 108), ("SM-J730F", 9, 103), ("Redmi Note 8", 11, 106), ("moto g(7) power", 10, 99),
    ("SM-G960F", 10, 107), ("Nokia 7.2", 11, 105), ("HUAWEI P30 lite", 10, 96), ("LM-Q720", 9, 92),
)  # fmt: skip
IOS_SAFARI = (  # iOS 26 still reports "OS 18_6" and puts the real version in Version/
    (("18_6", "26.5"), 6.0), (("18_6", "26.4"), 3.5), (("18_6", "26.3"), 1.2), (("18_6", "26.2"), 0.8),
    (("18_6", "26.1"), 0.5), (("18_6", "26.0"), 0.4), (("18_6", "18.6"), 1.2), (("18_5", "18.5"), 0.8),
    (("18_4", "18.4"), 0.4), (("18_3", "18.3"), 0.3), (("17_7", "17.7"), 0.5), (("17_6", "17.6"), 0.2),
    (("16_7", "16.7"), 0.15), (("15_8", "15.8"), 0.05),
)  # fmt: skip
MAC_SAFARI = (
    ("26.5", 2.2), ("26.4", 1.2), ("26.3", 0.5), ("26.1", 0.3), ("18.6", 0.5), ("18.5", 0.3), ("17.6", 0.2),
    ("16.6", 0.1),
)  # fmt: skip
EDGE_PLATFORMS = (
    ("Windows NT 10.0; Win64; x64", "Windows", "desktop", 5.0),
    ("Macintosh; Intel Mac OS X 10_15_7", "Mac OS X", "desktop", 0.5),
    ("Linux; Android 10; K", "Android", "mobile", 0.4),
)
FIREFOX_PLATFORMS = (  # (platform, os, device, share, Gecko token)
    ("Windows NT 10.0; Win64; x64; rv:{v}.0", "Windows", "desktop", 2.5, "Gecko/20100101"),
    ("Macintosh; Intel Mac OS X 10.15; rv:{v}.0", "Mac OS X", "desktop", 0.6, "Gecko/20100101"),
    ("X11; Linux x86_64; rv:{v}.0", "Linux", "desktop", 0.5, "Gecko/20100101"),
    ("X11; Ubuntu; Linux x86_64; rv:{v}.0", "Ubuntu", "desktop", 0.3, "Gecko/20100101"),
    ("Android 15; Mobile; rv:{v}.0", "Android", "mobile", 0.4, "Gecko/{v}.0"),
)
SAMSUNG_VERSIONS = ((29, 142), (28, 138), (27, 134), (26, 130), (25, 121), (24, 117), (23, 115))
SAMSUNG_MODELS = (
    ("SM-S928B", 14), ("SM-S918B", 14), ("SM-A546B", 14), ("SM-A346B", 14), ("SM-G991B", 13), ("SM-X710", 14),
)  # fmt: skip
OPERA_VERSIONS = ((134, 149), (133, 148), (132, 147), (131, 146), (130, 145), (128, 143))
YANDEX_VERSIONS = (("26.6.0", 146), ("26.3.0", 144), ("25.12.0", 142), ("25.10.0", 140))
OTHER_BROWSERS = (  # (UA with {webkit}, browser, os, device, share)
    ("Mozilla/5.0 (Linux; U; Android 13; en-US; V2230 Build/TP1A.220624.014) {webkit} Version/4.0 "
     "Chrome/123.0.6312.80 UCBrowser/13.8.2.1324 Mobile Safari/537.36", "UC Browser", "Android", "mobile", 0.3),
    ("Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko", "IE", "Windows", "desktop", 0.08),
    ("Mozilla/5.0 (Linux; Android 10; K) {webkit} Chrome/149.0.0.0 Mobile Safari/537.36 DuckDuckGo/5",
     "DuckDuckGo", "Android", "mobile", 0.2),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/26.5 Mobile/15E148 DuckDuckGo/7 Safari/605.1.15", "DuckDuckGo", "iOS", "mobile", 0.15),
    ("Mozilla/5.0 (X11; Linux x86_64) {webkit} Chrome/148.0.0.0 Safari/537.36 Vivaldi/7.5", "Vivaldi", "Linux",
     "desktop", 0.05),
    ("Mozilla/5.0 (Linux; Android 10; K) {webkit} Chrome/148.0.0.0 Mobile Safari/537.36 OPR/92.0.0.0",
     "Opera Mobile", "Android", "mobile", 0.25),
    ("Mozilla/5.0 (SMART-TV; Linux; Tizen 8.0) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/7.0 "
     "Chrome/120.0.6099.5 TV Safari/537.36", "Samsung Internet", "Tizen", "other", 0.02),
    ("Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko)", "Playstation",
     "Other", "other", 0.01),
)  # fmt: skip
ANDROID_MODELS = (  # (model, build, Android version) of in-app browsers (WebView strings keep the model)
    ("SM-S931B", "AP3A.240905.015.A2", 15), ("SM-A556B", "AP3A.240905.015.A2", 15),
    ("SM-A155F", "UP1A.231005.007", 14), ("Pixel 9 Pro", "BP1A.250505.005", 16),
    ("Pixel 8", "BP1A.250505.005", 16), ("23129RAA4G", "UKQ1.231003.002", 14),
    ("CPH2591", "UKQ1.230924.001", 14), ("moto g54 5G", "U1TDS34.94-12-7-4", 14),
    ("SM-G991B", "TP1A.220624.014", 13), ("RMX3710", "TP1A.220905.001", 13),
    ("V2230", "TP1A.220624.014", 13), ("2201117TG", "TKQ1.221114.001", 13),
)  # fmt: skip
IN_APP_ANDROID = (
    ("Instagram 389.0.0.48.87 Android", "Instagram", 1.2),
    ("[FB_IAB/FB4A;FBAV/512.0.0.57.109;]", "Facebook", 1.0),
)
IN_APP_IOS = (
    ("Instagram 389.0.0.31.85 (iPhone16,2; iOS {v}; en_US; en; scale=3.00; 1290x2796; 745203981)", "Instagram", 0.8),
    ("[FBAN/FBIOS;FBAV/512.0.0.41.109;FBBV/705129447;FBDV/iPhone15,3;FBMD/iPhone;FBSN/iOS;FBSV/{d};FBSS/3;"
     "FBID/phone;FBLC/en_US;FBOP/5]", "Facebook", 0.6),
)  # fmt: skip
SCANNER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/91.0.4472.124 "
    "Safari/537.36",
    "Mozilla/5.0 zgrab/0.x",
    "Nuclei - Open-source project (github.com/projectdiscovery/nuclei)",
    "gobuster/3.6",
    "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)",
    "Fuzz Faster U Fool v2.1.0-dev",
)  # fmt: skip

# Bots: (label, UA, behaviour, share of bot rows in %, published networks as CIDRs or "" for hosting countries)
BOTS = (
    ("Googlebot", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "crawler", 9.0,
     "66.249.64.0/19 2001:4860:4801:10::/64"),
    ("Googlebot", "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like "
     "Gecko) Chrome/149.0.7727.55 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
     "crawler", 13.0, "66.249.64.0/19 2001:4860:4801:10::/64"),
    ("Googlebot-Image", "Googlebot-Image/1.0", "preview", 1.5, "66.249.64.0/19"),
    ("bingbot", "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "crawler", 3.0,
     "157.55.39.0/24 207.46.13.0/24 40.77.167.0/24"),
    ("bingbot", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; "
     "+http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36", "crawler", 5.0,
     "157.55.39.0/24 207.46.13.0/24 40.77.167.0/24 52.167.144.0/24"),
    ("YandexBot", "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", "crawler", 3.0,
     "5.255.231.0/24 87.250.224.0/24 213.180.203.0/24 95.108.213.0/24"),
    ("Baiduspider", "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
     "crawler", 1.5, "116.179.32.0/24 220.181.108.0/24"),
    ("DuckDuckBot", "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)", "crawler", 0.8, ""),
    ("Applebot", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)", "crawler", 2.5,
     "17.241.219.0/24 17.22.237.0/24"),
    ("AhrefsBot", "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", "crawler", 9.0,
     "54.36.148.0/23 51.222.253.0/24"),
    ("SemrushBot", "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)", "crawler", 7.0,
     "185.191.171.0/24 85.208.96.0/24 85.208.98.0/24"),
    ("MJ12bot", "Mozilla/5.0 (compatible; MJ12bot/v1.4.8; http://mj12bot.com/)", "crawler", 2.0, ""),
    ("DotBot", "Mozilla/5.0 (compatible; DotBot/1.2; +https://opensiteexplorer.org/dotbot; help@moz.com)",
     "crawler", 1.5, "216.244.66.0/24"),
    ("PetalBot", "Mozilla/5.0 (Linux; Android 7.0;) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 "
     "(compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)", "crawler", 2.0, "114.119.128.0/19"),
    ("GPTBot", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; "
     "+https://openai.com/gptbot)", "crawler", 5.0, "20.171.206.0/24 20.171.207.0/24"),
    ("ClaudeBot", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; "
     "+claudebot@anthropic.com)", "crawler", 3.0, "216.73.216.0/24"),
    ("CCBot", "CCBot/2.0 (https://commoncrawl.org/faq/)", "crawler", 1.0, "18.97.9.0/24 18.97.14.0/24"),
    ("Bytespider", "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 "
     "(compatible; Bytespider; spider-feedback@bytedance.com)", "crawler", 2.0, "110.249.201.0/24 111.225.148.0/24"),
    ("PerplexityBot", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; PerplexityBot/1.0; "
     "+https://perplexity.ai/perplexitybot)", "crawler", 1.0, ""),
    ("OAI-SearchBot", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; OAI-SearchBot/1.0; "
     "+https://openai.com/searchbot", "crawler", 1.0, "20.171.206.0/24"),
    ("ChatGPT-User", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; ChatGPT-User/1.0; "
     "+https://openai.com/bot", "preview", 0.8, "23.98.142.176/28"),
    ("meta-externalagent", "meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)",
     "crawler", 2.0, "57.141.0.0/24 2a03:2880:f800::/48"),
    ("SeznamBot", "Mozilla/5.0 (compatible; SeznamBot/4.0; +https://o-seznam.cz/napoveda/vyhledavani/en/"
     "seznambot-crawler/)", "crawler", 0.4, "77.75.76.0/24"),
    ("archive.org_bot", "Mozilla/5.0 (compatible; archive.org_bot +http://archive.org/details/archive.org_bot) "
     "Zeno/f5c9ba1 warc/v0.8.85", "crawler", 0.3, "207.241.225.0/24"),
    ("DataForSeoBot", "Mozilla/5.0 (compatible; DataForSeoBot/1.0; +https://dataforseo.com/dataforseo-bot)",
     "crawler", 1.0, ""),
    ("HeadlessChrome", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "HeadlessChrome/148.0.0.0 Safari/537.36", "tool", 1.0, ""),
    ("Amazonbot", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Amazonbot/0.1; "
     "+https://developer.amazon.com/support/amazonbot) Chrome/119.0.6045.214 Safari/537.36", "crawler", 1.5, ""),
    ("facebookexternalhit", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "preview",
     3.0, "69.171.230.0/24 173.252.83.0/24 66.220.149.0/24 2a03:2880:f800::/48"),
    ("Twitterbot", "Twitterbot/1.0", "preview", 0.8, "199.16.157.0/24"),
    ("LinkedInBot", "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
     "preview", 0.5, ""),
    ("Slackbot", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "preview", 0.5, ""),
    ("Discordbot", "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", "preview", 0.4, ""),
    ("curl", "curl/8.14.1", "tool", 1.2, ""),
    ("curl", "curl/8.5.0", "tool", 1.0, ""),
    ("curl", "curl/7.81.0", "tool", 0.8, ""),
    ("python-requests", "python-requests/2.32.4", "tool", 1.8, ""),
    ("python-requests", "python-requests/2.31.0", "tool", 1.2, ""),
    ("Go-http-client", "Go-http-client/1.1", "tool", 1.2, ""),
    ("Go-http-client", "Go-http-client/2.0", "tool", 0.6, ""),
    ("Wget", "Wget/1.21.4", "tool", 0.5, ""),
    ("UptimeRobot", "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)", "monitor", 2.0,
     "69.162.124.224/28 63.143.42.240/28"),
    ("Pingdom", "Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)", "monitor", 1.0, ""),
    ("Feedly", "Feedly/1.0 (+https://feedly.com/poller.html; 16 subscribers; )", "feed", 1.0, ""),
    ("Inoreader", "Inoreader/1.0 (+http://www.inoreader.com/feed-fetcher; 3 subscribers; )", "feed", 0.5, ""),
    ("NewsBlur", "NewsBlur Feed Fetcher - 5 subscribers - https://www.newsblur.com/site/6045362/example "
     "(Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.4 "
     "Safari/605.1.15)", "feed", 0.4, ""),
    ("FreshRSS", "FreshRSS/1.26.3 (Linux; https://freshrss.org)", "feed", 0.3, ""),
    ("Tiny Tiny RSS", "Tiny Tiny RSS/25.05 (https://tt-rss.org/)", "feed", 0.2, ""),
    ("zgrab", "Mozilla/5.0 zgrab/0.x", "probe", 0.8, ""),
    ("CensysInspect", "Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)", "probe", 0.6, ""),
    ("Expanse", "Expanse, a Palo Alto Networks company, searches across the global IPv4 space multiple times per "
     "day to identify customers&#39; presences on the Internet. If you would like to be excluded from our scans, "
     "please send IP addresses/domains to: scaninfo@paloaltonetworks.com", "probe", 0.6, ""),
)  # fmt: skip
