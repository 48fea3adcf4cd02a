"""WhatsApp chat exports in every locale and device variant, read into raw messages.

A line starts a message when it opens with a date and a clock time in any of the shapes phones
write: "12/30/24, 9:15 PM - Alice: …" (Android), "[29.01.18, 12:24:03] Bob: …" (iOS, German),
"[21:41:35, 3/27/22] …" (Vietnamese, time first), "2023-06-01, 10:12 - …" (year first), Arabic-Indic
digits with Arabic AM/PM letters, Thai Buddhist years ("2565 BE") and Japanese era years ("R4").
System notices (encryption, "X added Y", security codes, deleted messages, missed calls) are dropped;
media placeholders stay, because a customer who sent a screenshot did something at that time.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from functools import lru_cache

from postmortem_desktop.importers.transcript_formats import SKIP, DayClock, RawMessage, clean, collect

# Arabic-Indic and Persian digits read as the ASCII ones; Arabic commas as commas.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹،", "01234567890123456789,")
_HAS_FOREIGN_DIGIT = re.compile("[٠-٩۰-۹،]")
# Localized AM/PM words, before or after the clock (Arabic ص/م, Japanese 午前/午後, Korean, Chinese…).
_AM = ("am", "a.m.", "a. m.", "vorm.", "ص", "午前", "上午", "오전", "ก่อนเที่ยง", "πμ", "дп")
_PM = ("pm", "p.m.", "p. m.", "nachm.", "م", "午後", "下午", "오후", "หลังเที่ยง", "μμ", "пп")
_MERIDIEM = "|".join(re.escape(word) for word in sorted(_AM + _PM, key=len, reverse=True))
_CLOCK = (rf"(?:(?P<pre>{_MERIDIEM})\s?)?(?P<h>\d{{1,2}})[:.](?P<mi>\d{{2}})(?:[:.](?P<s>\d{{2}}))?"
          rf"(?:\s?(?P<post>{_MERIDIEM}))?")
# Day, month and year in either order, or year first; years of two or four digits, Buddhist "2565 BE",
# Japanese eras "R4" (Reiwa), "H30" (Heisei).
_DATE = (r"(?P<a>\d{1,4})[/.\-]\s?(?P<b>\d{1,2})[/.\-]\s?(?P<c>\d{2,4}|[RHS]\d{1,2})(?P<be>\sBE)?\.?")
# Vietnamese phones write the time first: the same groups, named with a "t" in front.
_TIME_FIRST = f"{_CLOCK},\\s?{_DATE}".replace("(?P<", "(?P<t")
_HEADER = re.compile(
    rf"^\[?(?:{_DATE}[,\s]\s?(?:at\s)?{_CLOCK}|{_TIME_FIRST})\]?(?:\s[-–]|:)?\s(?P<rest>.*)$", re.I)
_SAYS = re.compile(r"^(?P<name>[^:]{1,80}):(?:\s(?P<text>.*))?$")
_ERAS = {"r": 2018, "h": 1988, "s": 1925}
# Bodies that WhatsApp writes itself, in the export's language (compared casefolded, without a final
# full stop): deleted messages, calls, view-once media it cannot export.
_NOTICE_BODIES = frozenset(text.casefold() for text in (
    "this message was deleted", "you deleted this message", "diese nachricht wurde gelöscht",
    "du hast diese nachricht gelöscht", "ce message a été supprimé", "vous avez supprimé ce message",
    "se eliminó este mensaje", "eliminaste este mensaje", "данное сообщение удалено",
    "вы удалили данное сообщение", "це повідомлення було видалено", "ви видалили це повідомлення",
    "tato zpráva byla odstraněna", "tato zpráva byla smazána", "tuto zprávu jste odstranil/a",
    "tuto zprávu jste smazal/a", "dit bericht is verwijderd", "u hebt dit bericht verwijderd",
    "tin nhắn này đã bị xóa", "bạn đã xoá tin nhắn này", "यह मैसेज डिलीट कर दिया गया है",
    "आपने यह मैसेज डिलीट किया", "ข้อความนี้ถูกลบแล้ว", "คุณได้ลบข้อความนี้", "このメッセージは削除されました",
    "このメッセージを削除しました", "تم حذف هذه الرسالة", "أنت حذفت هذه الرسالة", "questo messaggio è stato eliminato",
    "hai eliminato questo messaggio", "esta mensagem foi apagada", "você apagou esta mensagem",
    "missed voice call", "missed video call", "gemiste spraakoproep", "gemiste video-oproep", "zmeškaný hovor",
    "пропущенный аудиозвонок", "пропущенный видеозвонок", "verpasster sprachanruf", "verpasster videoanruf",
    "appel vocal manqué", "appel vidéo manqué", "llamada perdida", "null",
))
# Notices whose wording runs on (the encryption notice, a changed security code): a telling phrase.
_NOTICE_PHRASES = ("end-to-end", "ende-zu-ende", "de bout en bout", "de extremo a extremo", "end-to-end versleuteld",
                   "сквозным шифрованием", "наскрізним шифруванням", "koncovým šifrováním", "mã hóa đầu cuối",
                   "एंड-टू-एंड", "エンドツーエンド", "จากต้นทางถึงปลายทาง", "بالكامل", "crittografia end-to-end",
                   "your security code with", "sicherheitsnummer", "security code changed", "код безопасности",
                   "код безпеки", "code de sécurité", "código de seguridad", "código de segurança",
                   "codice di sicurezza", "beveiligingscode", "bezpečnostní kód")
_NOTICE_PHRASE = re.compile("|".join(re.escape(phrase) for phrase in _NOTICE_PHRASES))
_EMPTY = "(empty message: nothing was exported)"


def _ascii(line: str) -> str:
    return line.translate(_DIGITS) if _HAS_FOREIGN_DIGIT.search(line) else line


def header(line: str) -> re.Match[str] | None:
    """The date, clock and rest of a line that starts a WhatsApp message (or notice), else None."""
    return _HEADER.match(_ascii(line))


def score_whatsapp(lines: Sequence[str]) -> int:
    # Only a dated line with "Name:" after it counts: a bare date in prose ("01/15/2024 at 2:30 PM") does not.
    return sum(1 for line in lines if (found := header(line.strip())) and _SAYS.match(found["rest"]))


def _part(found: re.Match[str], name: str) -> str | None:
    value: str | None = found[name] if found[name] is not None else found["t" + name]
    return value


def _day_order(lines: Sequence[str]) -> str:
    """"ymd", "dmy" or "mdy": decided by the first date whose numbers allow only one reading."""
    dotted = meridiem = False
    for line in lines:
        found = header(line.strip())
        if found is None:
            continue
        a, b = int(_part(found, "a") or 0), int(_part(found, "b") or 0)
        if len(_part(found, "a") or "") == 4:
            return "ymd"
        if a > 12:
            return "dmy"
        if b > 12:
            return "mdy"
        dotted = dotted or "." in found.group()[:12]
        meridiem = meridiem or bool(_part(found, "pre") or _part(found, "post"))
    # Undecided: dotted dates are European (day first); 12-hour clocks mostly come with US order.
    return "dmy" if dotted or not meridiem else "mdy"


def _year(text: str, buddhist: bool) -> int:
    if text[0].isalpha():
        return _ERAS[text[0].lower()] + int(text[1:])
    year = int(text)
    if year < 100:
        year += 2000
    # Thai phones count from 543 BC; an export that says "BE" or a year past 2400 uses that calendar.
    return year - 543 if buddhist or year > 2400 else year


def _clock(found: re.Match[str]) -> tuple[int, int, int] | None:
    hour, minute = int(_part(found, "h") or 0), int(_part(found, "mi") or 0)
    second = int(_part(found, "s") or 0)
    word = (_part(found, "pre") or _part(found, "post") or "").casefold()
    # "00:04:03 AM" appears in real exports: hour 0 with a meridiem is midnight's hour; "23:59 PM"
    # (a 24-hour clock with the word added) keeps its hour, the number being unambiguous.
    if word and hour <= 12:
        hour = hour % 12 + (12 if word in _PM else 0)
    return hour, minute, second


def _day(found: re.Match[str], order: str) -> date | None:
    return _date_of(_part(found, "a") or "", _part(found, "b") or "", _part(found, "c") or "",
                    bool(_part(found, "be")), order)


@lru_cache(maxsize=8192)
def _date_of(a: str, b: str, c: str, buddhist: bool, order: str) -> date | None:
    # a chat has a few hundred distinct days and a hundred thousand lines: each day is read once
    try:
        if order == "ymd" or len(a) == 4:
            return date(_year(a, buddhist), int(b), int(c))
        month, dom = (int(b), int(a)) if order == "dmy" else (int(a), int(b))
        return date(_year(c, buddhist), month, dom)
    except (ValueError, KeyError):
        return None


def is_notice(body: str) -> bool:
    """Whether a message body is one WhatsApp wrote itself (deleted message, call, encryption notice)."""
    text = body.strip().rstrip(".。").casefold()
    return text in _NOTICE_BODIES or _NOTICE_PHRASE.search(text) is not None


def read_whatsapp(lines: Sequence[str], clock: DayClock) -> list[RawMessage]:
    order = _day_order(lines)
    notices: list[RawMessage] = []

    def recognise(line: str, current: RawMessage | None) -> RawMessage | object | None:
        found = header(line)
        if found is None:
            return None
        says = _SAYS.match(found["rest"])
        if says is None:
            return SKIP  # "You added Bob", "Alice created group …": no author, a notice
        day, parts = _day(found, order), _clock(found)
        at = clock.at(*parts, on=day) if day and parts else None
        text = (says["text"] or "").strip()
        message = RawMessage(author=says["name"].strip(), at=at, lines=[clean(text) if text else _EMPTY])
        if is_notice(text):
            notices.append(message)  # still opened, so its continuation lines are not glued elsewhere
        return message

    messages = collect(lines, recognise)
    dropped = {id(message) for message in notices}
    return [message for message in messages if id(message) not in dropped]
