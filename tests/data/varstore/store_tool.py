#!/usr/bin/env python3
"""Helpers for regenerate.sh, written apart from the runner's C++ reader so that the
fixture does not come out of the code it tests.

  store_tool.py vendor-lists MS_STORE OUTDIR
      KEK's and db's signature lists whose every signature Microsoft owns, and dbx
      whole, out of an EDK II variable store (Debian's OVMF_VARS_4M.ms.fd), into
      OUTDIR/vendor-{kek,db,dbx}.esl: what `mpxe run --secure-boot` takes from it.
  store_tool.py trim VARS OUT
      The store VARS as far as its last variable (firmware volume header, store
      header, variables); checks that all that is cut from the store is erased (0xFF).
  store_tool.py show VARS
      One line per variable: state, attributes, name, vendor GUID, data size.
  store_tool.py dmpstore NAME PAYLOAD OUT
      A file for the UEFI Shell's `dmpstore -l OUT`, which hands each record to
      SetVariable as it is: NAME (PK, KEK, db or dbx) with its vendor GUID,
      NV|BS|RT|TIME_BASED_AUTHENTICATED_WRITE_ACCESS and PAYLOAD (an
      EFI_VARIABLE_AUTHENTICATION_2 descriptor and the signature lists).
"""
import struct
import sys
import uuid
import zlib

AUTH_STORE = uuid.UUID("aaf32c78-947b-439a-a180-2e144ec37792").bytes_le
GLOBAL = uuid.UUID("8be4df61-93ca-11d2-aa0d-00e098032b8c").bytes_le
SECURITY_DB = uuid.UUID("d719b2cb-3d3a-4596-a3bc-dad00e67656f").bytes_le
MICROSOFT = uuid.UUID("77fa9abd-0359-4d32-bd60-28f4e78f784b").bytes_le
HEADER = struct.Struct("<HBBIQ16sIII16s")  # AUTHENTICATED_VARIABLE_HEADER, 60 bytes
VAR_ADDED = 0x3F
KEY_VENDORS = {"PK": GLOBAL, "KEK": GLOBAL, "db": SECURITY_DB, "dbx": SECURITY_DB}
KEY_ATTRIBUTES = 0x27


def variables(image):
    """(offset, state, attributes, name, guid, data) for each header; and free start."""
    if image[0x28:0x2C] != b"_FVH":
        sys.exit("not a firmware volume")
    store = struct.unpack_from("<H", image, 0x30)[0]
    if image[store:store + 16] != AUTH_STORE:
        sys.exit("not an authenticated variable store")
    size = struct.unpack_from("<I", image, store + 16)[0]
    end = store + size
    at = (store + 28 + 3) & ~3
    found = []
    while at + HEADER.size <= min(end, len(image)) and struct.unpack_from("<H", image, at)[0] == 0x55AA:
        (_, state, _, attributes, _, _, _, name_size, data_size,
         guid) = HEADER.unpack_from(image, at)
        name_at = at + HEADER.size
        name = image[name_at:name_at + name_size].decode("utf-16-le").rstrip("\0")
        data = image[name_at + name_size:name_at + name_size + data_size]
        found.append((at, state, attributes, name, guid, data))
        at = (name_at + name_size + data_size + 3) & ~3
    return found, at, end


def live(image, name, guid):
    hits = [v for v in variables(image)[0]
            if v[1] in (VAR_ADDED, VAR_ADDED & 0xFE) and v[3] == name and v[4] == guid]
    return hits[-1][5] if hits else b""


def signature_lists(data):
    at = 0
    while at < len(data):
        list_size, header_size, signature_size = struct.unpack_from("<III", data, at + 16)
        owners = [data[s:s + 16]
                  for s in range(at + 28 + header_size, at + list_size, signature_size)]
        yield data[at:at + list_size], owners
        at += list_size


def microsoft_owned(data):
    return b"".join(lst for lst, owners in signature_lists(data)
                    if owners and all(o == MICROSOFT for o in owners))


def vendor_lists(ms_store, outdir):
    image = open(ms_store, "rb").read()
    lists = {"kek": microsoft_owned(live(image, "KEK", GLOBAL)),
             "db": microsoft_owned(live(image, "db", SECURITY_DB)),
             "dbx": live(image, "dbx", SECURITY_DB)}
    for key, data in lists.items():
        if not data:
            sys.exit(f"{ms_store}: no {key} lists of Microsoft's")
        with open(f"{outdir}/vendor-{key}.esl", "wb") as out:
            out.write(data)


def trim(path, out_path):
    image = open(path, "rb").read()
    for name, guid in KEY_VENDORS.items():
        if not live(image, name, guid):
            sys.exit(f"{path}: no {name}: the firmware did not take it")
    _, free, end = variables(image)
    if any(b != 0xFF for b in image[free:end]):
        sys.exit(f"{path}: the store's free space is not erased")
    with open(out_path, "wb") as out:
        out.write(image[:free])


def dmpstore(name, payload, out_path):
    # dmpstore's record: NameSize, DataSize, Name, Guid, Attributes, Data, then the
    # CRC-32 of all that (gBS->CalculateCrc32, the same polynomial as zlib's).
    name16 = (name + "\0").encode("utf-16-le")
    data = open(payload, "rb").read()
    record = (struct.pack("<II", len(name16), len(data)) + name16 + KEY_VENDORS[name] +
              struct.pack("<I", KEY_ATTRIBUTES) + data)
    with open(out_path, "wb") as out:
        out.write(record + struct.pack("<I", zlib.crc32(record)))


def show(path):
    for at, state, attributes, name, guid, data in variables(open(path, "rb").read())[0]:
        print(f"{at:#07x} state {state:#04x} attr {attributes:#04x} {name} "
              f"{uuid.UUID(bytes_le=guid)} {len(data)} bytes")


if __name__ == "__main__":
    commands = {"vendor-lists": vendor_lists, "trim": trim, "show": show, "dmpstore": dmpstore}
    if len(sys.argv) < 3 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](*sys.argv[2:])
