#!/usr/bin/env python3
"""Verify an export of the audit chains and their anchors on any machine: Python 3.8+, standard library only.

    python3 verify_audit_export.py audit-export.json [--tsa-cert tsa.pem ...] [--anchors mailed.json ...]

It recomputes, independently of the system that wrote the export:

1. every event's hash from the columns it hashes, and every link to the event before it;
2. every anchor's digest from its statement, and every link to the anchor before it;
3. that every chain still holds each head an anchor recorded (the event at that sequence exists, with
   that hash): a rewrite whose later hashes were all recomputed, or a chain emptied and begun again,
   fails here, because the anchors were timestamped or mailed away when they were made;
4. each anchor's RFC 3161 timestamp token: its message imprint is the anchor's digest, and, given the
   authority's certificate (--tsa-cert, PEM), its RSA signature over the token's signed attributes and
   the certificate that made it (the given one, or one it signed). ECDSA tokens are reported as not
   checked: verify those with `openssl ts -verify`.
5. anchors kept elsewhere (--anchors: an anchor mailed to the audit administrators, another export) are
   the same as the export's.

Exit status 0 when everything holds, 1 when something does not, 2 when the file cannot be read.
"""

import argparse
import base64
import binascii
import datetime
import hashlib
import json
import sys

GENESIS = "0" * 64
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
OID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
OID_SHA256 = "2.16.840.1.101.3.4.2.1"


def canonical(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def statement_digest(statement: dict) -> str:
    return hashlib.sha256(canonical(statement)).hexdigest()


def event_digest(event: dict) -> str:
    """Format 1 hashes the columns alone; format 2 adds the format number and the structured payload;
    format 3 is format 2 for an event whose chain hashes a column more (its fields carry it)."""
    if event["format"] == 1:
        if event.get("payload"):
            raise ValueError("a format-1 event carries a payload")
        return hashlib.sha256(canonical(event["fields"])).hexdigest()
    if event["format"] in (2, 3):
        return hashlib.sha256(
            canonical({**event["fields"], "format": event["format"], "payload": event["payload"]})
        ).hexdigest()
    raise ValueError("unknown chain format {!r}".format(event["format"]))


# --- DER, enough to read a timestamp token and a certificate ------------------------------------------


class Der:
    """One TLV: tag byte, the whole encoding, and the value bytes."""

    def __init__(self, data: bytes, offset: int = 0):
        self.tag = data[offset]
        position = offset + 1
        length = data[position]
        position += 1
        if length & 0x80:
            count = length & 0x7F
            length = int.from_bytes(data[position : position + count], "big")
            position += count
        self.value = data[position : position + length]
        self.encoded = data[offset : position + length]
        self.end = position + length

    def children(self) -> list:
        items, offset = [], 0
        while offset < len(self.value):
            item = Der(self.value, offset)
            items.append(item)
            offset = item.end
        return items

    def oid(self) -> str:
        first, parts, number = self.value[0], [], 0
        parts += [str(first // 40), str(first % 40)]
        for byte in self.value[1:]:
            number = (number << 7) | (byte & 0x7F)
            if not byte & 0x80:
                parts.append(str(number))
                number = 0
        return ".".join(parts)

    def integer(self) -> int:
        return int.from_bytes(self.value, "big", signed=True)


def token_read(token: bytes) -> dict:
    """The parts of a TimeStampToken (ContentInfo of SignedData over a TSTInfo) a check needs."""
    signed_data = Der(token).children()[1].children()[0]
    parts = signed_data.children()
    encapsulated = parts[2].children()
    tst_info_der = encapsulated[1].children()[0].value
    tst_info = Der(tst_info_der).children()
    imprint = tst_info[2].children()
    gen_time = tst_info[4].value.decode()
    certificates = [c.encoded for c in parts[3].children()] if parts[3].tag == 0xA0 else []
    signer = parts[-1].children()[0].children()
    signed_attrs = next(item for item in signer if item.tag == 0xA0)
    index = signer.index(signed_attrs)
    return {
        "imprint_algorithm": imprint[0].children()[0].oid(),
        "imprint": imprint[1].value,
        "time": datetime.datetime.strptime(gen_time[:14], "%Y%m%d%H%M%S").replace(tzinfo=datetime.UTC),
        "tst_info": tst_info_der,
        "certificates": certificates,
        "signed_attrs": b"\x31" + signed_attrs.encoded[1:],  # signed as a SET OF, not as [0] IMPLICIT
        "attributes": {
            a.children()[0].oid(): a.children()[1].children()[0].value for a in signed_attrs.children()
        },
        "digest_algorithm": signer[2].children()[0].oid(),
        "signature_algorithm": signer[index + 1].children()[0].oid(),
        "signature": signer[index + 2].value,
    }


def certificate_read(der: bytes) -> dict:
    certificate = Der(der).children()
    tbs = certificate[0]
    fields = tbs.children()
    if fields[0].tag == 0xA0:
        fields = fields[1:]
    key_info = fields[5].children()
    key = {}
    if key_info[0].children()[0].oid() == "1.2.840.113549.1.1.1":  # rsaEncryption
        numbers = Der(key_info[1].value[1:]).children()
        key = {"n": numbers[0].integer(), "e": numbers[1].integer()}
    return {
        "tbs": tbs.encoded,
        "issuer": fields[2].encoded,
        "subject": fields[4].encoded,
        "key": key,
        "signature": certificate[2].value[1:],
        "signature_algorithm": certificate[1].children()[0].oid(),
    }


def rsa_sha256_verify(key: dict, message: bytes, signature: bytes) -> bool:
    if not key:
        return False
    size = (key["n"].bit_length() + 7) // 8
    decoded = pow(int.from_bytes(signature, "big"), key["e"], key["n"]).to_bytes(size, "big")
    digest_info = SHA256_DIGEST_INFO + hashlib.sha256(message).digest()
    expected = b"\x00\x01" + b"\xff" * (size - len(digest_info) - 3) + b"\x00" + digest_info
    return decoded == expected


def pem_certificates(text: str) -> list:
    blocks, inside, lines = [], False, []
    for line in text.splitlines():
        if line.startswith("-----BEGIN CERTIFICATE"):
            inside, lines = True, []
        elif line.startswith("-----END CERTIFICATE"):
            blocks.append(base64.b64decode("".join(lines)))
            inside = False
        elif inside:
            lines.append(line.strip())
    return blocks


def token_check(token: bytes, digest: str, trusted: list) -> str:
    """ "" when the token is a valid timestamp of `digest` by a trusted authority, else why not."""
    try:
        parts = token_read(token)
    except (IndexError, ValueError, StopIteration, UnicodeDecodeError):
        return "the timestamp token cannot be read"
    if parts["imprint_algorithm"] != OID_SHA256 or parts["imprint"] != bytes.fromhex(digest):
        return "the timestamp token is not over this anchor's digest"
    if parts["attributes"].get(OID_MESSAGE_DIGEST) != hashlib.sha256(parts["tst_info"]).digest():
        return "the timestamp token's signed attributes do not match its content"
    if not trusted:
        return ""  # imprint only: no authority certificate given (--tsa-cert)
    if parts["digest_algorithm"] != OID_SHA256:
        return "the timestamp token is not signed with SHA-256: not checked here"
    for der in parts["certificates"]:
        signer = certificate_read(der)
        if not rsa_sha256_verify(signer["key"], parts["signed_attrs"], parts["signature"]):
            continue
        for root in trusted:
            if der == root:
                return ""
            issuer = certificate_read(root)
            if issuer["subject"] == signer["issuer"] and rsa_sha256_verify(
                issuer["key"], signer["tbs"], signer["signature"]
            ):
                return ""
        return "the timestamp token was signed by an authority that is not among the given certificates"
    return "the timestamp token's signature does not verify (or is not RSA)"


# --- The export -----------------------------------------------------------------------------------------


def verify(export: dict, trusted: list, kept_elsewhere: list) -> list:
    problems, pins = [], {name: {} for name in export["chains"]}

    previous_number, previous_digest = 0, GENESIS
    anchors = {}
    for anchor in export.get("anchors", []):
        statement = {
            key: anchor[key] for key in ("format", "number", "previous", "at", "reason", "subject", "heads")
        }
        name = f"anchor #{anchor['number']}"
        anchors[anchor["number"]] = anchor
        if anchor["number"] != previous_number + 1:
            problems.append(f"{name}: anchor #{previous_number + 1} is missing")
        elif anchor["previous"] != previous_digest:
            problems.append(f"{name}: it does not name the digest of the anchor before it")
        if statement_digest(statement) != anchor["digest"]:
            problems.append(f"{name}: its content does not match its digest")
        if anchor.get("timestamp_token"):
            reason = token_check(base64.b64decode(anchor["timestamp_token"]), anchor["digest"], trusted)
            if reason:
                problems.append(f"{name}: {reason}")
        for chain, head in anchor["heads"].items():
            if chain not in pins:
                problems.append(f"{name}: it names a chain the export does not hold: {chain}")
                continue
            known = pins[chain].get(head["sequence"])
            if known and known[0] != head["hash"]:
                problems.append(f"{name}: it records another hash for {chain} event #{head['sequence']}")
            pins[chain][head["sequence"]] = (head["hash"], name)
        previous_number, previous_digest = anchor["number"], anchor["digest"]

    for kept in kept_elsewhere:
        name = f"anchor #{kept['number']} kept elsewhere"
        mine = anchors.get(kept["number"])
        if mine is None or mine["digest"] != kept["digest"]:
            problems.append(
                "{}: the export {}".format(name, "does not hold it" if mine is None else "holds another")
            )
        for chain, head in kept["heads"].items():
            pins.setdefault(chain, {})[head["sequence"]] = (head["hash"], name)

    for chain, data in export["chains"].items():
        previous, expected, hashes = GENESIS, 1, {}
        for event in data["events"]:
            name = "{} event #{}".format(chain, event["sequence"])
            if event["sequence"] != expected:
                problems.append(f"{name}: event #{expected} is missing")
                break
            if event["fields"].get("previous") != previous:
                problems.append(f"{name}: it does not link to the event before it")
                break
            try:
                recomputed = event_digest(event)
            except ValueError as error:
                problems.append(f"{name}: {error}")
                break
            if recomputed != event["hash"]:
                problems.append(f"{name}: its content does not match its hash")
                break
            hashes[event["sequence"]] = event["hash"]
            previous, expected = event["hash"], expected + 1
        for sequence, (digest, source) in sorted(pins.get(chain, {}).items()):
            if sequence == 0:
                continue
            if sequence not in hashes:
                problems.append(f"{chain}: {source} recorded event #{sequence}, which is not in the chain")
            elif hashes[sequence] != digest:
                problems.append(f"{chain}: event #{sequence} differs from what {source} recorded: rewritten")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Verify an export of the audit chains and their anchors.")
    parser.add_argument("export", help="the JSON file written by manage.py export_audit_chains")
    parser.add_argument(
        "--tsa-cert", action="append", default=[], help="a trusted time-stamping certificate (PEM)"
    )
    parser.add_argument(
        "--anchors", action="append", default=[], help="an anchor kept elsewhere (mailed JSON)"
    )
    arguments = parser.parse_args(argv)
    try:
        with open(arguments.export, encoding="utf-8") as file:
            export = json.load(file)
        trusted = []
        for path in arguments.tsa_cert:
            with open(path, encoding="ascii") as file:
                trusted += pem_certificates(file.read())
        kept = []
        for path in arguments.anchors:
            with open(path, encoding="utf-8") as file:
                data = json.load(file)
            kept += data.get("anchors", [data]) if isinstance(data, dict) else data
    except (OSError, ValueError, binascii.Error) as error:
        print(f"cannot read: {error}", file=sys.stderr)
        return 2
    problems = verify(export, trusted, kept)
    for name, data in export["chains"].items():
        print(f"{name}: {len(data['events'])} events")
    anchors = export.get("anchors", [])
    print(f"anchors: {len(anchors)} ({sum(1 for a in anchors if a.get('timestamp_token'))} timestamped)")
    for problem in problems:
        print("BROKEN " + problem)
    if not problems:
        print(
            "intact: every event and every anchor verifies"
            + ("" if trusted else " (timestamp signatures not checked: give --tsa-cert)")
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
