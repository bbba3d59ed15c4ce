"""What an import did, counted as a merchant needs it: how many products will reach TikTok.

"807 accepted" said nothing when all 807 broke TikTok's rules. ``ImportTally`` counts each stored
item by the state it ends in (ready for TikTok, invalid, kept off by the store, rejected by TikTok's
review) with the commonest reasons, beside the items refused as malformed and the products
removed; what the reader noticed and what was filled in for the merchant are said once each.
``summary()`` is the structure the API, the command line and the admin page all show.
"""
from collections import Counter
from dataclasses import dataclass, field

READY_STATES = frozenset(("queued", "uploading", "pending_review", "listed"))
TOP_REASONS = 3
# Note codes of ``prepared.Prepared.notes`` -> the sentence for the summary, given a count.
NOTE_SENTENCES = {
    "brand_from_store": "{n} without a brand: the store's name is sent as their brand",
    "currency_from_store": "{n} with a price but no currency: the store's currency is assumed",
    "condition_new": "{n} without a condition: new is assumed, as Merchant Center does",
    "gtin_dropped": "{n} with a GTIN that is not valid (length or check digit): it is not sent",
    "https_upgraded": "{n} with http:// links or images: their https:// form answered and is sent",
    "source_note": "{n} with something the catalog source changed on the way in (as a VTEX image sent in its "
                   "resized form): each product's why says what",
}
REASON_LABELS = {
    "missing": "no {field}", "too_long": "{field} too long", "bad_value": "{field} not an accepted value",
    "bad_price": "{field} not a valid price", "currency": "price in another currency than the store's",
    "foreign_link": "link on another domain than the store's", "emoji": "emoji in {field}",
    "http_url": "{field} is http:// and its https:// form did not work",
    "bad_url": "{field} is not a web address",
}


@dataclass
class ImportTally:
    """Counts of what the stored items became, and of what was said about them."""

    ready: int = 0
    invalid: int = 0
    excluded: int = 0
    rejected: int = 0
    reasons: Counter = field(default_factory=Counter)  # (code, field) -> products
    notes: Counter = field(default_factory=Counter)  # note code -> products (new or changed ones)
    feed_notices: list = field(default_factory=list)  # sentences from the feed reader

    def add(self, state, reasons, notes=()):
        """Count one stored item in ``state`` with its ``reasons`` and the ``notes`` made preparing it."""
        if state in READY_STATES:
            self.ready += 1
        elif state == "invalid":
            self.invalid += 1
            for reason in {(r.get("code"), r.get("field")) for r in reasons or ()}:
                self.reasons[reason] += 1
        elif state == "rejected":
            self.rejected += 1
        else:
            self.excluded += 1
        for code in set(notes):
            self.notes[code] += 1

    def summary(self, *, read, refused, removed):
        """The import's summary as plain data, with its one-line ``text``."""
        ranked = sorted(self.reasons.items(), key=lambda pair: (-pair[1], pair[0][1] or "", pair[0][0] or ""))
        top = [{"code": code, "field": name, "label": _label(code, name), "count": count}
               for (code, name), count in ranked[:TOP_REASONS]]
        notes = list(self.feed_notices) + [NOTE_SENTENCES.get(code, code + ": {n}").format(n=_items(count))
                                           for code, count in sorted(self.notes.items())]
        result = {"read": read, "ready": self.ready, "invalid": self.invalid, "excluded": self.excluded,
                  "rejected": self.rejected, "refused": refused, "removed": removed, "top_reasons": top,
                  "notes": notes}
        result["text"] = summary_text(result)
        return result


def summary_text(summary):
    """"N read: R ready for TikTok, I invalid (reasons), F refused (malformed), D removed"."""
    reasons = ", ".join(f"{reason['label']}: {reason['count']}" for reason in summary["top_reasons"])
    parts = [f"{summary['ready']} ready for TikTok",
             f"{summary['invalid']} invalid" + (f" ({reasons})" if reasons else "")]
    if summary["excluded"]:
        parts.append(f"{summary['excluded']} kept off TikTok by the store (hidden, draft or hidden category)")
    if summary["rejected"]:
        parts.append(f"{summary['rejected']} rejected by TikTok's review")
    parts += [f"{summary['refused']} refused (malformed)", f"{summary['removed']} removed"]
    return f"{summary['read']} read: " + ", ".join(parts)


def _label(code, name):
    return REASON_LABELS.get(code, "{field}: " + (code or "problem")).format(field=name or "product")


def _items(count):
    return f"{count} item{'s' if count != 1 else ''}"
