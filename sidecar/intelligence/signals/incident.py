"""Bugs and incidents: outages, data loss, crashes and hangs, regressions, error traces, security holes, reach."""
from __future__ import annotations

import re

from sidecar.intelligence.message import MessageView
from sidecar.intelligence.negation import sentence_of
from sidecar.intelligence.signals import compliance
from sidecar.intelligence.signals.finding import (
    NOT_MEANT,
    RESOLVED_FACTOR,
    PatternRule,
    default_judge,
    rule_words,
)

CATEGORY = "bug_incident"
OUTAGE = "outage"
DATA_LOSS = "data_loss"
CRASH_OR_HANG = "crash_or_hang"
REGRESSION = "regression"
ERROR_TRACE = "error_trace"
SECURITY_VULNERABILITY = "security_vulnerability"
BROAD_IMPACT = "broad_impact"
MALFUNCTION = "malfunction"

_SYSTEM = (
    r"(?:site|app|application|service|services|system|platform|server|servers|api|website|web\s*site|portal|dashboard"
    r"|"
    r"everything|production|prod|instance|login|sso|integration|database|db|cluster|network|email|mail|checkout|"
    r"payments?|sync|it|workspace|account)"
)
_OUTAGE = (
    r"\b(?:outage|downtime|service\s+(?:disruption|interruption|degradation)|"
    rf"{_SYSTEM}\s+(?:is|are|went|has\s+been|have\s+been|was|were|seems|appears|keeps\s+going|goes)\s+"
    r"(?:completely\s+|totally\s+|still\s+|entirely\s+)?(?:down|offline|unavailable|unreachable|inaccessible)|"
    r"(?:down|offline)\s+for\s+(?:everyone|all|us|hours|the\s+whole|our\s+whole|\d+\s+hours)|"
    # "it's down", and chat's "its down" / "sites down" ("its down payment" is not).
    rf"(?:it|{_SYSTEM})['\u2019]?s\s+(?:all\s+|completely\s+|totally\s+|still\s+)?(?:down|offline)"
    r"(?!\s*(?:payment|side|time|grade|load|stream|to\b))|"
    r"(?:production|prod|live\s+site)\s+(?:is\s+|went\s+)?(?:down|outage|broken|impacted|incident)|"
    r"(?:500|502|503|504)\s+(?:errors?|bad\s+gateway|service\s+unavailable|gateway|internal)|"
    r"bad\s+gateway|gateway\s+time-?out|service\s+unavailable|internal\s+server\s+error|"
    r"(?:complete|total|major|full|partial|widespread|massive)\s+(?:outage|failure|breakdown|downtime)|"
    r"nothing\s+(?:is\s+)?(?:working|loads|works|loading)|everything\s+is\s+(?:broken|down|failing)|"
    r"(?:site|system|service|company|platform)[- ]wide|not\s+reachable|unreachable)\b"
)
# The same trouble again and again is an incident however it is named: "third incident this month",
# "3rd outage in 10 days" ("the third time this month I ask" is a conversation going in circles: looping.py).
_RECURRING = (
    r"\b(?:second|third|fourth|fifth|sixth|\d+(?:nd|rd|th))\s+(?:\w+\s+)?(?:outage|incident|failure|disruption"
    r"|downtime|breakdown|crash)\s+(?:this|in\s+(?:a|one|two|the\s+(?:last|past)|\d+))\s+(?:\w+\s+)?"
    r"(?:week|month|quarter|days|weeks|months)\b"
)
_CANNOT_ACCESS = (
    # Locked out: "nobody in the company can log in", "no one on our team is able to sign in".
    r"\b(?:nobody|no\s+one|no-one|none\s+of\s+(?:us|them|our\s+\w+|the\s+\w+))\s+(?:\w+\s+){0,4}?(?:can|could"
    r"|is\s+able\s+to|are\s+able\s+to|was\s+able\s+to|were\s+able\s+to)\s+(?:log\s*in|login|sign\s*in|sign\s+on"
    r"|access|get\s+in|get\s+into|connect)\b|"
    r"\b(?:can'?t|cannot|can\s+not|unable\s+to|not\s+able\s+to|could\s*n'?t|couldn'?t)\s+(?:\w+\s+)?"
    r"(?:access|reach|load|open|log\s*in(?:to|\s+to)?|sign\s*in(?:to|\s+to)?|connect\s+to|use|see|view)\s+"
    r"(?:the\s+|our\s+|your\s+|my\s+|any\s+(?:of\s+)?(?:the\s+|our\s+|my\s+)?)?(?:\w+['’]s\s+)?(?:site|app|application"
    r"|service|system|platform|dashboard|account|instance|portal|website|server|api|anything|workspace|data|admin"
    # What the product holds for them: "can't see any of tomorrow's bookings".
    r"|bookings|appointments|orders|invoices|reports|calendar|schedule|records|tickets|messages|calls|jobs"
    r"|shipments|payslips)\b"
)
_DATA_NOUN = (
    r"(?:data|files?|work|e-?mails?|messages?|mails?|records?|contacts?|bookmarks?|history|settings|profiles?|changes"
    r"|"
    r"documents?|photos?|entries|tickets|folders?|attachments?|database|backups?|passwords|notes|projects?|"
    r"invoices|orders|mailbox|inbox|calendar|archives?|accounts?|customers|users|uploads)"
)
_DATA_LOSS = (
    r"\b(?:data\s+loss|loss\s+of\s+(?:all\s+)?(?:data|work|emails|messages|files)|"
    r"lost\s+(?:all\s+|some\s+|most\s+|our\s+|my\s+|the\s+|of\s+|their\s+|a\s+lot\s+of\s+|years\s+of\s+"
    r"|hours\s+of\s+)*"
    rf"{_DATA_NOUN}|"
    rf"{_DATA_NOUN}(?:\s+(?!(?:and|but|or|because|so|i|we|you|they|he|she)\b)[\w']+){{0,4}}?\s+(?:were\s+|was\s+"
    rf"|are\s+|is\s+|have\s+been\s+|has\s+been\s+|got\s+|get\s+|gets\s+|just\s+|all\s+|"
    # Not "to be deleted": data someone asks to have erased is a request, not a loss.
    r"completely\s+|permanently\s+|suddenly\s+|now\s+)*(?<!\bbe\s)(?:lost|deleted|wiped|erased|gone|disappeared|"
    r"vanished|corrupted|overwritten|destroyed|purged)|"
    r"(?:data|files?|e-?mails?|messages?|mails?|records?|contacts?|bookmarks?|folders?|attachments?|documents?)\s+"
    r"(?:are|is|were|was)\s+(?:now\s+|all\s+|completely\s+)?missing|"
    r"(?:inbox|mailbox|folder|database|account|workspace)\s+(?:is|was)\s+(?:now\s+|suddenly\s+|completely\s+)?empty|"
    r"data\s+corruption|(?:data|file|files|database|db|profile|mailbox|index|sqlite|backup|records?|folder"
    r"|archive)\s+"
    r"(?:is\s+|was\s+|got\s+|gets\s+|became\s+|being\s+|has\s+been\s+)?corrupt\w*|corrupt(?:ed|s|ing)?\s+"
    r"(?:the\s+|my\s+|our\s+|a\s+|all\s+)?(?:data|file|files|database|db|profile|mailbox|index|[\w.]+\.sqlite|"
    r"backup|records?)|wiped\s+out|"
    r"(?:deleted|removed|erased)\s+(?:all|everything|our\s+\w+|my\s+\w+)\s+(?:without|by\s+itself|on\s+its\s+own|"
    r"automatically)|(?:e-?mails?|messages?|mails?|orders|payments|webhooks|events)\s+(?:are\s+|were\s+)?"
    r"(?:never\s+(?:delivered|arrive|arrived|sent|received)|silently\s+(?:dropped|lost|discarded|fail\w*)))\b"
)
_CRASH = (
    r"\b(?:crash(?:es|ed|ing)?|segfault\w*|segmentation\s+fault|core\s+dump(?:ed)?|crash[- ]?(?:report|stats|id"
    r"|reporter)|"
    r"bp-[0-9a-f]{8}|(?:hangs?|hanging|hung)(?!\s+(?:up|on|out|around|tight|in\s+there)\b)|"
    # To freeze something (an account, the payouts) is an action asked for, not the product hanging; a year-end,
    # budget or code freeze is the customer's calendar.
    r"(?<!\byear-end\s)(?<!\byear\send\s)(?<!\bbudget\s)(?<!\bcode\s)(?<!\bchange\s)(?<!\bhiring\s)"
    r"(?<!\bspending\s)(?<!\brelease\s)(?<!\bcontent\s)(?<!\bfeature\s)(?<!\bprice\s)(?<!\bpricing\s)"
    r"(?<!\bprocurement\s)(?<!\bdeployment\s)(?<!\bholiday\s)(?<!\bmerge\s)"
    r"(?:freez(?:e|es|ing)|froze(?:n)?)(?!\s+(?:my|the|our|your|a|all|any|his|her|their)?\s*(?:card|account|"
    r"payment|payout|fund|transfer|withdrawal|subscription|plan|user|access|login|budget|price|hiring)s?\b)"
    r"(?!\s+(?:window|period|date|deadline|starts|begins))|lock(?:s|ed|ing)?\s+up|"
    r"unresponsive|"
    r"not\s+responding|stops?\s+responding|stopped\s+responding|beach\s*ball(?:ing)?|spinning\s+(?:wheel"
    r"|beach\s*ball)|"
    r"infinite\s+loop|endless\s+loop|100\s?%\s+cpu|high\s+cpu|memory\s+leak|out\s+of\s+memory|oom|deadlock\w*|"
    r"abort(?:s|ed)?|blue\s+screen|bsod|quits?\s+unexpectedly|unexpectedly\s+quit|closes?\s+(?:itself|unexpectedly)|"
    r"shuts?\s+down\s+(?:unexpectedly|by\s+itself)|killed\s+by|assertion\s+(?:failed|failure))\b"
)
_SLOW = (
    r"\b(?:(?:extremely|very|really|unbearably|unusably|painfully|incredibly|super|so)\s+slow|"
    r"(?:takes|taking|took)\s+(?:forever|ages|minutes|hours)|times?\s+out|timing\s+out|timed\s+out|timeouts?|"
    r"performance\s+(?:issue|problem|degradation|regression)|sluggish|laggy|latency\s+(?:spike|issue|problem))\b"
)
_REGRESSION = (
    r"\b(?:(?:worked|was\s+working|were\s+working|used\s+to\s+work|working\s+fine|worked\s+fine|worked\s+perfectly|"
    r"was\s+fine|were\s+fine|was\s+ok|was\s+okay)\s+(?:\w+\s+){0,3}?(?:yesterday|before|last\s+(?:week|month|night|"
    r"version|release|time)|until|prior|earlier|previously|this\s+morning|in\s+(?:version|v)?\s*\d)|"
    r"used\s+to\s+work|stopped\s+working|no\s+longer\s+(?:works?|working|loads?|opens?|shows?|displays?|syncs?"
    r"|appears?|show\s+up|shows\s+up|gets?\s+(?:sent|created|saved)"
    r"|possible)|"
    r"(?:doesn'?t|does\s+not|don'?t|won'?t|isn'?t|is\s+not)\s+(?:\w+\s+)?(?:work|working|load|open|show|sync)\w*\s+"
    r"(?:anymore|any\s+more)|"
    # "since the 6.4 update", "after Tuesday's release", "since v2.3": a version or a day names the change too.
    r"(?:since|after)\s+(?:the\s+|your\s+|last\s+|latest\s+|today'?s\s+|yesterday'?s\s+|recent\s+|an?\s+|this\s+|"
    r"last\s+night'?s\s+|the\s+latest\s+|v?\d+(?:\.\d+)+\s+|v\d+\s+|\w+day'?s\s+|weekend'?s\s+)*"
    r"(?:update|upgrade|release|deploy(?:ment)?|patch|migration|rollout|"
    r"updating|upgrading|new\s+version|version\s+\d[\w.]*|v\d+(?:\.\d+)+)|"
    r"regress(?:ion|ions|ed)?|broke(?:n)?\s+(?:after|since|with|in)\s+(?:the\s+)?(?:update|upgrade|release|version|"
    r"v?\d)|(?:update|upgrade|release|patch)\s+(?:broke|has\s+broken|broken))\b"
)
_ERROR_TRACE_CASED = (
    r"\b[A-Z][A-Za-z0-9]+(?:Exception|Error)\b|Traceback\s+\(most\s+recent\s+call\s+last\)|"
    r"\bat\s+[\w$.]+\([\w]+\.(?:java|kt|scala|cs|js|ts):\d+\)|\bFile\s+\"[^\"]+\",\s+line\s+\d+|"
    r"\bNS_ERROR_[A-Z_]+\b|\bE(?:CONN\w+|ACCES|NOENT|TIMEDOUT|PIPE|ADDRINUSE|HOSTUNREACH|NOTFOUND)\b|\bpanic:"
)
_ERROR_TRACE = (
    r"\b(?:error\s*(?:code)?\s*[:#]?\s*(?:0x[0-9a-f]{3,}|[a-z]*-?\d{3,})|0x[0-9a-f]{6,}|stack\s*trace|"
    r"backtrace|traceback|null\s*pointer|null\s+reference|undefined\s+is\s+not|uncaught\s+\w+|unhandled\s+\w+|"
    r"exception\s+(?:thrown|was\s+thrown|occurred|in)|fatal\s+error|http\s+5\d\d|status\s+(?:code\s+)?5\d\d|"
    r"error\s+5\d\d|5\d\d\s+error|"
    # A server error said as what the customer got: "everyone gets a 502", "the API returns a 500".
    r"(?:gets?|getting|got|returns?|returning|returned|seeing|throws?|throwing)\s+(?:an?\s+)?(?:http\s+)?5\d\d|"
    # A client error said with its name ("403 Forbidden") is the response the customer got, not a number.
    r"(?:http\s+)?(?:400|401|403|404|405|409|410|413|422|429)\s+(?:bad\s+request|unauthori[sz]ed|forbidden"
    r"|not\s+found|method\s+not\s+allowed|conflict|gone|payload\s+too\s+large|unprocessable|too\s+many\s+requests))\b"
)
_SECURITY = (
    r"\b(?:vulnerab(?:le|ility|ilities)|exploit(?:able|ed|s)?|xss|cross[- ]site\s+(?:scripting|request)|csrf|"
    r"sql\s+injection|injection\s+(?:attack|vulnerability|flaw)|remote\s+code\s+execution|rce|privilege\s+escalation|"
    r"escalation\s+of\s+privilege|security\s+(?:hole|flaw|bug|issue|vulnerability|problem|risk|leak|bypass|concern|"
    r"defect)|(?:auth(?:entication)?|authori[sz]ation|permission|access\s+control|2fa|mfa|sso)\s+bypass|"
    r"bypass(?:es|ed|ing)?\s+(?:the\s+)?(?:auth\w*|login|permissions?|security|2fa|mfa|sso|access\s+control)|"
    r"cve-\d{4}-\d+|(?:leaks?|leaking|leaked|exposes?|exposed|exposing)\s+(?:\w+\s+){0,2}?(?:data|credentials|"
    r"passwords?|tokens?|api\s+keys?|keys|pii|personal\s+(?:data|information)|customer\s+data|secrets?|cookies|"
    r"session)|(?:passwords?|credentials|tokens?|secrets?|api\s+keys?|keys)\s+(?:are\s+|is\s+|get\s+|were\s+)?"
    r"(?:stored|saved|sent|logged|visible|shown|written|transmitted)\s+(?:\w+\s+){0,3}?(?:in\s+)?(?:plain\s*-?\s*text"
    r"|"
    r"clear\s*-?\s*text|unencrypted)|(?:can|could)\s+see\s+(?:other|another|other\s+people'?s?"
    r"|someone\s+else'?s)\s*(?:customers?'?s?|"
    r"users?'?s?|accounts?'?s?|tenants?'?s?|companies'?s?)?\s*(?:data|tickets|information|records|files|emails|"
    r"messages)|(?:data|tickets|records)\s+(?:from|of|belonging\s+to)\s+(?:other|another)\s+"
    r"(?:customers?|users?|accounts?|tenants?|compan(?:y|ies))|plain\s*text\s+passwords?|unencrypted\s+(?:passwords?|"
    r"data|credentials)|"
    # Access rules the product does not enforce: "which the read-only role is supposed to hide".
    r"(?:permissions?|roles?|access\s+(?:rules?|controls?|restrictions?|rights))\s+(?:is|are|were|was)\s*(?:n'?t|not)"
    r"\s+(?:being\s+)?(?:enforced|respected|applied)|(?:supposed|meant)\s+to\s+(?:hide|block|restrict|prevent\s+access"
    r"|be\s+(?:hidden|private|restricted|invisible))|read-?only\s+(?:role|users?|access|accounts?)\s+(?:\w+\s+){0,3}?"
    r"(?:can|could|is\s+able\s+to|are\s+able\s+to)\s+(?:edit|delete|change|modify|approve))\b"
)
_BROAD = (
    # "many of our users" is reach; "so many emails", "too many reports", "how many users" are not.
    # "all 14 clinics", "all of our warehouses": the sites a B2B customer runs count as reach too.
    r"\b(?:(?:all|every|most|(?<!so\s)(?<!too\s)(?<!how\s)(?<!as\s)many|none\s+of|half\s+(?:of\s+)?)\s+(?:of\s+)?(?:our\s+|the\s+|my\s+)?"
    r"(?:\d[\d,]*\s+)?(?:users|customers|clinics|offices|branches|warehouses|schools|campuses|hospitals|restaurants"
    r"|depots|"
    r"clients|agents|employees|staff|team\s+members|accounts|tenants|sites|stores|locations|orders|transactions|"
    r"requests|emails|messages|members|workspaces|instances|regions|environments|browsers|platforms|pages|websites)|"
    r"every\s+(?:single\s+)?(?:user|customer|client|agent|employee|account|page|site|website|request|order)|"
    r"(?:entire|whole)\s+(?:company|team|organi[sz]ation|org|department|staff|site|platform|business|workspace|"
    r"account|system|office)|everyone|everybody|"
    # "Nobody can log in" is reach; "nobody can tell me why" is a complaint about us, not about the product.
    r"(?:nobody|no\s+one)\s+(?:can|is\s+able)(?!\s+(?:to\s+)?(?:tell|explain|answer|say|help|understand|give|confirm))|"
    r"company[- ]wide|across\s+(?:all|the\s+(?:board|company|org))|in\s+production|production\s+(?:environment|"
    r"system|data|users|customers|traffic)|live\s+(?:site|environment|customers|traffic)|"
    r"(?:cannot|can'?t|unable\s+to)\s+work|work\s+(?:is|has)\s+(?:blocked|stopped|halted)|dead\s+in\s+the\s+water|"
    r"(?:thousands|hundreds|millions)\s+of\s+(?:users|customers|records|orders|emails|dollars))\b"
)
# Who or what is counted when reach is stated as a number (below) or who did not get something.
_COUNTED = (
    r"users|customers|clients|employees|staff|people|accounts|seats|agents|invoices|orders|payments|"
    r"transactions|records|contacts|emails|messages|stores|shops|locations|sites|shipments|bookings|tickets|"
    r"devices|members|students|patients|drivers|reports|payslips|refunds|subscribers|tenants|workspaces|clinics|"
    r"offices|branches|warehouses|schools|campuses|hospitals|restaurants|depots|appointments|learners|technicians|"
    r"engineers|managers|teachers|nurses|guests|residents|candidates|vehicles|trucks|properties|units|jobs|calls|"
    r"suppliers|vendors|partners|pos|requests|documents|files|items|products|certificates|statements|"
    # The same counted in the other languages the product reads ("74 dipendenti", "431 Beschäftigten").
    r"mitarbeiter|mitarbeitenden|beschäftigten|kunden|rechnungen|bestellungen|nutzer|patienten|filialen|lieferungen"
    r"|gehaltsabrechnungen|abrechnungen|employés|salariés|factures|commandes|utilisateurs|magasins|livraisons"
    r"|empleados|clientes|facturas|pedidos|usuarios|pacientes|tiendas|envíos|nóminas|funcionários|colaboradores"
    r"|faturas|usuários|lojas|entregas|holerites|carrinhos|dipendenti|clienti|fatture|ordini|utenti|pazienti"
    r"|negozi|spedizioni|cedolini|medewerkers|klanten|facturen|bestellingen|gebruikers|winkels|zendingen"
    r"|loonstroken|transações|transacciones|transazioni|transaktionen"
)
# A failure that lasts or repeats ("stuck for 6 hours", "webhooks stopped firing", "emails are not being
# delivered", "users keep getting logged out") is an incident, where a bare "doesn't work" is often a how-to.
_THING = (
    r"(?:sync|syncing|import|imports|export|exports|job|jobs|upload|uploads|migration|deployment|deploy|build|order"
    r"|orders|payment|payments|page|screen|app|process|queue|integration|connector|webhook|webhooks|report|reports"
    r"|email|emails|it|everything|server|service|api|dashboard|login|checkout|transfer|backup|update|install\w*)"
)
_PERSISTENT_FAILURE = (
    rf"\b(?:{_THING}\s+(?:has|have|had)\s+been\s+(?:stuck|down|failing|broken|hanging|frozen|pending|processing"
    rf"|queued|loading|spinning)\s+(?:for|since)|{_THING}\s+(?:is\s+|are\s+|was\s+|were\s+|got\s+|gets\s+"
    rf"|keeps?\s+getting\s+|seems?\s+(?:to\s+be\s+)?)?stuck|"
    r"stopped\s+(?:working|firing|syncing|sending|loading|responding|updating|arriving|running|triggering|processing"
    r"|importing|exporting)(?!\s+(?:with|for|on|at|together)\b)|"
    # Any doing a part of the product stopped ("our integration stopped posting to Salesforce", "the exports
    # broke"); a person who stopped doing something ("we stopped using it") is not here.
    rf"(?:{_THING}|integrations?|connectors?|feeds?|scanners?|printers?|notifications?|alerts?|invoices?|receipts?)\s+"
    r"(?:(?:has|have|had|just|suddenly|completely|silently|randomly|all)\s+)*(?:stopped\s+\w+ing\b|broke\b)|"
    r"(?:keeps?|kept)\s+(?:getting\s+)?(?:logged|logging|kicked|signed|signing)\s+(?:us\s+|me\s+)?"
    r"out|(?:get|gets|getting|are|is|being)\s+(?:logged|kicked|signed)\s+out\s+(?:every|constantly|repeatedly|randomly"
    r"|all\s+the\s+time)|(?:emails?|messages?|notifications?|webhooks?|invoices?|sms|texts?|alerts?|reports?|codes?)\s+"
    r"(?:are|is|were|was)\s+(?:not|no\s+longer)\s+(?:being\s+)?(?:delivered|sent|arriving|received|firing|triggered)|"
    # People who did not get what the product sends: "62 of our 410 employees did not receive their payslip".
    rf"(?:{_COUNTED})\s+(?:\w+\s+){{0,2}}?(?:did\s+not|didn'?t|have\s+not|haven'?t|never|are\s+not|aren'?t)\s+"
    # Not money (billing's), a chance or an answer from us (a complaint about support, not the product).
    r"(?:\w+\s+)?(?:get|got|receiv\w*|getting)\s+(?:their|the|our|any|an?)\s+(?!refunds?|credits?|money|reimburs"
    r"|chance|choice|say\b|repl|response|answer|call|update\s+from)|"
    r"(?:emails?|messages?|notifications?|webhooks?|invoices?|sms|texts?|alerts?|reports?|codes?)\s+(?:aren'?t|isn'?t|"
    r"weren'?t|wasn'?t)\s+(?:being\s+)?(?:delivered|sent|arriving|received|firing|triggered))\b"
)
# A wrong result told as what the product did: "shows VAT at 0% instead of 20%", "the fee line appears twice on
# every statement", "the second approval step isn't happening any more". Such a report names no failure word, and it
# is a defect engineering must see: the product did something, and not what it should.
# Not money's verbs (charged, billed, paid): "charged twice" is billing's double charge (signals/billing.py).
_DOES = (r"(?:shows?|showing|shown|displays?|displayed|lists?|listed|gives?|gave|returns?|returned|calculat\w*"
         r"|comput\w*|counts?|counted|sets?|puts?|rounds?|rounded|assigns?|assigned|sends?|sent|goes|went|routes?"
         r"|routed|applies|applied|adds?|added|creates?|created|imports?|imported|syncs?|synced|generates?|generated"
         r"|posts?|posted|records?|recorded|uses?|used|picks?|picked|defaults?|defaulted)")
_WRONG_RESULT = (
    rf"\b(?:{_DOES}\s+(?:\S+\s+){{0,8}}?(?:instead\s+of|rather\s+than)"
    rf"|(?:appears?|appeared|shows?\s+up|showed\s+up|{_DOES})\s+(?:\S+\s+){{0,3}}?(?:twice|two\s+times|three\s+times"
    r"|double(?!\s+check)|in\s+duplicate)"
    r"|(?:isn'?t|aren'?t|wasn'?t|weren'?t|is\s+not|are\s+not|was\s+not|were\s+not|not)\s+(?:being\s+)?(?:\w+\s+)?"
    r"(?:happening|applied|added|created|triggered|generated|synced|updated|calculated|counted|recorded|saved"
    r"|assigned|enforced|required|deducted|carried\s+over|rolled\s+over|included|picked\s+up)\s+(?:\w+\s+){0,6}?"
    r"(?:any\s*more|anymore|since|after\s+(?:the|your|last)|for\s+(?:any|all|every|some)|on\s+(?:any|all|every))"
    r"|no\s+longer\s+(?:being\s+)?(?:happening|applied|added|created|triggered|generated|synced|updated|calculated"
    r"|counted|recorded|saved|assigned|enforced|required|deducted|included|picked\s+up|works?|working))\b"
)
_MALFUNCTION = (
    r"\b(?:(?:doesn'?t|does\s+not|don'?t|do\s+not|won'?t|will\s+not|can'?t|cannot|isn'?t|is\s+not|aren'?t|not"
    r"|fails?\s+to|"
    r"failed\s+to|unable\s+to)\s+(?:\w+\s+)?(?:work|working|load|loading|open|opening|start|save|saving|send|sending|"
    r"sync|syncing|display|show|render|print|connect|respond|function|import|export|upload|download|log\s*in|"
    r"sign\s*in|update|install|launch|run|receive|deliver)|broken|bug|buggy|fails?|failed|failure|failing|errors?|"
    r"glitch\w*|malfunction\w*|defect|wrong|incorrect(?:ly)?|doesn'?t\s+behave|unexpected(?:ly)?)\b"
)

# Reach stated as a number: "4,000 invoices went out wrong", "300 users locked out", "we lost $40k in orders".
# A number alone is not impact ("we have 500 users on the Growth plan"): the sentence must also say that
# something failed or was lost. Reported as broad_impact without a category: reach raises the severity of
# whatever the reason is (a billing error, an outage), it does not say which.
_NUMERIC_IMPACT = (
    r"(?:\d{1,3}(?:[,.\s]\d{3})+|\d{2,}|\d+(?:\.\d+)?\s*k|dozens|hundreds|thousands|millions)\s+(?:of\s+)?"
    rf"(?:our\s+|my\s+|the\s+|their\s+)?(?:[a-z-]+\s+)?(?:{_COUNTED})\b"
    r"|[$€£]\s?\d[\d,.]*\s*(?:k|m|million|thousand)?\b"
    r"|\b\d[\d,.]*\s*(?:k|m)?\s*(?:usd|eur|gbp|dollars|euros|pounds)\b"
)
# "can't wait for the release", "can't thank you enough": no inability.
_NOT_AN_IDIOM = r"(?!\s+(?:wait|thank|believe|stress|recommend|imagine|complain|be\s+happier|agree|say\s+enough))"
_IMPACT_WORDS = re.compile(
    rf"\b(?:fail\w*|wrong\w*|error\w*|incorrect\w*|locked|lock(?:ed)?\s+out|(?:can'?t|cannot){_NOT_AN_IDIOM}|unable|lost|losing|"
    r"lose|missing|down|blocked|stuck|duplicat\w*|double[ds]?|twice|affected|impacted|broken|not\s+(?:\w+\s+)?"
    r"(?:receiv\w*|load\w*|work\w*|sen[dt]\w*|sync\w*|process\w*|pa(?:y|id)\w*)|overcharg\w*|bounc\w*|"
    r"deleted|disappeared|corrupt\w*|out\s+of\s+pocket|cost\s+us|costing\s+us|an?\s+5\d\d"
    # Failure words of the other languages: wrong, missing, blocked, twice, affected, failed.
    r"|falsch\w*|fehlerhaft\w*|fehlt|fehlen|doppelt\w*|betroffen\w*|ausgefallen|gesperrt|fausse?s?|erron\w*"
    r"|manqu\w*|bloqu\w*|doublon\w*|touchée?s?|impactée?s?|erróne\w*|incorrect\w*|falt\w*|duplicad\w*|afectad\w*"
    r"|errad\w*|incorret\w*|falh\w*|afetad\w*|sbagliat\w*|errat\w*|manca|mancano|bloccat\w*|duplicat\w*"
    r"|coinvolt\w*|fout\w*|onjuist\w*|ontbre\w*|geblokkeerd|dubbel\w*|getroffen|galat|abandonad\w*)\b"
)
_MONEY_LOST = re.compile(r"\b(?:lost|losing|lose|revenue|sales|cost(?:s|ing)?\s+us|out\s+of\s+pocket|missed)\b")
_MIN_COUNT = 20  # "2 users" is a detail; twenty or more is reach


def _count(text: str) -> float:
    words = {"dozens": 24, "hundreds": 200, "thousands": 2000, "millions": 2_000_000}
    first = text.split()[0].lower()
    if first in words:
        return words[first]
    digits = re.match(r"[$€£]?\s?(\d[\d,.\s]*)", text)
    if digits is None:
        return 0.0
    number = re.sub(r"[,\s]|\.(?=\d{3}\b)", "", digits.group(1).strip())
    try:
        value = float(number.rstrip("."))
    except ValueError:
        return 0.0
    return value * 1000 if re.match(r"[$€£]?\s?[\d.,]+\s*k\b", text.lower()) else value


_ASKS_THE_WAY = re.compile(r"\W*(?:how|where|can\s+(?:i|we)|could\s+(?:i|we)|is\s+(?:there|it\s+possible))\b")


def _judge_wrong_result(view: MessageView, match: re.Match[str], rule: PatternRule) -> float:
    """A wrong result, unless its sentence asks the way to get another ("how do I show the total instead of the
    average?" is a how-to)."""
    start, _end = sentence_of(view, match.start(), match.end())
    if _ASKS_THE_WAY.match(view.lower, start):
        return NOT_MEANT
    return default_judge(view, match, rule)


# Reach with an inability: "about 1,300 people can't watch course videos", "our 40 agents can't see incoming chats".
# Many people unable to use a part of the product is a fault engineering must see, whatever the verb.
_UNABLE = re.compile(
    rf"\b(?:(?:can'?t|cannot|can\s+not|couldn'?t|could\s+not){_NOT_AN_IDIOM}|unable\s+to|not\s+able\s+to"
    r"|no\s+longer\s+able\s+to"
    # ... or what the product should do for them did not happen: "3,214 employees who will not be paid on Friday",
    # "23 suppliers have been invited and none of them has received an email".
    r"|(?:will\s+not|won'?t|didn'?t|did\s+not|haven'?t|have\s+not|hasn'?t|has\s+not|weren'?t|were\s+not|aren'?t"
    r"|are\s+not|never)\s+(?:been\s+|be\s+)?(?:paid|receiv\w*|reach\w*|arriv\w*|deliver\w*|sent|sync\w*|process\w*"
    r"|load\w*|import\w*|export\w*|generat\w*|show\w*\s+up|gone\s+out|go\s+out|went\s+out)"
    r"|none\s+of\s+(?:them|these|those|the\s+\w+|our\s+\w+)\s+(?:\w+\s+)?(?:has|have|had|is|are|was|were|can|could"
    r"|got|received)\b)\b"
)


def _judge_unable_reach(view: MessageView, match: re.Match[str], rule: PatternRule) -> float:
    """A malfunction when the number is reach (twenty or more, not money) and its sentence says they cannot do
    something, or that what the product should do for them did not happen."""
    text = match.group()
    if text[:1] in "$€£" or _count(text) < _MIN_COUNT or not _UNABLE.search(
            view.lower, *sentence_of(view, match.start(), match.end())):
        return NOT_MEANT
    return default_judge(view, match, rule)


def _judge_numeric_impact(view: MessageView, match: re.Match[str], rule: PatternRule) -> float:
    """The rule's strength when the number is reach (20 or more, in a sentence saying something failed) or
    lost business (1,000 or more in money, in a sentence saying it was lost); else nothing."""
    text = match.group()
    money = text[:1] in "$€£" or bool(re.search(r"usd|eur|gbp|dollars|euros|pounds", text))
    if _count(text) < (1000 if money else _MIN_COUNT):
        return 0.0
    sentence = sentence_of(view, match.start(), match.end())
    # Money is reach when business was lost ("we lost $40k in orders"); a charge to refund is the
    # customer's billing problem, which the billing signals weigh.
    if not (_MONEY_LOST if money else _IMPACT_WORDS).search(view.lower, *sentence):
        return 0.0
    return default_judge(view, match, rule)


# Reach in words that already say something failed ("nobody can", "can't work", "dead in the water").
_FAILING_REACH = re.compile(r"^(?:nobody|no\s+one)\b|\b(?:cannot|can'?t|unable|blocked|stopped|halted|dead)\b")

_NONE_CAN = re.compile(r"\b(?:can|could|able|receiv\w*|got|gets?|works?|load\w*|see|access\w*|open)\b")


# A person who "no longer works here", "used to work at" or "worked for us until July" left a job: the regression
# phrases read a product's behaviour, and a person as their subject is employment ("I was a teacher there until
# July and I no longer work there. Please delete my account").
_PERSON_BEFORE = re.compile(r"\b(?:i|we|he|she|they|who|you)\s+(?:\w+\s+)?$")
_EMPLOYMENT = re.compile(r"^(?:no\s+longer\s+works?|used\s+to\s+work|worked)\b")


def _judge_regression(view: MessageView, match: re.Match[str], rule: PatternRule) -> float:
    """The rule's strength, unless a person is the one who no longer works, used to work or worked somewhere."""
    if _EMPLOYMENT.match(match.group().lower()) and _PERSON_BEFORE.search(view.lower, max(0, match.start() - 30),
                                                                           match.start()):
        return NOT_MEANT
    return default_judge(view, match, rule)


def _judge_reach(view: MessageView, match: re.Match[str], rule: PatternRule) -> float:
    """Reach counts only where something fails: "the whole team is locked out" is an incident's reach,
    "we want to invite our entire team" or "everyone loves the new editor" is no incident at all."""
    text = match.group().lower()
    if not _FAILING_REACH.search(text):
        start, end = sentence_of(view, match.start(), match.end())
        # "None of our agents can log in": what none of them can do is the failure.
        cannot = text.startswith("none") and _NONE_CAN.search(view.lower, match.end(), end)
        if not cannot and not _IMPACT_WORDS.search(view.lower, start, end):
            return NOT_MEANT
    return default_judge(view, match, rule)


_MONTH = (r"(?:january|february|march|april|june|july|august|september|october|november|december"
          r"|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)")  # "may" only beside a day: also a verb
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
# A date or a time before this week, next to the outage it names: "the January outage", "the outage of 3 May",
# "last Thursday's outage", "the outage back in March". Today's, this morning's and yesterday's are not here.
_PAST_DATE = re.compile(
    rf"\b(?:last\s+(?:week|month|quarter|year|{_WEEKDAY})|back\s+in|earlier\s+this\s+(?:month|year)"
    rf"|{_MONTH}(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?|may\s+\d{{1,2}}(?:st|nd|rd|th)?\b"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTH}|may)"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}(?:/\d{2,4})?)\b"
)
_OUTAGE_NOUN = re.compile(r"(?:outage|downtime|disruption|interruption|degradation|failure|breakdown)$")
PAST_OUTAGE_FACTOR = 0.25  # as much as an outage in resolved talk: named, not happening


def _judge_outage(view: MessageView, match: re.Match[str], rule: PatternRule) -> float:
    """An outage named by its date ("the outage of 3 May", "last Thursday's outage") is a past event the
    customer refers to (for a credit, a report, thanks), not one going on: it counts a quarter."""
    strength = default_judge(view, match, rule)
    if strength <= 0.0 or not _OUTAGE_NOUN.search(match.group(0).lower()):
        return strength
    before = view.lower[max(0, match.start() - 30):match.start()]
    after = view.lower[match.end():match.end() + 25]
    before = re.split(r"[.!?\n]", before)[-1]
    after = re.split(r"[.!?\n]", after)[0]
    if _PAST_DATE.search(before) or re.match(r"\s*(?:of|on|in|from|back\s+in)\s", after) and _PAST_DATE.search(after):
        return strength * PAST_OUTAGE_FACTOR
    return strength


RULES: tuple[PatternRule, ...] = (
    PatternRule(OUTAGE, _OUTAGE, 0.95, CATEGORY, policy_question=0.6, judge=_judge_outage,
                anchors=rule_words("outage downtime disruption interruption degradation down offline unavailable "
                                   "unreachable inaccessible production prod live 500 502 503 504 gateway internal "
                                   "failure breakdown nothing everything wide reachable")),
    PatternRule(OUTAGE, _RECURRING, 0.8, CATEGORY, policy_question=0.6,
                anchors=rule_words("second third fourth fifth sixth nd rd th")),
    PatternRule(OUTAGE, _CANNOT_ACCESS, 0.55, CATEGORY, policy_question=0.6,
                anchors=rule_words("can cannot unable able could nobody no none")),
    PatternRule(DATA_LOSS, _DATA_LOSS, 0.95, CATEGORY, policy_question=0.5,
                anchors=rule_words("data loss lost deleted wiped erased gone missing disappeared vanished corrupt "
                                   "overwritten destroyed purged empty blank permanently removed")),
    PatternRule(CRASH_OR_HANG, _CRASH, 0.85, CATEGORY, policy_question=0.6,
                anchors=rule_words("crash segfault segmentation core bp- hang hung freez froze lock unresponsive "
                                   "responding beach spinning infinite endless cpu memory oom deadlock abort blue bsod "
                                   "quit unexpectedly close shut killed assertion")),
    PatternRule(CRASH_OR_HANG, _SLOW, 0.45, CATEGORY, policy_question=0.6,
                anchors=rule_words("slow take taking took time timing timed timeout performance sluggish laggy "
                                   "latency")),
    PatternRule(REGRESSION, _REGRESSION, 0.75, CATEGORY, policy_question=0.6, judge=_judge_regression,
                anchors=rule_words("worked working used fine ok okay longer anymore more update upgrade release "
                                   "deploy patch migration rollout version regress broke stopped")),
    PatternRule(ERROR_TRACE, _ERROR_TRACE_CASED, 0.6, CATEGORY, policy_question=1.0, case_sensitive=True,
                anchors=rule_words("exception error traceback java kt scala cs js ts file ns_error econn eacces enoent "
                                   "etimedout epipe eaddrinuse ehostunreach enotfound panic")),
    PatternRule(ERROR_TRACE, _ERROR_TRACE, 0.6, CATEGORY, policy_question=1.0,
                anchors=rule_words("error 0x stack backtrace traceback null undefined uncaught unhandled exception "
                                   "get gets getting got return returns returning returned seeing throw throws "
                                   "throwing "
                                   "fatal http status 5 400 401 403 404 405 409 410 413 422 429")),
    PatternRule(SECURITY_VULNERABILITY, _SECURITY, 0.85, CATEGORY, policy_question=0.6,
                anchors=rule_words("vulnerab exploit xss cross csrf sql injection remote rce privilege escalation "
                                   "security auth authori permission access 2fa mfa sso bypass cve leak exposes "
                                   "exposed "
                                   "exposing other another someone plain unencrypted")),
    PatternRule(SECURITY_VULNERABILITY, compliance.DATA_EXPOSED, 0.85, CATEGORY, policy_question=0.6,
                judge=compliance.judge_exposure, anchors=compliance.DATA_EXPOSED_ANCHORS),
    PatternRule(BROAD_IMPACT, _NUMERIC_IMPACT, 0.8, None, policy_question=0.5, judge=_judge_numeric_impact,
                resolved=RESOLVED_FACTOR, anchors=rule_words(_COUNTED.replace("|", " ") + " usd eur gbp dollars euros "
                                                             "pounds")),
    PatternRule(MALFUNCTION, _NUMERIC_IMPACT, 0.6, CATEGORY, policy_question=0.5, judge=_judge_unable_reach,
                resolved=RESOLVED_FACTOR, anchors=rule_words(_COUNTED.replace("|", " "))),
    PatternRule(BROAD_IMPACT, _BROAD, 0.7, CATEGORY, policy_question=0.5, judge=_judge_reach,
                anchors=rule_words("user customer client agent employee staff team member account tenant site store "
                                   "location order transaction request email message workspace instance region "
                                   "environment browser platform page website entire whole everyone everybody nobody "
                                   "one company board production live work dead thousands hundreds millions")),
    PatternRule(MALFUNCTION, _PERSISTENT_FAILURE, 0.6, CATEGORY, policy_question=0.5,
                anchors=rule_words("sync import export job upload migration deploy build order payment page screen app "
                                   "process queue integration connector webhook report email it everything server "
                                   "service api dashboard login checkout transfer backup update install stopped keep "
                                   "did didn have haven never aren "
                                   "keeps kept get gets getting are is being message notification invoice sms text "
                                   "alert code codes")),
    PatternRule(MALFUNCTION, _WRONG_RESULT, 0.6, CATEGORY, policy_question=0.5, judge=_judge_wrong_result,
                anchors=rule_words("show display list give gave return calculat comput count set put round assign send "
                                   "sent go went rout appl add creat import sync generat post record use used pick "
                                   "default appear isn aren wasn weren is are was were not no")),
    PatternRule(MALFUNCTION, _MALFUNCTION, 0.4, CATEGORY, policy_question=0.5,
                anchors=rule_words("work load open start save saving send sync display show render print connect "
                                   "respond function import export upload download log sign update install launch "
                                   "run receive deliver broken bug fail error glitch malfunction defect wrong "
                                   "incorrect unexpected behave")),
)
